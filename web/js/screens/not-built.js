// What a route shows until its screen is built (phase 2 replaces every use before anything ships).
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";
import { routeTitle } from "../components/layout.js";

const t = defineMessages({ ru: { notBuilt: "Этот раздел ещё не готов." }, en: { notBuilt: "This section is not built yet." } });

export function notBuilt(name) {
  return function NotBuilt() {
    return html`<h1>${routeTitle(name)}</h1><p class="muted" data-testid="not-built">${t("notBuilt")}</p>`;
  };
}
