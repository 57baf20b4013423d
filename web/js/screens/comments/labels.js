// The analysis labels of a comment (sentiment, spam, profanity) as badges, each marked "manual" when an
// analyst's correction is in force (the `*_source` fields of the API), and in the detail pane the
// controls to correct them (PUT/DELETE /v1/comments/{id}/labels) with the corrections' history.
// Labels are never computed here: after a change the screen reloads the comment from the API.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, locale } from "../../core/i18n.js";
import { formatDateTime } from "../../core/time.js";
import { ProblemBanner } from "../../components/problem-banner.js";

const t = defineMessages({
  ru: { positive: "позитив", neutral: "нейтрально", negative: "негатив", spam: "спам", notSpam: "не спам",
    profanity: "мат/оскорбление", noProfanity: "без мата", notAnalyzed: "не проанализирован", score: "оценка {score}",
    manual: "вручную", manualTitle: "Исправлено аналитиком", title: "Разметка", sentimentLabel: "Исправить тональность",
    spamLabel: "Исправить отметку «спам»", profanityLabel: "Исправить отметку «мат»", asModel: "модель: {label}",
    none: "нет", save: "Сохранить разметку", reset: "Вернуть метки модели", saved: "Разметка сохранена.",
    restored: "Метки модели восстановлены.", loading: "Загрузка разметки…", history: "История исправлений",
    noHistory: "Исправлений не было.", when: "Когда", who: "Кто", label: "Метка", change: "Изменение",
    labelSentiment: "тональность", labelSpam: "спам", labelProfanity: "мат", dropped: "снято, метка модели: {label}",
    hint: "«Модель: …» снимает исправление; значение, равное метке модели, подтверждает её." },
  en: { positive: "positive", neutral: "neutral", negative: "negative", spam: "spam", notSpam: "not spam",
    profanity: "profanity/insult", noProfanity: "no profanity", notAnalyzed: "not analyzed", score: "score {score}",
    manual: "manual", manualTitle: "Corrected by an analyst", title: "Labels", sentimentLabel: "Correct sentiment",
    spamLabel: "Correct spam", profanityLabel: "Correct profanity", asModel: "model: {label}",
    none: "none", save: "Save labels", reset: "Return to the model's labels", saved: "Labels saved.",
    restored: "The model's labels are back.", loading: "Loading labels…", history: "Corrections history",
    noHistory: "No corrections yet.", when: "When", who: "Who", label: "Label", change: "Change",
    labelSentiment: "sentiment", labelSpam: "spam", labelProfanity: "profanity", dropped: "removed, model's label: {label}",
    hint: "“Model: …” removes the correction; the model's own value confirms its label." },
});

// built once per language: list rows render this every scroll frame
let scores = { lang: "", format: null };
function formatScore(value) {
  if (scores.lang !== locale()) scores = { lang: locale(), format: new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }) };
  return scores.format.format(value);
}

const Manual = () => html` <span class="comments-label-manual" title=${t("manualTitle")} data-testid="label-manual">· ${t("manual")}</span>`;

/** The effective labels of a comment view; a corrected one carries the "manual" marker. */
export function Labels({ comment: c }) {
  if (c.sentiment == null) return html`<span class="badge">${t("notAnalyzed")}</span>`;
  const score = c.sentiment_score == null ? undefined : t("score", { score: formatScore(c.sentiment_score) });
  const spamManual = c.is_spam_source === "manual";
  const profanityManual = c.has_profanity_source === "manual";
  return html`<span class=${`badge sentiment-${c.sentiment}`} title=${score} data-testid="label-sentiment">${t(c.sentiment)}${c.sentiment_source === "manual" && html`<${Manual} />`}</span>
    ${(c.is_spam || spamManual) && html` <span class=${c.is_spam ? "badge bad" : "badge"} data-testid="label-spam">${t(c.is_spam ? "spam" : "notSpam")}${spamManual && html`<${Manual} />`}</span>`}
    ${(c.has_profanity || profanityManual) && html` <span class=${c.has_profanity ? "badge bad" : "badge"} data-testid="label-profanity">${t(c.has_profanity ? "profanity" : "noProfanity")}${profanityManual && html`<${Manual} />`}</span>`}`;
}

// field of PUT /v1/comments/{id}/labels → its name in the history, its values and how they read
const FIELDS = [
  { field: "sentiment", history: "sentiment", name: "labelSentiment", control: "sentimentLabel", values: ["positive", "neutral", "negative"] },
  { field: "is_spam", history: "spam", name: "labelSpam", control: "spamLabel", values: [true, false] },
  { field: "has_profanity", history: "profanity", name: "labelProfanity", control: "profanityLabel", values: [true, false] },
];

