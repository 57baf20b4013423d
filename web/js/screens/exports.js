// Exports: the comment filter (the query names of GET /v1/comments, so the comments screen links here
// with its own URL's query) written to CSV, XLSX or JSONL by an export job, followed live, then
// downloaded through the presigned link the API makes. #/exports/<id> is one export (survives a reload).
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";
import { href, navigate } from "../core/router.js";
import { formatDateTime } from "../core/time.js";
import { LIVE_JOB, usePolled } from "../components/poll.js";
import { ProblemBanner } from "../components/problem-banner.js";
import { ProgressBar } from "../components/progress-bar.js";
import { SORTS, bodyOf, queryOf } from "./comments/filters.js";

const t = defineMessages({
  ru: {
    title: "Выгрузки", filter: "Фильтр комментариев", none: "без условий — все комментарии", edit: "Изменить фильтр в комментариях",
    count: "Подходит комментариев", format: "Формат", csv: "CSV (Excel, UTF-8)", xlsx: "XLSX", jsonl: "JSONL (по объекту на строку)",
    sort: "Порядок", create: "Выгрузить", creating: "Запуск…", export: "Выгрузка", status: "Статус", rows: "Строк",
    size: "Размер", created: "Создана", finished: "Готова", download: "Скачать {name}", expires: "Ссылка действует до {at}",
    expired: "Файл удалён (файлы хранятся 7 дней). Выгрузите заново.", job: "задача", again: "Новая выгрузка",
    queued: "в очереди", running: "выполняется", succeeded: "готово", failed: "ошибка", cancelled: "отменена", bytes: "{n} байт",
    rowsOf: "{done} из {expected}",
  },
  en: {
    title: "Exports", filter: "Comment filter", none: "no conditions: every comment", edit: "Change the filter in comments",
    count: "Matching comments", format: "Format", csv: "CSV (Excel, UTF-8)", xlsx: "XLSX", jsonl: "JSONL (one object per line)",
    sort: "Order", create: "Export", creating: "Starting…", export: "Export", status: "Status", rows: "Rows",
    size: "Size", created: "Created", finished: "Finished", download: "Download {name}", expires: "The link works until {at}",
    expired: "The file is gone (files are kept 7 days). Export again.", job: "job", again: "New export",
    queued: "queued", running: "running", succeeded: "succeeded", failed: "failed", cancelled: "cancelled", bytes: "{n} bytes",
    rowsOf: "{done} of {expected}",
  },
});

function NewExport({ route }) {
  const query = queryOf(route.params);
  const key = JSON.stringify(query);
  const count = usePolled(() => api.get("/v1/comments/count", query), () => false, [key]);
  const [format, setFormat] = useState("csv");
  const [sort, setSort] = useState(SORTS.includes(route.params.get("sort")) ? route.params.get("sort") : "date_desc");
  const [state, setState] = useState({ busy: false, error: null });
  const submit = async (event) => {
    event.preventDefault();
    setState({ busy: true, error: null });
    try {
      const created = await api.post("/v1/exports", { format, sort, filters: bodyOf(query) });
      navigate("exports", {}, created.id);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const entries = Object.entries(query);
  return html`<form class="card wide exports-form" onSubmit=${submit}>
    <h2>${t("filter")}</h2>
    ${entries.length === 0 ? html`<p class="muted">${t("none")}</p>` : html`<dl class="exports-facts" data-testid="export-filter">
      ${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${Array.isArray(v) ? v.join(", ") : v}</dd>`)}</dl>`}
    <p><a href=${href("comments", query)}>${t("edit")}</a></p>
    <p>${t("count")}: <strong data-testid="export-count">${count.data ? formatNumber(count.data.count) : "…"}</strong></p>
    <${ProblemBanner} error=${count.error} />
    <fieldset class="exports-formats"><legend>${t("format")}</legend>
      ${["csv", "xlsx", "jsonl"].map((f) => html`<label class="chip"><input type="radio" name="format" value=${f}
        checked=${format === f} onChange=${() => setFormat(f)} /> ${t(f)}</label>`)}
    </fieldset>
    <div class="field"><label for="ex-sort">${t("sort")}</label>
      <select id="ex-sort" value=${sort} onChange=${(e) => setSort(e.currentTarget.value)}>
        ${SORTS.map((s) => html`<option value=${s}>${s}</option>`)}</select></div>
    <button type="submit" disabled=${state.busy}>${state.busy ? t("creating") : t("create")}</button>
    <${ProblemBanner} error=${state.error} />
  </form>`;
}

function ExportPage({ id }) {
  const state = usePolled(() => api.get(`/v1/exports/${id}`), (e) => LIVE_JOB.has(e.status), [id]);
  const e = state.data;
  return html`<section class="card wide exports-page" aria-live="polite" data-testid="export">
    <h2>${t("export")} ${e && e.format.toUpperCase()}</h2>
    <${ProblemBanner} error=${state.error} />
    ${e && html`<dl class="exports-facts">
        <dt>${t("status")}</dt><dd data-testid="export-status">${t(e.status)} (<a href=${href("jobs", {}, id)}>${t("job")}</a>)</dd>
        <dt>${t("created")}</dt><dd>${formatDateTime(e.created_at)}</dd>
        <dt>${t("finished")}</dt><dd>${formatDateTime(e.finished_at)}</dd>
        <dt>${t("rows")}</dt><dd data-testid="export-rows">${LIVE_JOB.has(e.status) && e.rows_expected != null
          ? t("rowsOf", { done: formatNumber(e.rows_done), expected: formatNumber(e.rows_expected) })
          : formatNumber(e.row_count)}</dd>
        <dt>${t("size")}</dt><dd>${e.size_bytes == null ? "—" : t("bytes", { n: formatNumber(e.size_bytes) })}</dd>
      </dl>
      ${LIVE_JOB.has(e.status) && html`<${ProgressBar} label=${t("export")} percent=${e.percent} />`}
      ${e.error && html`<p class="error">${e.error.message}</p>`}
      ${e.download_url && html`<p><a class="exports-download" href=${e.download_url} download=${e.filename} rel="noopener">${t("download", { name: e.filename })}</a></p>
        <p class="muted">${t("expires", { at: formatDateTime(e.download_expires_at) })}</p>`}
      ${e.expired && html`<p>${t("expired")}</p>`}`}
    <p><a href=${href("exports", e ? bodyToQuery(e.filters) : {})}>${t("again")}</a></p>
  </section>`;
}

/** An export's stored filters back into the URL's names (flags as true/false, lists repeated). */
function bodyToQuery(filters) {
  const out = {};
  for (const [k, v] of Object.entries(filters || {})) {
    if (v == null || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = typeof v === "boolean" ? String(v) : typeof v === "object" && !Array.isArray(v) ? `${v.owner_id}_${v.post_id}` : v;
  }
  return out;
}

export default function Exports({ route }) {
  return html`<h1>${t("title")}</h1>
    ${route.rest[0] ? html`<${ExportPage} key=${route.rest[0]} id=${route.rest[0]} />` : html`<${NewExport} route=${route} />`}`;
}
