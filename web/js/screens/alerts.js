// Alerts: webhooks that receive new keyword matches. Create (the signing secret is shown once), edit,
// delete, a test ping answered while you wait, secret rotation (the new secret shown once), and each
// webhook's delivery log with status and attempts. #/alerts/<id> is one webhook.
import { useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";
import { href, navigate } from "../core/router.js";
import { formatDateTime } from "../core/time.js";
import { Dialog } from "../components/dialog.js";
import { LoadMore, usePager } from "../components/pager.js";
import { usePolled } from "../components/poll.js";
import { ProblemBanner } from "../components/problem-banner.js";
import { Table } from "../components/table.js";
import { WebhookForm } from "./alerts/form.js";

const t = defineMessages({
  ru: {
    title: "Оповещения", webhooks: "Вебхуки", add: "Добавить вебхук", url: "Адрес", description: "Описание", active: "Активен",
    keywords: "Ключевые слова", all: "все", n: "{n} шт.", yes: "да", no: "нет", secret: "Секрет", empty: "Вебхуков нет.",
    secretOnce: "Секрет подписи показан один раз — сохраните его сейчас.", secretTitle: "Секрет подписи", done: "Готово",
    back: "← Все вебхуки", edit: "Изменить", delete: "Удалить", test: "Проверить (ping)", rotate: "Сменить секрет",
    confirmDelete: "Удалить вебхук {url} вместе с журналом доставок?", cancel: "Отмена", deleteTitle: "Удалить вебхук",
    testResult: "Ping: {result}", ok: "доставлен", fail: "не доставлен", deliveries: "Журнал доставок", when: "Когда",
    event: "Событие", status: "Код ответа", attempt: "Попытка", round: "Круг", duration: "мс", error: "Ошибка", outcome: "Итог события",
    pending: "ожидает повтора", delivered: "доставлено", failed: "не доставлено", noDeliveries: "Доставок ещё не было.",
    refresh: "Обновить", saved: "Сохранено.", editTitle: "Изменить вебхук",
  },
  en: {
    title: "Alerts", webhooks: "Webhooks", add: "Add a webhook", url: "URL", description: "Description", active: "Active",
    keywords: "Keywords", all: "all", n: "{n}", yes: "yes", no: "no", secret: "Secret", empty: "No webhooks.",
    secretOnce: "The signing secret is shown once: store it now.", secretTitle: "Signing secret", done: "Done",
    back: "← All webhooks", edit: "Edit", delete: "Delete", test: "Test (ping)", rotate: "Rotate the secret",
    confirmDelete: "Delete the webhook {url} and its delivery log?", cancel: "Cancel", deleteTitle: "Delete the webhook",
    testResult: "Ping: {result}", ok: "delivered", fail: "not delivered", deliveries: "Delivery log", when: "When",
    event: "Event", status: "Status code", attempt: "Attempt", round: "Round", duration: "ms", error: "Error", outcome: "Event outcome",
    pending: "retry pending", delivered: "delivered", failed: "failed", noDeliveries: "No deliveries yet.",
    refresh: "Refresh", saved: "Saved.", editTitle: "Edit the webhook",
  },
});

function SecretOnce({ secret, onClose }) {
  return html`<${Dialog} open=${!!secret} title=${t("secretTitle")} onClose=${onClose}>
    <p>${t("secretOnce")}</p>
    <p><code class="alerts-secret" data-testid="webhook-secret">${secret}</code></p>
    <button type="button" onClick=${onClose}>${t("done")}</button>
  <//>`;
}

function WebhookList() {
  const list = usePolled(() => api.get("/v1/webhooks"), () => false, []);
  const [adding, setAdding] = useState(false);
  const [state, setState] = useState({ busy: false, error: null, created: null });
  const create = async (body) => {
    setState({ busy: true, error: null, created: null });
    try {
      const created = await api.post("/v1/webhooks", body);
      setAdding(false);
      setState({ busy: false, error: null, created });
      list.reload();
    } catch (error) {
      setState({ busy: false, error, created: null });
    }
  };
  return html`<h1>${t("title")}</h1>
    <section class="card wide">
      <h2>${t("webhooks")}</h2>
      <button type="button" onClick=${() => setAdding(true)}>${t("add")}</button>
      <${ProblemBanner} error=${list.error} />
      <${Table} rows=${list.data?.items || []} rowTestid="webhook-row" empty=${t("empty")} columns=${[
        { key: "url", label: t("url"), render: (w) => html`<a href=${href("alerts", {}, w.id)}>${w.url}</a>` },
        { key: "description", label: t("description"), render: (w) => w.description || "—" },
        { key: "active", label: t("active"), render: (w) => (w.active ? t("yes") : t("no")) },
        { key: "keyword_ids", label: t("keywords"), render: (w) => (w.keyword_ids ? t("n", { n: w.keyword_ids.length }) : t("all")) },
        { key: "secret_hint", label: t("secret"), render: (w) => html`<code>${w.secret_hint}</code>` },
      ]} />
    </section>
    <${Dialog} open=${adding} title=${t("add")} onClose=${() => setAdding(false)}>
      <${WebhookForm} onSubmit=${create} error=${state.error} busy=${state.busy} />
    <//>
    <${SecretOnce} secret=${state.created?.secret} onClose=${() => { const id = state.created.id; setState({ busy: false, error: null, created: null }); navigate("alerts", {}, id); }} />`;
}

function WebhookPage({ id }) {
  const hook = usePolled(() => api.get(`/v1/webhooks/${id}`), () => false, [id]);
  const deliveries = usePager(`/v1/webhooks/${id}/deliveries`, { limit: 50 });
  const [dialog, setDialog] = useState(null);
  const [state, setState] = useState({ busy: false, error: null, ping: null, secret: null, saved: false });
  const run = async (work) => {
    setState((s) => ({ ...s, busy: true, error: null, saved: false }));
    try {
      await work();
    } catch (error) {
      setState((s) => ({ ...s, busy: false, error }));
    }
  };
  const ping = () => run(async () => {
    const attempt = await api.post(`/v1/webhooks/${id}/test`);
    setState((s) => ({ ...s, busy: false, ping: attempt }));
    deliveries.reload();
  });
  const rotate = () => run(async () => {
    const rotated = await api.post(`/v1/webhooks/${id}/rotate-secret`);
    setState((s) => ({ ...s, busy: false, secret: rotated.secret }));
    hook.reload();
  });
  const save = (body) => run(async () => {
    await api.patch(`/v1/webhooks/${id}`, body);
    setDialog(null);
    setState((s) => ({ ...s, busy: false, saved: true }));
    hook.reload();
  });
  const remove = () => run(async () => {
    await api.delete(`/v1/webhooks/${id}`);
    navigate("alerts");
  });
  const w = hook.data;
  const p = state.ping;
  return html`<p><a href=${href("alerts")}>${t("back")}</a></p>
    <${ProblemBanner} error=${hook.error} />
    ${w && html`<h1>${w.url}</h1>
      <dl class="alerts-facts">
        <dt>${t("description")}</dt><dd>${w.description || "—"}</dd>
        <dt>${t("active")}</dt><dd data-testid="webhook-active">${w.active ? t("yes") : t("no")}</dd>
        <dt>${t("keywords")}</dt><dd>${w.keyword_ids ? t("n", { n: w.keyword_ids.length }) : t("all")}</dd>
        <dt>${t("secret")}</dt><dd><code data-testid="webhook-secret-hint">${w.secret_hint}</code></dd>
      </dl>
      <div class="alerts-actions">
        <button type="button" disabled=${state.busy} onClick=${ping}>${t("test")}</button>
        <button type="button" class="secondary" disabled=${state.busy} onClick=${() => setDialog("edit")}>${t("edit")}</button>
        <button type="button" class="secondary" disabled=${state.busy} onClick=${rotate}>${t("rotate")}</button>
        <button type="button" class="secondary" disabled=${state.busy} onClick=${() => setDialog("delete")}>${t("delete")}</button>
      </div>
      <${ProblemBanner} error=${state.error} />
      <div aria-live="polite">
        ${state.saved && html`<p role="status">${t("saved")}</p>`}
        ${p && html`<p data-testid="webhook-ping" class=${p.ok ? "" : "error"}>${t("testResult", { result: p.ok ? t("ok") : t("fail") })}
          ${p.status_code != null && ` · HTTP ${p.status_code}`} · ${formatNumber(p.duration_ms)} ${t("duration")}${p.error ? ` · ${p.error}` : ""}</p>`}
      </div>
      <section class="card wide">
        <h2>${t("deliveries")}</h2>
        <button type="button" class="secondary" onClick=${deliveries.reload}>${t("refresh")}</button>
        <${ProblemBanner} error=${deliveries.error} />
        <${Table} rows=${deliveries.items} rowTestid="delivery-row" empty=${t("noDeliveries")} columns=${[
          { key: "created_at", label: t("when"), render: (d) => formatDateTime(d.created_at, { dateStyle: "short", timeStyle: "medium" }) },
          { key: "event_type", label: t("event") },
          { key: "status_code", label: t("status"), render: (d) => html`<span class=${`badge ${d.ok ? "alerts-ok" : "bad"}`}>${d.status_code ?? "—"}</span>` },
          { key: "attempt", label: t("attempt"), numeric: true },
          { key: "round", label: t("round"), numeric: true },
          { key: "duration_ms", label: t("duration"), numeric: true, render: (d) => formatNumber(d.duration_ms) },
          { key: "event_status", label: t("outcome"), render: (d) => t(d.event_status) },
          { key: "error", label: t("error"), render: (d) => d.error || "" },
        ]} />
        <${LoadMore} pager=${deliveries} />
      </section>
      <${Dialog} open=${dialog === "edit"} title=${t("editTitle")} onClose=${() => setDialog(null)}>
        <${WebhookForm} webhook=${w} onSubmit=${save} error=${state.error} busy=${state.busy} />
      <//>
      <${Dialog} open=${dialog === "delete"} title=${t("deleteTitle")} onClose=${() => setDialog(null)}>
        <p>${t("confirmDelete", { url: w.url })}</p>
        <div class="alerts-actions">
          <button type="button" onClick=${remove} disabled=${state.busy}>${t("delete")}</button>
          <button type="button" class="secondary" onClick=${() => setDialog(null)}>${t("cancel")}</button>
        </div>
      <//>
      <${SecretOnce} secret=${state.secret} onClose=${() => setState((s) => ({ ...s, secret: null }))} />`}`;
}

export default function Alerts({ route }) {
  return route.rest[0] ? html`<${WebhookPage} key=${route.rest[0]} id=${route.rest[0]} />` : html`<${WebhookList} />`;
}
