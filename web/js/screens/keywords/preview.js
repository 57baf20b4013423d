// A live preview: the text typed or pasted here goes to POST /v1/analysis/preview (debounced) and comes
// back with the matches highlighted and the scores. `rules` (ad hoc, e.g. the form being edited) or,
// when absent, the workspace's active keywords.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { Highlighted } from "../comments/highlight.js";

const t = defineMessages({
  ru: {
    label: "Текст для проверки", hint: "Вставьте или напишите текст — совпадения и оценки появятся сами.",
    matches: "Совпадений: {n}", none: "Совпадений нет.", sentiment: "Тональность", spam: "Спам", profanity: "Мат",
    insult: "Оскорбление", language: "Язык", yes: "да", no: "нет", fuzzy: "с опечаткой", checking: "Проверка…",
    unmatchable: "Это правило не может совпасть ни с чем (нет слов).", positive: "позитивная", neutral: "нейтральная",
    negative: "негативная", score: "оценка {score}", result: "Результат",
  },
  en: {
    label: "Text to try", hint: "Paste or type a text; matches and scores appear by themselves.",
    matches: "Matches: {n}", none: "No matches.", sentiment: "Sentiment", spam: "Spam", profanity: "Profanity",
    insult: "Insult", language: "Language", yes: "yes", no: "no", fuzzy: "with a typo", checking: "Checking…",
    unmatchable: "This rule can never match anything (no words).", positive: "positive", neutral: "neutral",
    negative: "negative", score: "score {score}", result: "Result",
  },
});

const DELAY_MS = 300;
const score = (value) => formatNumber(value, { maximumFractionDigits: 2 });

/** rules: ad hoc rules (objects of KeywordCreate's shape) or undefined for the active keywords. */
/** version: bumped by the screen when the keywords change, so the same text is checked again. */
export function Preview({ rules, id = "preview", initial = "", version = 0 }) {
  const [text, setText] = useState(initial);
  const [state, setState] = useState({ answer: null, error: null, busy: false });
  const request = useRef(0);
  const rulesKey = JSON.stringify(rules ?? null);
  useEffect(() => {
    if (!text.trim()) { setState({ answer: null, error: null, busy: false }); return undefined; }
    const mine = ++request.current;
    setState((s) => ({ ...s, busy: true }));
    const timer = setTimeout(() => {
      const body = { texts: [text], ...(rules ? { rules } : {}) };
      api.post("/v1/analysis/preview", body).then(
        (answer) => mine === request.current && setState({ answer, error: null, busy: false }),
        (error) => mine === request.current && setState({ answer: null, error, busy: false }),
      );
    }, DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, rulesKey, version]);
  const result = state.answer?.results[0];
  return html`<div class="keywords-preview" data-testid=${id}>
    <div class="field">
      <label for=${`${id}-text`}>${t("label")}</label>
      <textarea id=${`${id}-text`} rows="4" aria-describedby=${`${id}-hint`} value=${text}
        onInput=${(e) => setText(e.currentTarget.value)}></textarea>
      <small id=${`${id}-hint`} class="muted">${t("hint")}</small>
    </div>
    <${ProblemBanner} error=${state.error} />
    <div role="region" aria-live="polite" aria-busy=${state.busy ? "true" : "false"} class="keywords-preview-result" aria-label=${t("result")}>
      ${state.busy && html`<p class="muted">${t("checking")}</p>`}
      ${result && !state.busy && html`
        ${state.answer.unmatchable.length > 0 && html`<p class="error">${t("unmatchable")}</p>`}
        <p class="keywords-preview-text" data-testid=${`${id}-highlighted`}>
          <${Highlighted} text=${text} spans=${result.matches.map((m) => ({ start: m.start, end: m.end, title: m.rule_id }))} />
        </p>
        <p data-testid=${`${id}-count`}>${result.matches.length ? t("matches", { n: formatNumber(result.matches.length) }) : t("none")}</p>
        ${result.matches.length > 0 && html`<ul class="keywords-preview-matches">${result.matches.map((m) => html`<li>
          <mark>${m.matched}</mark>${m.lemmas.length ? ` (${m.lemmas.join(", ")})` : ""}${m.category ? ` · ${m.category}` : ""}${m.fuzzy ? ` · ${t("fuzzy")}` : ""}
        </li>`)}</ul>`}
        <dl class="keywords-preview-scores" data-testid=${`${id}-scores`}>
          <dt>${t("sentiment")}</dt><dd>${t(result.sentiment.label)} (${t("score", { score: score(result.sentiment.score) })})</dd>
          <dt>${t("spam")}</dt><dd>${result.spam.is_spam ? t("yes") : t("no")} (${t("score", { score: score(result.spam.score) })})${result.spam.reasons.length ? ` · ${result.spam.reasons.join(", ")}` : ""}</dd>
          <dt>${t("profanity")}</dt><dd>${result.profanity.profanity ? t("yes") : t("no")}${result.profanity.terms.length ? ` · ${result.profanity.terms.join(", ")}` : ""}</dd>
          <dt>${t("insult")}</dt><dd>${result.profanity.insult ? t("yes") : t("no")}</dd>
          <dt>${t("language")}</dt><dd>${result.language}</dd>
        </dl>`}
    </div>
  </div>`;
}
