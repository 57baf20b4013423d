// Comment volume and sentiment per bucket (uPlot). Clicking a bucket calls onPick(point).
import uPlot from "uplot";
import { useEffect, useRef } from "preact/hooks";
import { html } from "../core/html.js";
import { formatDateTime, timeZone } from "../core/time.js";

/** points: the API's TimelinePoint list; series: [{key, label, stroke}]. */
export function TimelineChart({ points, series, label, onPick, height = 260 }) {
  const box = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    const el = box.current;
    const xs = points.map((p) => Date.parse(p.start) / 1000);
    const data = [xs, ...series.map((s) => points.map((p) => p[s.key]))];
    const zone = timeZone();
    const opts = {
      width: Math.max(320, el.clientWidth), height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      series: [{ value: (u, ts) => (ts == null ? "—" : formatDateTime(ts * 1000)) }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
      axes: [{}, { size: 60 }],
      cursor: { drag: { x: false, y: false } },
      hooks: {
        ready: [(u) => u.over.addEventListener("click", () => {
          const i = u.cursor.idx;
          if (i != null && onPick) onPick(points[i], i);
        })],
      },
    };
    chart.current = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(320, el.clientWidth), height }));
    resize.observe(el);
    return () => { resize.disconnect(); chart.current.destroy(); chart.current = null; };
  }, [points, series]);
  return html`<figure class="chart"><figcaption class="visually-hidden">${label}</figcaption><div ref=${box} data-testid="timeline"></div></figure>`;
}
