// Windowed rendering for long lists (10,000 comments): rows have one fixed height, and only the rows in
// view (plus a few either side) are in the DOM, so scrolling costs the same with 100 rows or 10,000.
// The scroller takes any extra props (tabIndex, onKeyDown, aria-label…) so a screen can make it the
// focusable container of its keyboard shortcuts.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { html } from "../core/html.js";

/**
 * count: how many rows; row(index) → the row's content; rowHeight in px; height: the viewport's CSS
 * height; active: an index kept in view (keyboard moves); rowKey(index) → a stable key;
 * rowProps(index) → extra attributes of a row (class, data-testid…).
 */
export function VirtualList({ count, row, rowHeight, height = "70vh", active, rowKey = (i) => i, rowProps, overscan = 6, ...rest }) {
  const scroller = useRef(null);
  const [view, setView] = useState({ top: 0, size: 800 });
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    const measure = () => setView({ top: el.scrollTop, size: el.clientHeight });
    measure();
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    return () => resize.disconnect();
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // one state update per animation frame, however many scroll events the browser sends
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scroller.current;
      if (el) setView({ top: el.scrollTop, size: el.clientHeight });
    });
  };

  useEffect(() => {
    const el = scroller.current;
    if (active == null || !el) return;
    const top = active * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [active, rowHeight]);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((view.top + view.size) / rowHeight) + overscan);
  const rows = [];
  for (let i = first; i < last; i += 1) {
    const extra = rowProps ? rowProps(i) : {};
    rows.push(html`<div key=${rowKey(i)} role="listitem" aria-posinset=${i + 1} aria-setsize=${count} ...${extra}
      class=${`vlist-row ${extra.class || ""}`} style=${`top:${i * rowHeight}px;height:${rowHeight}px`}>${row(i)}</div>`);
  }
  return html`<div ref=${scroller} class="vlist" style=${`height:min(${height}, ${count * rowHeight + 2}px)`} onScroll=${onScroll} ...${rest}>
    <div role="list" class="vlist-body" style=${`height:${count * rowHeight}px`}>${rows}</div>
  </div>`;
}
