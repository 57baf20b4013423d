// VK tokens: added with the type VK's test calls detect; state, cooldown and today's usage; removed.
import { useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { formatDateTime } from "../../core/time.js";
import { usePolled } from "../../components/poll.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { Table } from "../../components/table.js";

const t = defineMessages({
  ru: {
    title: "Токены VK", token: "Токен VK", tokenHint: "Пользовательский, сервисный или токен сообщества — тип определится сам.",
    label: "Подпись", add: "Добавить токен", adding: "Проверка в VK…", type: "Тип", state: "Состояние", hint: "Токен",
    cooldown: "Пауза до", today: "Запросов сегодня (UTC)", exhausted: "Исчерпано на сегодня", remove: "Удалить",
    active: "активен", cooling_down: "пауза", revoked: "отозван VK", user: "пользовательский", service: "сервисный",
    community: "сообщества", empty: "Токенов нет: добавьте хотя бы один, чтобы собирать комментарии.",
    added: "Добавлен токен: {type}.", removed: "Токен удалён.", byMethod: "По методам",
  },
  en: {
    title: "VK tokens", token: "VK token", tokenHint: "User, service or community token: its type is detected.",
    label: "Label", add: "Add the token", adding: "Checking with VK…", type: "Type", state: "State", hint: "Token",
    cooldown: "Cooling down until", today: "Requests today (UTC)", exhausted: "Exhausted today", remove: "Remove",
    active: "active", cooling_down: "cooling down", revoked: "revoked by VK", user: "user", service: "service",
    community: "community", empty: "No tokens: add one to collect comments.",
    added: "Token added: {type}.", removed: "Token removed.", byMethod: "By method",
  },
});

export function VkTokens() {
  const list = usePolled(() => api.get("/v1/vk-tokens"), () => false, []);
  const [form, setForm] = useState({ token: "", label: "" });
  const [state, setState] = useState({ busy: false, error: null, message: null });
  const add = async (event) => {
    event.preventDefault();
    setState({ busy: true, error: null, message: null });
    try {
      const created = await api.post("/v1/vk-tokens", { token: form.token.trim(), label: form.label.trim() || null });
      setForm({ token: "", label: "" });
      setState({ busy: false, error: null, message: t("added", { type: t(created.type) }) });
      list.reload();
    } catch (error) {
      setState({ busy: false, error, message: null });
    }
  };
  const remove = async (token) => {
    setState({ busy: true, error: null, message: null });
    try {
      await api.delete(`/v1/vk-tokens/${token.id}`);
      setState({ busy: false, error: null, message: t("removed") });
      list.reload();
    } catch (error) {
      setState({ busy: false, error, message: null });
    }
  };
  return html`<section class="card wide" aria-labelledby="vk-tokens-title">
    <h2 id="vk-tokens-title">${t("title")}</h2>
    <form class="settings-form" onSubmit=${add}>
      <div class="field"><label for="vk-token">${t("token")}</label>
        <input id="vk-token" type="password" autocomplete="off" required minlength="8" maxlength="512" value=${form.token}
          aria-describedby="vk-token-hint" onInput=${(e) => setForm({ ...form, token: e.currentTarget.value })} />
        <small id="vk-token-hint" class="muted">${t("tokenHint")}</small></div>
      <div class="field"><label for="vk-label">${t("label")}</label>
        <input id="vk-label" maxlength="200" value=${form.label} onInput=${(e) => setForm({ ...form, label: e.currentTarget.value })} /></div>
      <button type="submit" disabled=${state.busy}>${state.busy ? t("adding") : t("add")}</button>
    </form>
    <${ProblemBanner} error=${list.error || state.error} />
    ${state.message && html`<p role="status" data-testid="vk-token-message">${state.message}</p>`}
    <${Table} rows=${list.data?.items || []} rowTestid="vk-token-row" empty=${t("empty")} columns=${[
      { key: "label", label: t("label"), render: (v) => v.label || "—" },
      { key: "hint", label: t("hint"), render: (v) => html`<code>${v.hint}</code>` },
      { key: "type", label: t("type"), render: (v) => t(v.type) },
      { key: "state", label: t("state"), render: (v) => html`${t(v.state)}${v.state_reason ? ` — ${v.state_reason}` : ""}` },
      { key: "cooldown_until", label: t("cooldown"), render: (v) => formatDateTime(v.cooldown_until) },
      { key: "requests_today", label: t("today"), numeric: true, render: (v) => html`<span title=${Object.entries(v.usage_today).map(([m, n]) => `${m}: ${n}`).join("\n")}>${formatNumber(v.requests_today)}</span>` },
      { key: "exhausted_methods", label: t("exhausted"), render: (v) => v.exhausted_methods.join(", ") || "—" },
      { key: "remove", label: t("remove"), render: (v) => html`<button type="button" class="secondary small" disabled=${state.busy}
          aria-label=${`${t("remove")} ${v.hint}`} onClick=${() => remove(v)}>${t("remove")}</button>` },
    ]} />
  </section>`;
}
