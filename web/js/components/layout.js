// The frame around every screen: skip link, nav of the eight routes, workspace name, language,
// time zone and sign out.
import { html } from "../core/html.js";
import { LOCALES, defineMessages, locale, setLocale } from "../core/i18n.js";
import { ROUTES, href } from "../core/router.js";
import { TimeZonePicker } from "./time-zone-picker.js";

const t = defineMessages({
  ru: {
    skip: "К содержимому", nav: "Разделы", workspace: "Рабочее пространство", signOut: "Выйти", language: "Язык",
    overview: "Обзор", communities: "Сообщества", comments: "Комментарии", keywords: "Ключевые слова",
    jobs: "Задачи", exports: "Выгрузки", alerts: "Оповещения", settings: "Настройки",
  },
  en: {
    skip: "Skip to content", nav: "Sections", workspace: "Workspace", signOut: "Sign out", language: "Language",
    overview: "Overview", communities: "Communities", comments: "Comments", keywords: "Keywords",
    jobs: "Jobs", exports: "Exports", alerts: "Alerts", settings: "Settings",
  },
});

export const routeTitle = (name) => t(name);

export function Layout({ route, workspace, onSignOut, onTimeZoneChange, children }) {
  return html`<div class="shell">
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>${t("skip")}</a>
    <header class="top">
      <span class="brand">VK Comments Parser</span>
      <span class="workspace" data-testid="workspace-name" title=${t("workspace")}>${workspace?.name ?? ""}</span>
      <span class="spacer"></span>
      <${TimeZonePicker} onChange=${onTimeZoneChange} />
      <label class="visually-hidden" for="locale">${t("language")}</label>
      <select id="locale" value=${locale()} onChange=${(e) => setLocale(e.currentTarget.value)}>
        ${LOCALES.map((l) => html`<option value=${l}>${l.toUpperCase()}</option>`)}
      </select>
      <button type="button" class="secondary" onClick=${onSignOut}>${t("signOut")}</button>
    </header>
    <nav class="nav" aria-label=${t("nav")}>
      <ul>${ROUTES.map((name) => html`<li><a href=${href(name)} data-testid=${`nav-${name}`}
        aria-current=${route.name === name ? "page" : undefined}>${t(name)}</a></li>`)}</ul>
    </nav>
    <main id="main" tabindex="-1">${children}</main>
  </div>`;
}
