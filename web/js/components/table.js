// A plain accessible table. columns: [{key, label, render?(row), numeric?}]; rows carry a stable key.
import { html } from "../core/html.js";

export function Table({ caption, columns, rows, rowKey = (row, i) => row.id ?? i, rowTestid, empty = "—" }) {
  return html`<table class="table">
    ${caption && html`<caption>${caption}</caption>`}
    <thead><tr>${columns.map((c) => html`<th scope="col" class=${c.numeric ? "num" : ""}>${c.label}</th>`)}</tr></thead>
    <tbody>
      ${rows.length === 0
        ? html`<tr><td colspan=${columns.length} class="muted">${empty}</td></tr>`
        : rows.map((row, i) => html`<tr key=${rowKey(row, i)} data-testid=${rowTestid}>
            ${columns.map((c) => html`<td class=${c.numeric ? "num" : ""}>${c.render ? c.render(row) : row[c.key]}</td>`)}
          </tr>`)}
    </tbody>
  </table>`;
}
