// Bulk import of a txt/csv file (POST /v1/keywords/import) and the API's report, line by line.
import { useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { Table } from "../../components/table.js";

const t = defineMessages({
  ru: {
    file: "Файл txt или csv", fileHint: "txt: одно слово на строку; csv: слово, категория (строка заголовка распознаётся).",
    content: "Или вставьте строки", format: "Формат", auto: "определить", category: "Категория по умолчанию",
    categoryHint: "Для строк, где категория не указана.", send: "Импортировать", sending: "Импорт…",
    summary: "Создано: {created}, повторов: {duplicates}, с ошибками: {invalid}, пропущено пустых и #-строк: {ignored}",
    line: "Строка", text: "Текст", outcome: "Итог", reason: "Причина", created: "создано", duplicate: "повтор",
    invalid: "ошибка", ofLine: "повторяет строку {n}", existing: "уже есть", header: "Заголовок csv: {h}",
    report: "Отчёт об импорте", empty: "Выберите файл или вставьте строки.",
  },
  en: {
    file: "A txt or csv file", fileHint: "txt: one keyword per line; csv: keyword, category (a header row is detected).",
    content: "Or paste the lines", format: "Format", auto: "detect", category: "Default category",
    categoryHint: "For lines that name none.", send: "Import", sending: "Importing…",
    summary: "Created: {created}, duplicates: {duplicates}, invalid: {invalid}, blank and # lines skipped: {ignored}",
    line: "Line", text: "Text", outcome: "Outcome", reason: "Reason", created: "created", duplicate: "duplicate",
    invalid: "invalid", ofLine: "repeats line {n}", existing: "already exists", header: "csv header: {h}",
    report: "Import report", empty: "Choose a file or paste the lines.",
  },
});

export function KeywordImport({ onImported }) {
  const [content, setContent] = useState("");
  const [format, setFormat] = useState("");
  const [category, setCategory] = useState("");
  const [state, setState] = useState({ busy: false, error: null, report: null });
  const readFile = async (e) => {
    const file = e.currentTarget.files[0];
    if (!file) return;
    setContent(await file.text());
    if (!format && /\.(csv|txt)$/i.test(file.name)) setFormat(file.name.toLowerCase().endsWith(".csv") ? "csv" : "txt");
  };
  const submit = async (event) => {
    event.preventDefault();
    if (!content.trim()) { setState({ busy: false, error: null, report: null, empty: true }); return; }
    setState({ busy: true, error: null, report: null });
    try {
      const report = await api.post("/v1/keywords/import", {
        content, format: format || undefined, default_category: category.trim() || undefined,
      });
      setState({ busy: false, error: null, report });
      onImported(report);
    } catch (error) {
      setState({ busy: false, error, report: null });
    }
  };
  const report = state.report;
  const reason = (l) => l.reason || (l.duplicate_of_line ? t("ofLine", { n: l.duplicate_of_line }) : l.outcome === "duplicate" ? t("existing") : "");
  return html`<form class="keywords-import" onSubmit=${submit} data-testid="keyword-import">
    <div class="field"><label for="kwi-file">${t("file")}</label>
      <input id="kwi-file" type="file" accept=".txt,.csv,text/plain,text/csv" onChange=${readFile} aria-describedby="kwi-file-hint" />
      <small id="kwi-file-hint" class="muted">${t("fileHint")}</small></div>
    <div class="field"><label for="kwi-content">${t("content")}</label>
      <textarea id="kwi-content" rows="6" autofocus value=${content} onInput=${(e) => setContent(e.currentTarget.value)}></textarea></div>
    <div class="keywords-form-row">
      <div class="field"><label for="kwi-format">${t("format")}</label>
        <select id="kwi-format" value=${format} onChange=${(e) => setFormat(e.currentTarget.value)}>
          <option value="">${t("auto")}</option><option value="txt">txt</option><option value="csv">csv</option>
        </select></div>
      <div class="field"><label for="kwi-category">${t("category")}</label>
        <input id="kwi-category" maxlength="100" value=${category} onInput=${(e) => setCategory(e.currentTarget.value)}
          aria-describedby="kwi-category-hint" />
        <small id="kwi-category-hint" class="muted">${t("categoryHint")}</small></div>
    </div>
    <${ProblemBanner} error=${state.error} />
    ${state.empty && html`<p class="error" role="alert">${t("empty")}</p>`}
    <button type="submit" disabled=${state.busy}>${state.busy ? t("sending") : t("send")}</button>
    ${report && html`<section aria-label=${t("report")} class="keywords-report">
      <p role="status" data-testid="import-summary">${t("summary", {
        created: formatNumber(report.created), duplicates: formatNumber(report.duplicates),
        invalid: formatNumber(report.invalid), ignored: formatNumber(report.ignored_lines) })}</p>
      ${report.header && html`<p class="muted">${t("header", { h: report.header.join(", ") })}</p>`}
      <${Table} caption=${t("report")} rows=${report.lines} rowKey=${(l) => l.line} rowTestid="import-line" columns=${[
        { key: "line", label: t("line"), numeric: true },
        { key: "text", label: t("text") },
        { key: "outcome", label: t("outcome"), render: (l) => html`<span class=${`badge outcome-${l.outcome}`}>${t(l.outcome)}</span>` },
        { key: "reason", label: t("reason"), render: reason },
      ]} />
    </section>`}
  </form>`;
}
