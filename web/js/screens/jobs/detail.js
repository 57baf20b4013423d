// One job: status, progress with ETA (followed live while queued or running), timings, totals, error,
// what it was asked to do; cancel while it runs, retry once it failed or was cancelled.
import { useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { href, navigate } from "../../core/router.js";
import { formatDateTime } from "../../core/time.js";
import { LIVE_JOB, usePolled } from "../../components/poll.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { ProgressBar, WaitingNote } from "../../components/progress-bar.js";
import { Table } from "../../components/table.js";
import { label } from "./labels.js";

const t = defineMessages({
  ru: {
    back: "← Все задачи", job: "Задача {type}", status: "Статус", priority: "Очередь", attempts: "Попыток", created: "Создана",
    started: "Начата", finished: "Завершена", queued: "Ожидание в очереди", run: "Выполнение", progress: "Ход", totals: "Итоги",
    error: "Ошибка", payload: "Параметры", cancel: "Отменить", retry: "Повторить", community: "Сообщество",
    skipped: "Пропущенные объекты", reason: "Причина", code: "Код", count: "Сколько", examples: "Примеры", ms: "{n} мс", yes: "да", no: "нет",
  },
  en: {
    back: "← All jobs", job: "Job {type}", status: "Status", priority: "Queue", attempts: "Attempts", created: "Created",
    started: "Started", finished: "Finished", queued: "Waiting in the queue", run: "Running time", progress: "Progress", totals: "Totals",
    error: "Error", payload: "Parameters", cancel: "Cancel", retry: "Retry", community: "Community",
    skipped: "Skipped objects", reason: "Reason", code: "Code", count: "Count", examples: "Examples", ms: "{n} ms", yes: "yes", no: "no",
  },
});

const scalar = (v) => v == null || typeof v !== "object";
const show = (v) => (typeof v === "number" ? formatNumber(v) : typeof v === "boolean" ? t(v ? "yes" : "no") : v == null ? "—" : String(v));

function Facts({ data, testid }) {
  const entries = Object.entries(data || {}).filter(([, v]) => scalar(v));
  return html`<dl class="jobs-facts" data-testid=${testid}>
    ${entries.map(([k, v]) => html`<dt>${k}</dt><dd data-key=${k}>${show(v)}</dd>`)}</dl>`;
}

export function JobPage({ id }) {
  const job = usePolled(() => api.get(`/v1/jobs/${id}`), (j) => LIVE_JOB.has(j.status), [id]);
  const failures = usePolled(() => api.get("/v1/jobs/failures", { job_id: id }), () => false, [id, job.data?.status]);
  const [action, setAction] = useState({ busy: false, error: null });
  const j = job.data;
  const act = async (what) => {
    setAction({ busy: true, error: null });
    try {
      const answer = await api.post(`/v1/jobs/${id}/${what}`);
      setAction({ busy: false, error: null });
      if (what === "retry") navigate("jobs", {}, answer.id);
      else job.reload();
    } catch (error) {
      setAction({ busy: false, error });
    }
  };
  const skipped = (failures.data?.groups || []).filter((g) => g.kind === "skipped_object");
  const nested = Object.entries(j?.result || {}).filter(([, v]) => !scalar(v));
  return html`<p><a href=${href("jobs")}>${t("back")}</a></p>
    <${ProblemBanner} error=${job.error} />
    ${j && html`<h1>${t("job", { type: j.type })}</h1>
      <div class="jobs-actions">
        ${LIVE_JOB.has(j.status) && html`<button type="button" class="secondary" disabled=${action.busy} onClick=${() => act("cancel")}>${t("cancel")}</button>`}
        ${(j.status === "failed" || j.status === "cancelled") && html`<button type="button" disabled=${action.busy} onClick=${() => act("retry")}>${t("retry")}</button>`}
      </div>
      <${ProblemBanner} error=${action.error} />
      <section class="card wide" aria-live="polite">
        <dl class="jobs-facts">
          <dt>${t("status")}</dt><dd data-testid="job-status">${label(j.status)}</dd>
          <dt>${t("priority")}</dt><dd>${label(j.priority)}</dd>
          <dt>${t("attempts")}</dt><dd>${formatNumber(j.attempts)}</dd>
          <dt>${t("created")}</dt><dd>${formatDateTime(j.created_at)}</dd>
          <dt>${t("started")}</dt><dd>${formatDateTime(j.started_at)}</dd>
          <dt>${t("finished")}</dt><dd>${formatDateTime(j.finished_at)}</dd>
          <dt>${t("queued")}</dt><dd>${j.timings.queued_ms == null ? "—" : t("ms", { n: formatNumber(j.timings.queued_ms) })}</dd>
          <dt>${t("run")}</dt><dd>${j.timings.run_ms == null ? "—" : t("ms", { n: formatNumber(j.timings.run_ms) })}</dd>
          ${j.payload.community_id && html`<dt>${t("community")}</dt><dd><a href=${href("communities", {}, j.payload.community_id)}>${j.payload.community_id}</a></dd>`}
        </dl>
        <h2>${t("progress")}</h2>
        <${ProgressBar} label=${t("progress")} percent=${j.progress?.percent ?? (j.status === "succeeded" ? 100 : null)} eta_s=${j.progress?.eta_s} />
        <${WaitingNote} waiting=${j.progress?.waiting} />
        ${j.progress && html`<${Facts} data=${j.progress} testid="job-progress" />`}
      </section>
      ${j.error && html`<section class="card wide problem" data-testid="job-error"><h2>${t("error")}</h2><p><code>${j.error.code}</code> ${j.error.message}</p></section>`}
      ${j.result && html`<section class="card wide"><h2>${t("totals")}</h2><${Facts} data=${j.result} testid="job-totals" />
        ${nested.map(([k, v]) => html`<details><summary>${k}</summary><pre class="jobs-pre">${JSON.stringify(v, null, 2)}</pre></details>`)}</section>`}
      ${skipped.length > 0 && html`<section class="card wide"><h2>${t("skipped")}</h2>
        <${Table} rows=${skipped} rowKey=${(g, i) => i} columns=${[
          { key: "reason", label: t("reason") }, { key: "code", label: t("code") },
          { key: "count", label: t("count"), numeric: true, render: (g) => formatNumber(g.count) },
          { key: "example_refs", label: t("examples"), render: (g) => g.example_refs.join(", ") },
        ]} /></section>`}
      <section class="card wide"><h2>${t("payload")}</h2><pre class="jobs-pre" data-testid="job-payload">${JSON.stringify(j.payload, null, 2)}</pre></section>`}`;
}
