// A headline figure with its change against the previous period (values come from /v1/stats/kpis).
import { html } from "../core/html.js";
import { defineMessages, formatNumber, formatShare } from "../core/i18n.js";

const t = defineMessages({
  ru: { previous: "пред. период: {value}", noHistory: "нет сравнения", points: "{sign}{value} п.п." },
  en: { previous: "previous: {value}", noHistory: "no comparison", points: "{sign}{value} pp" },
});

function changeText(kpi, share) {
  if (share) {
    if (kpi.change_points == null) return null;
    return t("points", { sign: kpi.change_points > 0 ? "+" : "", value: formatNumber(kpi.change_points, { maximumFractionDigits: 1 }) });
  }
  if (kpi.change == null) return null;
  const sign = kpi.change > 0 ? "+" : "";
  const pct = kpi.change_pct == null ? "" : ` (${sign}${formatNumber(kpi.change_pct, { maximumFractionDigits: 1 })} %)`;
  return `${sign}${formatNumber(kpi.change)}${pct}`;
}

/** kpi: {current, previous, change, change_pct} or a share {current, previous, change_points}. */
export function KpiCard({ label, kpi, share = false, testid }) {
  const value = share ? formatShare(kpi.current) : formatNumber(kpi.current);
  const change = changeText(kpi, share);
  const delta = share ? kpi.change_points : kpi.change;
  const direction = delta == null || delta === 0 ? "flat" : delta > 0 ? "up" : "down";
  return html`<section class="kpi" aria-label=${label}>
    <h3 class="kpi-label">${label}</h3>
    <p class="kpi-value" data-testid=${testid}>${value}</p>
    <p class=${`kpi-change ${direction}`}>
      ${change ?? t("noHistory")}
      ${kpi.previous != null && html` <span class="muted">· ${t("previous", { value: share ? formatShare(kpi.previous) : formatNumber(kpi.previous) })}</span>`}
    </p>
  </section>`;
}