function readValue(field, value) {
  if (value == null) return t("none");
  if (field === "is_spam") return t(value ? "spam" : "notSpam");
  if (field === "has_profanity") return t(value ? "profanity" : "noProfanity");
  return t(value);
}

const draftOf = (labels) => Object.fromEntries(FIELDS.map(({ field }) => [field, labels[field].manual == null ? "" : String(labels[field].manual)]));

function parse(field, text) {
  if (text === "") return null;
  return field === "sentiment" ? text : text === "true";
}

/**
 * The correction controls of one comment: a select per label ("model's label" or a value), saved together
 * with PUT (only the labels changed are sent), or all dropped with DELETE; then the history.
 * onChanged(): the labels changed, so the screen reloads the comment (its badges and its list row).
 */
export function LabelCorrections({ commentId, onChanged }) {
  const [labels, setLabels] = useState(null);
  const [draft, setDraft] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const path = `/v1/comments/${encodeURIComponent(commentId)}/labels`;

  const show = (answer) => { setLabels(answer); setDraft(draftOf(answer)); };
  useEffect(() => {
    let live = true;
    setLabels(null); setError(null); setStatus("");
    api.get(path).then((answer) => live && show(answer), (e) => live && setError(e));
    return () => { live = false; };
  }, [commentId]);

  if (!labels || !draft) return html`<${ProblemBanner} error=${error} />${!error && html`<p class="muted" aria-busy="true">${t("loading")}</p>`}`;

  const saved = draftOf(labels);
  const changes = Object.fromEntries(FIELDS.filter(({ field }) => draft[field] !== saved[field]).map(({ field }) => [field, parse(field, draft[field])]));
  const anyManual = FIELDS.some(({ field }) => labels[field].manual != null);

  const act = async (request, message) => {
    setBusy(true); setError(null); setStatus("");
    try {
      show(await request());
      setStatus(t(message));
      onChanged?.();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const submit = (event) => { event.preventDefault(); act(() => api.put(path, changes), "saved"); };

  return html`<form class="comments-labels" onSubmit=${submit} data-testid="label-corrections">
      <p class="muted comments-labels-hint" id="comments-labels-hint">${t("hint")}</p>
      <div class="comments-labels-grid">
        ${FIELDS.map(({ field, control, values }) => html`<div class="field">
          <label for=${`lc-${field}`}>${t(control)}${labels[field].source === "manual" && html`<${Manual} />`}</label>
          <select id=${`lc-${field}`} aria-describedby="comments-labels-hint" value=${draft[field]} disabled=${busy}
            onChange=${(e) => setDraft({ ...draft, [field]: e.currentTarget.value })}>
            <option value="">${t("asModel", { label: readValue(field, labels[field].model) })}</option>
            ${values.map((v) => html`<option value=${String(v)}>${readValue(field, v)}</option>`)}
          </select>
        </div>`)}
      </div>
      <${ProblemBanner} error=${error} onDismiss=${() => setError(null)} />
      <p class="comments-labels-actions">
        <button type="submit" class="small" disabled=${busy || Object.keys(changes).length === 0}>${t("save")}</button>
        <button type="button" class="secondary small" disabled=${busy || !anyManual}
          onClick=${() => act(() => api.delete(path), "restored")}>${t("reset")}</button>
        <span role="status" aria-live="polite" data-testid="label-status">${status}</span>
      </p>
    </form>
    <h4 class="comments-labels-history-title">${t("history")}</h4>
    ${labels.history.length === 0
      ? html`<p class="muted">${t("noHistory")}</p>`
      : html`<table class="table comments-labels-history">
        <thead><tr><th scope="col">${t("when")}</th><th scope="col">${t("who")}</th><th scope="col">${t("label")}</th><th scope="col">${t("change")}</th></tr></thead>
        <tbody>${labels.history.map((e) => {
          const meta = FIELDS.find((f) => f.history === e.label);
          const field = meta?.field ?? "sentiment";
          return html`<tr key=${e.id} data-testid="label-history-row">
            <td>${formatDateTime(e.created_at, { dateStyle: "short", timeStyle: "short" })}</td>
            <td data-testid="label-history-who">${e.api_key_name}</td>
            <td>${meta ? t(meta.name) : e.label}</td>
            <td>${readValue(field, e.previous)} → ${e.value == null ? t("dropped", { label: readValue(field, e.model_value) }) : readValue(field, e.value)}</td>
          </tr>`;
        })}</tbody>
      </table>`}`;
}
