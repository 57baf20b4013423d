// Jobs: the list filtered by status (in the URL), the failure summary (skipped objects and failed jobs
// by reason, and per day), and the dead letters with redrive. #/jobs/<id> is one job's page.
import { useEffect, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";
import { href, navigate } from "../core/router.js";
import { addDays, formatDate, formatDateTime, midnight, today } from "../core/time.js";
import { LoadMore, usePager } from "../components/pager.js";
import { LIVE_JOB, usePolled } from "../components/poll.js";
import { ProblemBanner } from "../components/problem-banner.js";
import { ProgressBar, WaitingNote } from "../components/progress-bar.js";
import { Table } from "../components/table.js";
import { JobPage } from "./jobs/detail.js";
import { STATUSES, label } from "./jobs/labels.js";

const t = defineMessages({
  ru: {
    title: "Задачи", status: "Статус", any: "все", show: "Показать", type: "Тип", priority: "Очередь", created: "Создана",
    progress: "Ход", attempts: "Попыток", list: "Задачи рабочего пространства", empty: "Задач нет.", refresh: "Обновить",
    failures: "Сводка сбоев", since: "С даты", kind: "Что", reason: "Причина", code: "Код", count: "Сколько",
    first: "Впервые", last: "Последний раз", examples: "Примеры", skipped_object: "пропущенный объект VK",
    job_failure: "сбой задачи", noFailures: "Сбоев нет.", byDay: "По дням", day: "День",
    dead: "Недоставленные сообщения (DLQ)", queue: "Очередь", task: "Шаг", received: "Получено раз", job: "Задача",
    firstReceived: "Впервые получено", redrive: "Вернуть в очереди", redriveJob: "Вернуть", noDead: "Недоставленных сообщений нет.",
    redriven: "Возвращено сообщений: {n}; переоткрыто задач: {j}.", skipped_objects: "Пропущено объектов", failed_jobs: "Задач с ошибкой",
  },
  en: {
    title: "Jobs", status: "Status", any: "all", show: "Show", type: "Type", priority: "Queue", created: "Created",
    progress: "Progress", attempts: "Attempts", list: "The workspace's jobs", empty: "No jobs.", refresh: "Refresh",
    failures: "Failure summary", since: "Since", kind: "What", reason: "Reason", code: "Code", count: "Count",
    first: "First", last: "Last", examples: "Examples", skipped_object: "skipped VK object",
    job_failure: "job failure", noFailures: "No failures.", byDay: "Per day", day: "Day",
    dead: "Dead letters (DLQ)", queue: "Queue", task: "Step", received: "Received", job: "Job",
    firstReceived: "First received", redrive: "Redrive all", redriveJob: "Redrive", noDead: "No dead letters.",
    redriven: "Messages redriven: {n}; jobs reopened: {j}.", skipped_objects: "Skipped objects", failed_jobs: "Failed jobs",
  },
});

const PAGE = 50;

function JobList({ route }) {
  const status = STATUSES.includes(route.params.get("status")) ? route.params.get("status") : undefined;
  const pager = usePager("/v1/jobs", { status, limit: PAGE });
  // the first page is asked again while a job on it is queued or running, so its progress moves
  const moving = !pager.loading && pager.items.length <= PAGE && pager.items.some((j) => LIVE_JOB.has(j.status));
  useEffect(() => {
    if (!moving) return undefined;
    const timer = setTimeout(pager.reload, 2000);
    return () => clearTimeout(timer);
  }, [moving, pager.items]);
  return html`<section class="card wide">
    <h2>${t("list")}</h2>
    <form class="jobs-filter" onSubmit=${(e) => { e.preventDefault(); navigate("jobs", { ...Object.fromEntries(route.params), status: e.currentTarget.elements.status.value }); }}>
      <div class="field"><label for="jf-status">${t("status")}</label>
        <select id="jf-status" name="status" value=${status ?? ""}>
          <option value="">${t("any")}</option>${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}</select></div>
      <button type="submit" class="secondary">${t("show")}</button>
      <button type="button" class="secondary" onClick=${pager.reload}>${t("refresh")}</button>
    </form>
    <${ProblemBanner} error=${pager.error} />
    <${Table} caption=${t("list")} rows=${pager.items} rowTestid="job-row" empty=${t("empty")} columns=${[
      { key: "type", label: t("type"), render: (j) => html`<a href=${href("jobs", {}, j.id)}>${j.type}</a>` },
      { key: "status", label: t("status"), render: (j) => html`<span class=${`badge job-${j.status}`}>${label(j.status)}</span>` },
      { key: "priority", label: t("priority"), render: (j) => label(j.priority) },
      { key: "created_at", label: t("created"), render: (j) => formatDateTime(j.created_at) },
      { key: "attempts", label: t("attempts"), numeric: true },
      { key: "progress", label: t("progress"), render: (j) => (j.progress?.percent == null && !LIVE_JOB.has(j.status) && j.status !== "succeeded"
        ? "—" : html`<${ProgressBar} label=${`${j.type} ${label(j.status)}`}
          percent=${j.progress?.percent ?? (j.status === "succeeded" ? 100 : null)} eta_s=${j.progress?.eta_s} />
          <${WaitingNote} waiting=${j.progress?.waiting} />`) },
    ]} />
    <${LoadMore} pager=${pager} />
  </section>`;
}

function Failures({ route }) {
  const since = route.params.get("since") || addDays(today(), -29);
  const state = usePolled(() => api.get("/v1/jobs/failures", { since: midnight(since).toISOString() }), () => false, [since]);
  const data = state.data;
  return html`<section class="card wide" data-testid="failures">
    <h2>${t("failures")}</h2>
    <div class="field jobs-since"><label for="jf-since">${t("since")}</label>
      <input id="jf-since" type="date" value=${since} onChange=${(e) => navigate("jobs", { ...Object.fromEntries(route.params), since: e.currentTarget.value })} /></div>
    <${ProblemBanner} error=${state.error} />
    ${data && (data.groups.length === 0 ? html`<p class="muted">${t("noFailures")}</p>` : html`
      <${Table} rows=${data.groups} rowTestid="failure-row" rowKey=${(g, i) => i} columns=${[
        { key: "kind", label: t("kind"), render: (g) => t(g.kind) },
        { key: "reason", label: t("reason") }, { key: "code", label: t("code") },
        { key: "count", label: t("count"), numeric: true, render: (g) => formatNumber(g.count) },
        { key: "first_at", label: t("first"), render: (g) => formatDateTime(g.first_at) },
        { key: "last_at", label: t("last"), render: (g) => formatDateTime(g.last_at) },
        { key: "example_refs", label: t("examples"), render: (g) => g.example_refs.join(", ") },
      ]} />
      <h3>${t("byDay")}</h3>
      <${Table} rows=${data.by_day} rowKey=${(d) => d.day} columns=${[
        { key: "day", label: t("day"), render: (d) => formatDate(`${d.day}T12:00:00Z`) },
        ...["skipped_objects", "failed_jobs"].map((k) => ({ key: k, label: t(k), numeric: true, render: (d) => formatNumber(d[k]) })),
      ]} />`)}
  </section>`;
}

function DeadLetters() {
  const state = usePolled(() => api.get("/v1/dead-letters"), () => false, []);
  const [done, setDone] = useState({ error: null, result: null, busy: false });
  const redrive = async (jobId) => {
    setDone({ error: null, result: null, busy: true });
    try {
      setDone({ error: null, result: await api.post("/v1/dead-letters/redrive", jobId ? { job_id: jobId } : {}), busy: false });
      state.reload();
    } catch (error) {
      setDone({ error, result: null, busy: false });
    }
  };
  const items = state.data?.items || [];
  return html`<section class="card wide" data-testid="dead-letters">
    <h2>${t("dead")}</h2>
    <${ProblemBanner} error=${state.error || done.error} />
    ${done.result && html`<p role="status">${t("redriven", { n: done.result.redriven, j: done.result.reopened_jobs.length })}</p>`}
    ${state.data && (items.length === 0 ? html`<p class="muted">${t("noDead")}</p>` : html`
      <button type="button" onClick=${() => redrive(null)} disabled=${done.busy}>${t("redrive")}</button>
      <${Table} rows=${items} rowTestid="dead-letter-row" rowKey=${(d) => d.message_id} columns=${[
        { key: "job", label: t("job"), render: (d) => d.job_id ? html`<a href=${href("jobs", {}, d.job_id)}>${d.job_type}</a>` : "—" },
        { key: "queue", label: t("queue") }, { key: "task", label: t("task") }, { key: "reason", label: t("reason") },
        { key: "receive_count", label: t("received"), numeric: true },
        { key: "first_received_at", label: t("firstReceived"), render: (d) => formatDateTime(d.first_received_at) },
        { key: "redrive", label: t("redriveJob"), render: (d) => d.job_id && html`<button type="button" class="secondary small"
            onClick=${() => redrive(d.job_id)} disabled=${done.busy}>${t("redriveJob")}</button>` },
      ]} />`)}
  </section>`;
}

export default function Jobs({ route }) {
  if (route.rest[0]) return html`<${JobPage} key=${route.rest[0]} id=${route.rest[0]} />`;
  return html`<h1>${t("title")}</h1>
    <div class="grid">
      <${JobList} route=${route} />
      <${Failures} route=${route} />
      <${DeadLetters} />
    </div>`;
}
