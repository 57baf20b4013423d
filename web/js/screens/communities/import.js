// Bulk import of a txt/csv file: POST /v1/communities/import starts a job; its result is the per-line
// report, followed live until the job ends.
import { useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { href } from "../../core/router.js";
import { LIVE_JOB, usePolled } from "../../components/poll.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { ProgressBar } from "../../components/progress-bar.js";
import { Table } from "../../components/table.js";
import { t as label } from "./labels.js";

const t = defineMessages({
  ru: {
    file: "Файл txt или csv", fileHint: "Одно сообщество на строку (ссылка, имя или id); в csv — колонка url, link, screen_name или id.",
    content: "Или вставьте строки", send: "Импортировать", sending: "Отправка…", job: "Задача импорта",
    line: "Строка", input: "Ввод", outcome: "Итог", reason: "Причина", report: "Отчёт по строкам", empty: "Выберите файл или вставьте строки.",
    created: "добавлено", duplicate: "уже есть", invalid: "ошибка ввода", not_found: "не найдено", not_a_community: "не сообщество",
    failed: "сбой", not_processed: "не обработано", open: "открыть", summary: "Итоги",
  },
  en: {
    file: "A txt or csv file", fileHint: "One community per line (link, name or id); in csv a url, link, screen_name or id column.",
    content: "Or paste the lines", send: "Import", sending: "Sending…", job: "Import job",
    line: "Line", input: "Input", outcome: "Outcome", reason: "Reason", report: "Per-line report", empty: "Choose a file or paste the lines.",
    created: "created", duplicate: "duplicate", invalid: "invalid", not_found: "not found", not_a_community: "not a community",
    failed: "failed", not_processed: "not processed", open: "open", summary: "Summary",
  },
});

const OUTCOMES = ["created", "duplicate", "invalid", "not_found", "not_a_community", "failed", "not_processed"];

export function ImportCommunities({ onDone }) {
  const [content, setContent] = useState("");
  const [state, setState] = useState({ busy: false, error: null, jobId: null });
  const readFile = async (e) => { const file = e.currentTarget.files[0]; if (file) setContent(await file.text()); };
  const submit = async (event) => {
    event.preventDefault();
    setState({ busy: true, error: null, jobId: null });
    try {
      const job = await api.post("/v1/communities/import", { content });
      setState({ busy: false, error: null, jobId: job.id });
    } catch (error) {
      setState({ busy: false, error, jobId: null });
    }
  };
  return html`<form class="communities-import" onSubmit=${submit}>
    <div class="field"><label for="ci-file">${t("file")}</label>
      <input id="ci-file" type="file" accept=".txt,.csv,text/plain,text/csv" onChange=${readFile} aria-describedby="ci-file-hint" />
      <small id="ci-file-hint" class="muted">${t("fileHint")}</small></div>
    <div class="field"><label for="ci-content">${t("content")}</label>
      <textarea id="ci-content" rows="5" value=${content} onInput=${(e) => setContent(e.currentTarget.value)}></textarea></div>
    <button type="submit" disabled=${state.busy || !content.trim()}>${state.busy ? t("sending") : t("send")}</button>
    <${ProblemBanner} error=${state.error} />
    ${state.jobId && html`<${ImportReport} jobId=${state.jobId} onDone=${onDone} />`}
  </form>`;
}

function ImportReport({ jobId, onDone }) {
  const job = usePolled(async () => {
    const data = await api.get(`/v1/jobs/${jobId}`);
    if (!LIVE_JOB.has(data.status)) onDone();
    return data;
  }, (j) => LIVE_JOB.has(j.status), [jobId]);
  const j = job.data;
  const summary = j?.result?.summary;
  return html`<section class="communities-report" aria-live="polite" data-testid="import-report">
    <h3>${t("job")}: <a href=${href("jobs", {}, jobId)}>${j ? label(j.status) : "…"}</a></h3>
    <${ProblemBanner} error=${job.error} />
    ${j && LIVE_JOB.has(j.status) && html`<${ProgressBar} label=${t("job")} percent=${j.progress?.percent} eta_s=${j.progress?.eta_s} />`}
    ${j?.error && html`<p class="error">${j.error.message}</p>`}
    ${summary && html`<p data-testid="import-summary">${OUTCOMES.filter((o) => summary[o]).map((o) => `${t(o)}: ${formatNumber(summary[o])}`).join(" · ")}</p>`}
    ${j?.result?.lines && html`<${Table} caption=${t("report")} rowTestid="import-line" rowKey=${(l) => l.line} rows=${j.result.lines} columns=${[
      { key: "line", label: t("line"), numeric: true },
      { key: "input", label: t("input") },
      { key: "outcome", label: t("outcome"), render: (l) => html`<span class=${`badge outcome-${l.outcome}`}>${t(l.outcome)}</span>` },
      { key: "reason", label: t("reason"), render: (l) => html`${l.reason || ""} ${l.community_id && html`<a href=${href("communities", {}, l.community_id)}>${t("open")}</a>`}` },
    ]} />`}
  </section>`;
}
