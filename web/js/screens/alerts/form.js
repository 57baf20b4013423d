// The webhook form (create and edit): URL, description, active, and the keywords it follows (none
// chosen = every keyword of the workspace, as the API reads `keyword_ids: null`).
import { useState } from "preact/hooks";
import { html } from "../../core/html.js";
import { defineMessages } from "../../core/i18n.js";
import { usePager } from "../../components/pager.js";
import { ProblemBanner } from "../../components/problem-banner.js";

const t = defineMessages({
  ru: {
    url: "Адрес (URL)", urlHint: "https; http только для localhost вне продакшена.", description: "Описание", active: "Активен",
    keywords: "Ключевые слова", keywordsHint: "Ничего не выбрано — все ключевые слова. Ctrl/Cmd — несколько.", save: "Сохранить",
    saving: "Сохранение…",
  },
  en: {
    url: "URL", urlHint: "https; http only to localhost outside production.", description: "Description", active: "Active",
    keywords: "Keywords", keywordsHint: "None chosen: every keyword. Ctrl/Cmd to choose several.", save: "Save",
    saving: "Saving…",
  },
});

export function WebhookForm({ webhook, onSubmit, error, busy }) {
  const keywords = usePager("/v1/keywords", { limit: 100 });
  const [form, setForm] = useState({
    url: webhook?.url ?? "", description: webhook?.description ?? "", active: webhook?.active ?? true,
    keyword_ids: webhook?.keyword_ids ?? [],
  });
  const set = (name, value) => setForm((f) => ({ ...f, [name]: value }));
  const submit = (event) => {
    event.preventDefault();
    onSubmit({ url: form.url.trim(), description: form.description.trim() || null, active: form.active,
      keyword_ids: form.keyword_ids.length ? form.keyword_ids : null });
  };
  return html`<form class="alerts-form" onSubmit=${submit}>
    <div class="field"><label for="wh-url">${t("url")}</label>
      <input id="wh-url" type="url" required value=${form.url} aria-describedby="wh-url-hint" onInput=${(e) => set("url", e.currentTarget.value)} />
      <small id="wh-url-hint" class="muted">${t("urlHint")}</small></div>
    <div class="field"><label for="wh-description">${t("description")}</label>
      <input id="wh-description" value=${form.description} maxlength="500" onInput=${(e) => set("description", e.currentTarget.value)} /></div>
    <label class="alerts-check"><input type="checkbox" checked=${form.active} onChange=${(e) => set("active", e.currentTarget.checked)} /> ${t("active")}</label>
    <div class="field"><label for="wh-keywords">${t("keywords")}</label>
      <select id="wh-keywords" multiple size="5" aria-describedby="wh-keywords-hint"
        onChange=${(e) => set("keyword_ids", [...e.currentTarget.selectedOptions].map((o) => o.value))}>
        ${keywords.items.map((k) => html`<option value=${k.id} selected=${form.keyword_ids.includes(k.id)}>${k.text}</option>`)}
      </select>
      <small id="wh-keywords-hint" class="muted">${t("keywordsHint")}</small></div>
    <${ProblemBanner} error=${keywords.error || error} />
    <button type="submit" disabled=${busy}>${busy ? t("saving") : t("save")}</button>
  </form>`;
}
