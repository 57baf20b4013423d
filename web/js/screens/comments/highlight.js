// Marks spans of a text given the API's offsets. The API counts characters (code points); JavaScript
// strings count UTF-16 units, so the text is split into code points first and an emoji before a match
// does not shift its highlight.
import { html } from "../../core/html.js";

/** spans: [{start, end, title?}] in code points; overlapping spans are merged. */
export function Highlighted({ text, spans = [] }) {
  if (!spans.length) return text;
  const chars = Array.from(text);
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const merged = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
      if (s.title && !last.titles.includes(s.title)) last.titles.push(s.title);
    } else merged.push({ start: s.start, end: s.end, titles: s.title ? [s.title] : [] });
  }
  const parts = [];
  let at = 0;
  for (const s of merged) {
    const start = Math.max(at, Math.min(s.start, chars.length));
    const end = Math.min(s.end, chars.length);
    if (start > at) parts.push(chars.slice(at, start).join(""));
    if (end > start) parts.push(html`<mark title=${s.titles.join(", ") || undefined}>${chars.slice(start, end).join("")}</mark>`);
    at = Math.max(at, end);
  }
  if (at < chars.length) parts.push(chars.slice(at).join(""));
  return parts;
}
