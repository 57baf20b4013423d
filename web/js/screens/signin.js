// Sign-in: the key is checked against GET /v1/workspace before it is kept (sessionStorage only).
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages } from "../core/i18n.js";
import { signIn } from "../core/session.js";
import { Field } from "../components/field.js";

const t = defineMessages({
  ru: {
    title: "Вход", key: "API-ключ", hint: "Ключ хранится только в этой вкладке и стирается при выходе.",
    submit: "Войти", checking: "Проверка…", required: "Вставьте API-ключ.",
    rejected: "Ключ не принят: он неверен или отозван. Проверьте ключ или создайте новый.",
    expired: "Сессия завершена: ключ больше не действует. Войдите снова.",
    unreachable: "API не отвечает: {detail}",
  },
  en: {
    title: "Sign in", key: "API key", hint: "The key is kept in this tab only and erased when you sign out.",
    submit: "Sign in", checking: "Checking…", required: "Paste an API key.",
    rejected: "The key was not accepted: it is wrong or revoked. Check it or create a new one.",
    expired: "The session ended: the key no longer works. Sign in again.",
    unreachable: "The API does not answer: {detail}",
  },
});

export function SignIn({ expired, onSignedIn }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(expired ? (expired.status === 401 ? t("expired") : t("unreachable", { detail: expired.message })) : null);

  async function submit(event) {
    event.preventDefault();
    if (!key.trim()) return setMessage(t("required"));
    setBusy(true);
    setMessage(null);
    try {
      const workspace = await api.workspaceFor(key.trim());
      signIn(key);
      onSignedIn(workspace);
    } catch (error) {
      setMessage(error.status === 401 ? t("rejected") : t("unreachable", { detail: error.message }));
    } finally {
      setBusy(false);
    }
  }

  return html`<main class="signin" id="main">
    <form onSubmit=${submit} novalidate>
      <h1>${t("title")}</h1>
      <${Field} label=${t("key")} hint=${t("hint")} error=${message}>
        ${(props) => html`<input ...${props} name="api-key" type="password" autocomplete="off" spellcheck="false"
          value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />`}
      <//>
      ${message && html`<p role="alert" class="visually-hidden">${message}</p>`}
      <button type="submit" disabled=${busy}>${busy ? t("checking") : t("submit")}</button>
    </form>
  </main>`;
}
