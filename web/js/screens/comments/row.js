// One comment in the list: author, date, labels, state, the text (two lines) and its actions.
// Fixed height (the list is windowed); the whole text is in the detail pane.
import { Component } from "preact";
import { html } from "../../core/html.js";
import { defineMessages } from "../../core/i18n.js";
import { Highlighted } from "./highlight.js";
import { Labels } from "./labels.js";

export const ROW_HEIGHT = 104;

const t = defineMessages({
  ru: { unknown: "автор {id}", viewed: "просмотрен", archived: "в архиве", open: "Тред", vk: "ВКонтакте",
    markViewed: "Просмотрен", unmarkViewed: "Не просмотрен", archive: "В архив", unarchive: "Из архива",
    matches: "совпадений: {n}", deleted: "удалён в ВК", noDate: "без даты", about: "комментарий {id}" },
  en: { unknown: "author {id}", viewed: "viewed", archived: "archived", open: "Thread", vk: "VK",
    markViewed: "Viewed", unmarkViewed: "Not viewed", archive: "Archive", unarchive: "Restore",
    matches: "matches: {n}", deleted: "deleted in VK", noDate: "no date", about: "comment {id}" },
});

// Formatters built once per locale and zone (`settings` = "locale|zone" from the screen): building an Intl
// formatter per row costs more than rendering the row, and scrolling renders rows every frame.
let formats = { key: "", date: null, number: null };
function formatsFor(settings) {
  if (formats.key !== settings) {
    const [lang, zone] = settings.split("|");
    formats = {
      key: settings,
      date: new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: zone }),
      number: new Intl.NumberFormat(lang),
    };
  }
  return formats;
}

export const authorName = (c) => c.author?.name || (c.from_id == null ? "—" : t("unknown", { id: c.from_id }));

/**
 * Re-rendered only when its comment, position, focus or language changes: while scrolling, the rows that
 * stay in view cost nothing. Only the active row's actions are in the Tab order (j/k move between rows,
 * v/a/o/Enter act).
 */
export class CommentRow extends Component {
  shouldComponentUpdate(next) {
    const p = this.props;
    return next.comment !== p.comment || next.index !== p.index || next.active !== p.active
      || next.communityName !== p.communityName || next.settings !== p.settings;
  }

  render(props) {
    return rowContent(props);
  }
}

function rowContent({ comment: c, index, active, onOpen, onToggle, communityName, settings }) {
  const f = formatsFor(settings);
  const tab = active ? 0 : -1;
  const viewed = c.viewed_at ? t("unmarkViewed") : t("markViewed");
  const archived = c.archived_at ? t("unarchive") : t("archive");
  const spans = (c.highlights || []).map((h) => ({ start: h.start, end: h.end, title: h.keyword_text }));
  const who = `${authorName(c)}, ${t("about", { id: c.id })}`;
  return html`<div class="comments-row-head">
      <strong>${authorName(c)}</strong>
      <span class="muted">${c.date ? f.date.format(new Date(c.date)) : t("noDate")}</span>
      ${communityName && html`<span class="muted">${communityName}</span>`}
      <${Labels} comment=${c} />
      ${c.match_count > 0 && html`<span class="badge match">${t("matches", { n: f.number.format(c.match_count) })}</span>`}
      ${c.viewed_at && html`<span class="badge">${t("viewed")}</span>`}
      ${c.archived_at && html`<span class="badge" data-testid="comment-archived">${t("archived")}</span>`}
      ${c.is_deleted && html`<span class="badge">${t("deleted")}</span>`}
    </div>
    <p class="comments-row-text"><${Highlighted} text=${c.text} spans=${spans} /></p>
    <div class="comments-row-actions">
      ${c.keywords.map((k) => html`<span class="chip small">${k.text} ×${k.matches}</span>`)}
      <span class="spacer"></span>
      <button type="button" class="secondary small" tabindex=${tab} aria-label=${`${t("open")}: ${who}`} onClick=${() => onOpen(index)}>${t("open")}</button>
      <button type="button" class="secondary small" tabindex=${tab} aria-label=${`${viewed}: ${who}`}
        onClick=${() => onToggle(index, "viewed")}>${viewed}</button>
      <button type="button" class="secondary small" tabindex=${tab} aria-label=${`${archived}: ${who}`}
        onClick=${() => onToggle(index, "archived")}>${archived}</button>
      <a href=${c.url} target="_blank" rel="noopener noreferrer" tabindex=${tab} aria-label=${`${t("vk")}: ${who}`}>${t("vk")}</a>
    </div>`;
}
