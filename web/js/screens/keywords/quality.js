// How the model agrees with the analysts' corrections (GET /v1/analysis/quality): per label the agreement
// rate, how many corrected comments were compared, agreed and are not analyzed yet, and the confusion
// matrix of the model's label against the corrected one. Next to the text preview: both answer "how
// does the analysis label comments", one on a text, one over everything the analysts corrected.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber, formatShare } from "../../core/i18n.js";
import { ProblemBanner } from "../../components/problem-banner.js";

const t = defineMessages({
  ru: {
    hint: "Комментарии с исправлениями аналитиков: совпадает ли с ними текущая метка модели.",
    loading: "Загрузка…", sentiment: "Тональность", spam: "Спам", profanity: "Мат/оскорбление",
    rate: "Согласие", compared: "сравнено: {n}", agreed: "совпало: {n}", unanalyzed: "ещё не проанализировано: {n}",
    caption: "{label}: строки — метка модели, столбцы — исправленная", model: "модель ↓ аналитик →",
    positive: "позитив", neutral: "нейтрально", negative: "негатив", true: "да", false: "нет", refresh: "Обновить",
  },
  en: {
    hint: "Comments the analysts corrected: does the model's current label agree with them.",
    loading: "Loading…", sentiment: "Sentiment", spam: "Spam", profanity: "Profanity/insult",
    rate: "Agreement", compared: "compared: {n}", agreed: "agreed: {n}", unanalyzed: "not analyzed yet: {n}",
    caption: "{label}: rows are the model's label, columns the corrected one", model: "model ↓ analyst →",
    positive: "positive", neutral: "neutral", negative: "negative", true: "yes", false: "no", refresh: "Refresh",
  },
});

const LABELS = ["sentiment", "spam", "profanity"];

function Agreement({ name, figures }) {
  return html`<div class="keywords-quality-label" data-testid=${`quality-${name}`}>
    <h3>${t(name)}</h3>
    <p class="keywords-quality-figures">
      <span>${t("rate")}: <strong data-testid="quality-rate">${formatShare(figures.agreement_rate)}</strong></span>
      <span data-testid="quality-compared">${t("compared", { n: formatNumber(figures.compared) })}</span>
      <span data-testid="quality-agreed">${t("agreed", { n: formatNumber(figures.agreed) })}</span>
      <span data-testid="quality-unanalyzed">${t("unanalyzed", { n: formatNumber(figures.unanalyzed) })}</span>
    </p>
    <table class="table keywords-quality-matrix" data-testid="quality-matrix">
      <caption class="visually-hidden">${t("caption", { label: t(name) })}</caption>
      <thead><tr><th scope="col">${t("model")}</th>
        ${figures.classes.map((c) => html`<th scope="col" class="num">${t(c)}</th>`)}</tr></thead>
      <tbody>${figures.classes.map((m) => html`<tr>
        <th scope="row">${t(m)}</th>
        ${figures.classes.map((c) => html`<td class=${`num${m === c ? " keywords-quality-diagonal" : ""}`} data-cell=${`${m}|${c}`}>${formatNumber(figures.matrix[m][c])}</td>`)}
      </tr>`)}</tbody>
    </table>
  </div>`;
}

/** Asked once when the screen opens and again on "Refresh" (corrections are made on the comments screen). */
export function ModelQuality() {
  const [state, setState] = useState({ report: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    api.get("/v1/analysis/quality", { period: "none" }).then(
      (report) => live && setState({ report, error: null }),
      (error) => live && setState({ report: null, error }),
    );
    return () => { live = false; };
  }, [tick]);
  const report = state.report;
  return html`<p class="muted">${t("hint")}</p>
    <${ProblemBanner} error=${state.error} />
    ${!report && !state.error && html`<p aria-busy="true">${t("loading")}</p>`}
    ${report && LABELS.map((name) => html`<${Agreement} key=${name} name=${name} figures=${report.labels[name]} />`)}
    <button type="button" class="secondary small" onClick=${() => setTick((n) => n + 1)}>${t("refresh")}</button>`;
}
