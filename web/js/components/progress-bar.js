// A job's progress (percent from the API's progress object), with its ETA when the API gives one.
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";

const t = defineMessages({ ru: { eta: "осталось ~{s} с" }, en: { eta: "~{s} s left" } });

export function ProgressBar({ percent, label, eta_s }) {
  const value = percent == null ? null : Math.max(0, Math.min(100, percent));
  return html`<div class="progress">
    <progress max="100" value=${value ?? undefined} aria-label=${label}></progress>
    <span class="progress-text">${value == null ? "…" : `${formatNumber(value, { maximumFractionDigits: 0 })} %`}
      ${eta_s != null && ` · ${t("eta", { s: formatNumber(Math.round(eta_s)) })}`}</span>
  </div>`;
}
