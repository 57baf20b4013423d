// Shows what the API said went wrong (problem+json detail), or a network failure, in a live region.
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";

const t = defineMessages({
  ru: { network: "Нет связи с API", dismiss: "Скрыть" },
  en: { network: "The API cannot be reached", dismiss: "Dismiss" },
});

export function ProblemBanner({ error, onDismiss }) {
  if (!error) return null;
  const problem = error.problem;
  const title = problem?.title || t("network");
  const detail = problem?.detail || (problem ? "" : error.message);
  return html`<div class="problem" role="alert" data-testid="problem">
    <strong>${title}${error.status ? ` (${error.status})` : ""}</strong>
    ${detail && html`<p>${detail}</p>`}
    ${onDismiss && html`<button type="button" class="link" onClick=${onDismiss}>${t("dismiss")}</button>`}
  </div>`;
}
