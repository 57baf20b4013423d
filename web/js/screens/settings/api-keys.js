// API keys: created (the key shown once), rotated (the new key shown once; the old one revoked now or
// after a grace period), revoked.
import { useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages } from "../../core/i18n.js";
import { formatDateTime } from "../../core/time.js";
import { Dialog } from "../../components/dialog.js";
import { usePolled } from "../../components/poll.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { Table } from "../../components/table.js";

const t = defineMessages({
  ru: {
    title: "Ключи API", name: "Назначение ключа", create: "Создать ключ", prefix: "Начало ключа", created: "Создан",
    lastUsed: "Последнее использование", state: "Состояние", active: "действует", revokedAt: "отозван {at}", until: "действует до {at}",
    actions: "Действия", rotate: "Заменить", revoke: "Отозвать", grace: "Старый ключ действует ещё, секунд",
    keyOnce: "Ключ показан один раз — сохраните его сейчас.", keyTitle: "Новый ключ API", done: "Готово", empty: "Ключей нет.",
    revoked: "Ключ отозван.",
  },
  en: {
    title: "API keys", name: "What the key is for", create: "Create a key", prefix: "Key prefix", created: "Created",
    lastUsed: "Last used", state: "State", active: "active", revokedAt: "revoked {at}", until: "works until {at}",
    actions: "Actions", rotate: "Rotate", revoke: "Revoke", grace: "The old key keeps working for, seconds",
    keyOnce: "The key is shown once: store it now.", keyTitle: "New API key", done: "Done", empty: "No keys.",
    revoked: "Key revoked.",
  },
});

export function ApiKeys() {
  const list = usePolled(() => api.get("/v1/api-keys"), () => false, []);
  const [name, setName] = useState("");
  const [grace, setGrace] = useState("0");
  const [state, setState] = useState({ busy: false, error: null, shown: null, message: null });
  const run = async (work) => {
    setState((s) => ({ ...s, busy: true, error: null, message: null }));
    try {
      await work();
      list.reload();
    } catch (error) {
      setState((s) => ({ ...s, busy: false, error }));
    }
  };
  const create = (event) => {
    event.preventDefault();
    run(async () => {
      const created = await api.post("/v1/api-keys", { name: name.trim() });
      setName("");
      setState((s) => ({ ...s, busy: false, shown: created }));
    });
  };
  const rotate = (key) => run(async () => {
    const created = await api.post(`/v1/api-keys/${key.id}/rotate`, { grace_seconds: Number(grace) || 0 });
    setState((s) => ({ ...s, busy: false, shown: created }));
  });
  const revoke = (key) => run(async () => {
    await api.delete(`/v1/api-keys/${key.id}`);
    setState((s) => ({ ...s, busy: false, message: t("revoked") }));
  });
  const stateOf = (k) => (k.revoked_at ? t(k.active ? "until" : "revokedAt", { at: formatDateTime(k.revoked_at) }) : t("active"));
  return html`<section class="card wide" aria-labelledby="api-keys-title">
    <h2 id="api-keys-title">${t("title")}</h2>
    <form class="settings-form" onSubmit=${create}>
      <div class="field"><label for="key-name">${t("name")}</label>
        <input id="key-name" required maxlength="200" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></div>
      <button type="submit" disabled=${state.busy}>${t("create")}</button>
      <div class="field"><label for="key-grace">${t("grace")}</label>
        <input id="key-grace" type="number" min="0" max="604800" value=${grace} onInput=${(e) => setGrace(e.currentTarget.value)} /></div>
    </form>
    <${ProblemBanner} error=${list.error || state.error} />
    ${state.message && html`<p role="status">${state.message}</p>`}
    <${Table} rows=${list.data?.items || []} rowTestid="api-key-row" empty=${t("empty")} columns=${[
      { key: "name", label: t("name") },
      { key: "prefix", label: t("prefix"), render: (k) => html`<code>${k.prefix}</code>` },
      { key: "created_at", label: t("created"), render: (k) => formatDateTime(k.created_at) },
      { key: "last_used_at", label: t("lastUsed"), render: (k) => formatDateTime(k.last_used_at) },
      { key: "state", label: t("state"), render: stateOf },
      { key: "actions", label: t("actions"), render: (k) => k.active && html`<span class="settings-actions">
          <button type="button" class="secondary small" disabled=${state.busy} aria-label=${`${t("rotate")} ${k.prefix}`} onClick=${() => rotate(k)}>${t("rotate")}</button>
          <button type="button" class="secondary small" disabled=${state.busy} aria-label=${`${t("revoke")} ${k.prefix}`} onClick=${() => revoke(k)}>${t("revoke")}</button></span>` },
    ]} />
    <${Dialog} open=${!!state.shown} title=${t("keyTitle")} onClose=${() => setState((s) => ({ ...s, shown: null }))}>
      <p>${t("keyOnce")}</p>
      <p><code class="settings-secret" data-testid="api-key-shown">${state.shown?.key}</code></p>
      <button type="button" onClick=${() => setState((s) => ({ ...s, shown: null }))}>${t("done")}</button>
    <//>
  </section>`;
}
