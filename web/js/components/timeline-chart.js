// Comment volume and sentiment per bucket (uPlot). Clicking a bucket, or Enter on it after moving with
// the arrow keys, calls onPick(point); the focused bucket's figures are read out in a live region.
import uPlot from "uplot";
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "../core/html.js";
import { defineMessages, formatNumber } from "../core/i18n.js";
import { formatDateTime, timeZone } from "../core/time.js";

const t = defineMessages({
  ru: { time: "Время", keys: "{label}. Стрелки влево и вправо выбирают интервал, Enter открывает его комментарии." },
  en: { time: "Time", keys: "{label}. Left and right arrows choose a bucket; Enter opens its comments." },
});

const AXIS_FORMAT = { hour: { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }, day: { day: "numeric", month: "short" } };

/** points: the API's TimelinePoint list; series: [{key, label, stroke}]; interval: "hour" | "day". */
export function TimelineChart({ points, series, label, interval = "day", onPick, height = 260 }) {
  const box = useRef(null);
  const chart = useRef(null);
  const [focused, setFocused] = useState(null);
  // the key handler reads the bucket from here: Enter right after an arrow or Home comes before the
  // re-render that would give it the new `focused`, and would open nothing
  const current = useRef(null);
  useEffect(() => {
    const el = box.current;
    const xs = points.map((p) => Date.parse(p.start) / 1000);
    const data = [xs, ...series.map((s) => points.map((p) => p[s.key]))];
    const zone = timeZone();
    const opts = {
      width: Math.max(320, el.clientWidth), height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      series: [{ label: t("time"), value: (u, ts) => (ts == null ? "—" : formatDateTime(ts * 1000)) }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
      axes: [{ values: (u, splits) => splits.map((ts) => formatDateTime(ts * 1000, AXIS_FORMAT[interval])) }, { size: 60, values: (u, splits) => splits.map((v) => formatNumber(v)) }],
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
    current.current = null;
    setFocused(null);
    return () => { resize.disconnect(); chart.current.destroy(); chart.current = null; };
  }, [points, series, interval]);

  const moveTo = (i) => {
    const u = chart.current;
    const index = Math.max(0, Math.min(points.length - 1, i));
    u.setCursor({ left: u.valToPos(u.data[0][index], "x"), top: u.over.clientHeight / 2 });
    current.current = index;
    setFocused(index);
  };
  const onKeyDown = (event) => {
    if (!points.length) return;
    const step = { ArrowRight: 1, ArrowLeft: -1, End: points.length, Home: -points.length }[event.key];
    if (step !== undefined) {
      event.preventDefault();
      moveTo((current.current ?? (step > 0 ? -1 : points.length)) + step);
    } else if (event.key === "Enter" && current.current != null && onPick) {
      onPick(points[current.current], current.current);
    }
  };
  const point = focused == null ? null : points[focused];
  return html`<figure class="chart">
    <div ref=${box} data-testid="timeline" tabindex="0" role="group" aria-label=${t("keys", { label })} onKeyDown=${onKeyDown}></div>
    <figcaption class="visually-hidden" aria-live="polite">${point && `${formatDateTime(point.start)}: ${series.map((s) => `${s.label} ${formatNumber(point[s.key])}`).join(", ")}`}</figcaption>
  </figure>`;
}
