// Adding a community: resolve the pasted link / name / id through the API first (POST
// /v1/communities/resolve) and show what VK says, then add it. Every refusal is the API's problem.
import { useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { href } from "../../core/router.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { vkState } from "./labels.js";

const t = defineMessages({
  ru: {
    input: "Ссылка, короткое имя или id", hint: "Например, https://vk.com/apiclub, apiclub, club1 или -1.",
    check: "Найти в VK", checking: "Поиск…", add: "Добавить", adding: "Добавление…", members: "Участников",
    state: "Состояние", collectable: "Можно собирать", yes: "да", no: "нет", already: "Уже добавлено:",
    open: "открыть страницу", found: "Найдено в VK", cancel: "Отмена",
  },
  en: {
    input: "Link, short name or id", hint: "E.g. https://vk.com/apiclub, apiclub, club1 or -1.",
    check: "Look up on VK", checking: "Looking up…", add: "Add", adding: "Adding…", members: "Members",
    state: "State", collectable: "Collectable", yes: "yes", no: "no", already: "Already added:",
    open: "open its page", found: "Found on VK", cancel: "Cancel",
  },
});

export function AddCommunity({ onAdded }) {
  const [input, setInput] = useState("");
  const [state, setState] = useState({ busy: false, error: null, preview: null });
  const resolve = async (event) => {
    event.preventDefault();
    setState({ busy: true, error: null, preview: null });
    try {
      setState({ busy: false, error: null, preview: await api.post("/v1/communities/resolve", { input }) });
    } catch (error) {
      setState({ busy: false, error, preview: null });
    }
  };
  const add = async () => {
    setState((s) => ({ ...s, busy: true, error: null }));
    try {
      const created = await api.post("/v1/communities", { input });
      setInput("");
      setState({ busy: false, error: null, preview: null });
      onAdded(created);
    } catch (error) {
      setState((s) => ({ ...s, busy: false, error }));
    }
  };
  const p = state.preview;
  return html`<form class="communities-add" onSubmit=${resolve}>
    <div class="field">
      <label for="community-input">${t("input")}</label>
      <input id="community-input" name="community-input" value=${input} required aria-describedby="community-input-hint"
        onInput=${(e) => { setInput(e.currentTarget.value); setState({ busy: false, error: null, preview: null }); }} />
      <small id="community-input-hint" class="muted">${t("hint")}</small>
    </div>
    <button type="submit" disabled=${state.busy || !input.trim()}>${state.busy && !p ? t("checking") : t("check")}</button>
    <${ProblemBanner} error=${state.error} />
    ${p && html`<section class="communities-preview" aria-live="polite" data-testid="community-preview">
      <h3>${t("found")}</h3>
      <div class="communities-preview-body">
        ${p.photo_url && html`<img src=${p.photo_url} alt="" width="64" height="64" onError=${(e) => { e.currentTarget.hidden = true; }} />`}
        <div>
          <a href=${p.url} target="_blank" rel="noopener noreferrer" data-testid="preview-name">${p.name}</a>
          <dl class="communities-facts">
            <dt>${t("members")}</dt><dd data-testid="preview-members">${formatNumber(p.members_count)}</dd>
            <dt>${t("state")}</dt><dd data-testid="preview-state">${vkState(p)}</dd>
            <dt>${t("collectable")}</dt>
            <dd data-testid="preview-collectable">${p.can_collect ? t("yes") : `${t("no")}: ${p.cannot_collect_reason}`}</dd>
          </dl>
        </div>
      </div>
      ${p.existing_id
        ? html`<p>${t("already")} <a href=${href("communities", {}, p.existing_id)}>${t("open")}</a></p>`
        : html`<button type="button" onClick=${add} disabled=${state.busy}>${state.busy ? t("adding") : t("add")}</button>`}
    </section>`}
  </form>`;
}
