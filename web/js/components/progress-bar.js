// A job's progress (percent from the API's progress object), with its ETA when the API gives one.
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";
import { formatDateTime, timeZone, today } from "../core/time.js";

const t = defineMessages({ ru: { eta: "осталось ~{s} с" }, en: { eta: "~{s} s left" } });

export function ProgressBar({ percent, label, eta_s }) {
  const value = percent == null ? null : Math.max(0, Math.min(100, percent));
  return html`<div class="progress">
    <progress max="100" value=${value ?? undefined} aria-label=${label}></progress>
    <span class="progress-text">${value == null ? "…" : `${formatNumber(value, { maximumFractionDigits: 0 })} %`}
      ${eta_s != null && ` · ${t("eta", { s: formatNumber(Math.round(eta_s)) })}`}</span>
  </div>`;
}

const w = defineMessages({
  ru: {
    waiting: "Ждёт токены VK до {until} ({why})", quota: "лимит запросов", cooldown: "слишком частые запросы или капча",
  },
  en: {
    waiting: "Waiting for VK tokens until {until} ({why})", quota: "request quota", cooldown: "flood control or a captcha",
  },
});

/** The wait of a job whose VK tokens all rest (`progress.waiting` of GET /v1/jobs/{id}), or nothing:
 * the job is running, only paused until then, not stuck. The time alone when the wait ends today. */
export function WaitingNote({ waiting }) {
  if (!waiting) return null;
  const until = new Date(waiting.until);
  const sameDay = new Intl.DateTimeFormat("en-CA", { timeZone: timeZone() }).format(until) === today();
  const when = formatDateTime(until, sameDay ? { timeStyle: "short" } : { dateStyle: "medium", timeStyle: "short" });
  const why = waiting.code === "quota" || waiting.code === "cooldown" ? w(waiting.code) : waiting.reason;
  const text = w("waiting", { until: when, why });
  return html`<p class="progress-waiting" role="status" data-testid="job-waiting" title=${waiting.reason}>${text}</p>`;
}
