// Deep health: each dependency's check as the API reports it (a 503 still carries the checks).
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { usePolled } from "../../components/poll.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { Table } from "../../components/table.js";

const t = defineMessages({
  ru: { title: "Состояние системы", overall: "Итог", ok: "в порядке", unavailable: "недоступна", check: "Проверка",
    result: "Результат", good: "да", bad: "нет", latency: "мс", detail: "Подробности", refresh: "Проверить снова" },
  en: { title: "System health", overall: "Overall", ok: "ok", unavailable: "unavailable", check: "Check",
    result: "OK", good: "yes", bad: "no", latency: "ms", detail: "Details", refresh: "Check again" },
});

async function deepHealth() {
  try {
    return await api.get("/v1/health/deep");
  } catch (error) {
    if (error.status === 503 && error.problem?.checks) return error.problem; // unhealthy is an answer, not a failure
    throw error;
  }
}

export function DeepHealth() {
  const state = usePolled(deepHealth, () => false, []);
  const h = state.data;
  return html`<section class="card wide" aria-labelledby="health-title" aria-busy=${!h && !state.error}>
    <h2 id="health-title">${t("title")}</h2>
    <button type="button" class="secondary" onClick=${state.reload}>${t("refresh")}</button>
    <${ProblemBanner} error=${state.error} />
    ${h && html`<p>${t("overall")}: <strong data-testid="health-status">${t(h.status)}</strong></p>
      <${Table} rows=${h.checks} rowTestid="health-check" rowKey=${(c) => c.name} columns=${[
        { key: "name", label: t("check") },
        { key: "ok", label: t("result"), render: (c) => html`<span class=${`badge ${c.ok ? "settings-ok" : "bad"}`}>${c.ok ? t("good") : t("bad")}</span>` },
        { key: "latency_ms", label: t("latency"), numeric: true, render: (c) => formatNumber(c.latency_ms, { maximumFractionDigits: 1 }) },
        { key: "detail", label: t("detail"), render: (c) => (c.detail == null ? "—" : typeof c.detail === "string" ? c.detail
          : html`<details><summary>${t("detail")}</summary><pre class="settings-pre">${JSON.stringify(c.detail, null, 2)}</pre></details>`) },
      ]} />`}
  </section>`;
}
