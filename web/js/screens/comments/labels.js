// The analysis labels of a comment (sentiment, spam, profanity) as badges.
//
// Hook point for analyst corrections: once the API has PUT /v1/comments/{id}/labels and a source
// (manual or model) on each label, the detail pane's <Labels editable> is where the correction controls
// go (and a "manual" marker next to a corrected badge). This branch's API has neither, so nothing here
// pretends to edit a label.
import { html } from "../../core/html.js";
import { defineMessages, locale } from "../../core/i18n.js";

const t = defineMessages({
  ru: { positive: "позитив", neutral: "нейтрально", negative: "негатив", spam: "спам", profanity: "мат/оскорбление",
    notAnalyzed: "не проанализирован", score: "оценка {score}" },
  en: { positive: "positive", neutral: "neutral", negative: "negative", spam: "spam", profanity: "profanity/insult",
    notAnalyzed: "not analyzed", score: "score {score}" },
});

// built once per language: list rows render this every scroll frame
let scores = { lang: "", format: null };
function formatScore(value) {
  if (scores.lang !== locale()) scores = { lang: locale(), format: new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }) };
  return scores.format.format(value);
}

export function Labels({ comment }) {
  if (comment.sentiment == null) return html`<span class="badge">${t("notAnalyzed")}</span>`;
  const score = comment.sentiment_score == null ? undefined : t("score", { score: formatScore(comment.sentiment_score) });
  return html`<span class=${`badge sentiment-${comment.sentiment}`} title=${score}>${t(comment.sentiment)}</span>
    ${comment.is_spam && html` <span class="badge bad">${t("spam")}</span>`}
    ${comment.has_profanity && html` <span class="badge bad">${t("profanity")}</span>`}`;
}
