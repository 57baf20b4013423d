// Comments: search with every filter of GET /v1/comments (kept in the URL), a windowed list with keyset
// "load more", the opened comment with its thread, and moderation one by one, from the keyboard
// (j/k move, v viewed, a archive, o open on VK, Enter the thread) or in bulk by the current filter.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../core/api.js";
import { html } from "../core/html.js";
import { defineMessages, formatNumber, locale } from "../core/i18n.js";
import { href, navigate } from "../core/router.js";
import { timeZone } from "../core/time.js";
import { Dialog } from "../components/dialog.js";
import { LoadMore, usePager } from "../components/pager.js";
import { ProblemBanner } from "../components/problem-banner.js";
import { VirtualList } from "../components/virtual-list.js";
import { CommentDetail } from "./comments/detail.js";
import { FilterForm, bodyOf, queryOf } from "./comments/filters.js";
import { CommentRow, ROW_HEIGHT, authorName } from "./comments/row.js";

const t = defineMessages({
  ru: {
    title: "Комментарии", found: "Найдено: {n}", shown: "показано {n}", empty: "Ничего не найдено.",
    list: "Комментарии. Клавиши: j и k — следующий и предыдущий, v — просмотрен, a — в архив, o — открыть во ВКонтакте, Enter — тред.",
    keys: "j/k — перемещение, v — просмотрен, a — архив, o — во ВКонтакте, Enter — тред",
    export: "Экспорт найденного", bulkViewed: "Отметить все найденные просмотренными", bulkArchive: "Архивировать все найденные",
    bulkTitle: "Действие над всеми найденными", confirmViewed: "Отметить просмотренными все комментарии фильтра ({n})?",
    confirmArchive: "Отправить в архив все комментарии фильтра ({n})?", confirm: "Да, выполнить", cancel: "Отмена",
    changed: "Изменено комментариев: {n}", position: "{i} из {n}: {who}", markedViewed: "Отмечен просмотренным: {who}",
    unmarkedViewed: "Снята отметка о просмотре: {who}", archived: "В архиве: {who}", restored: "Возвращён из архива: {who}",
  },
  en: {
    title: "Comments", found: "Found: {n}", shown: "showing {n}", empty: "Nothing found.",
    list: "Comments. Keys: j and k next and previous, v viewed, a archive, o open on VK, Enter the thread.",
    keys: "j/k move, v viewed, a archive, o open on VK, Enter thread",
    export: "Export what is found", bulkViewed: "Mark everything found viewed", bulkArchive: "Archive everything found",
    bulkTitle: "Act on everything found", confirmViewed: "Mark every comment of the filter viewed ({n})?",
    confirmArchive: "Archive every comment of the filter ({n})?", confirm: "Yes, do it", cancel: "Cancel",
    changed: "Comments changed: {n}", position: "{i} of {n}: {who}", markedViewed: "Marked viewed: {who}",
    unmarkedViewed: "Marked not viewed: {who}", archived: "Archived: {who}", restored: "Restored: {who}",
  },
});

const PAGE = 100;
const LABEL_FIELDS = ["sentiment", "sentiment_source", "sentiment_score", "is_spam", "is_spam_source", "has_profanity", "has_profanity_source"];
const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** The URL's params as an object (repeated names as arrays), to build links that keep the filter. */
function paramsObject(params, changes = {}) {
  const out = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    out[name] = values.length > 1 ? values : values[0];
  }
  return { ...out, ...changes };
}

function useCount(query, key, tick) {
  const [count, setCount] = useState(null);
  useEffect(() => {
    let live = true;
    setCount(null);
    api.get("/v1/comments/count", query).then((r) => live && setCount(r.count), () => {});
    return () => { live = false; };
  }, [key, tick]);
  return count;
}

function useCommunityNames() {
  const [names, setNames] = useState({});
  useEffect(() => {
    api.get("/v1/communities", { limit: 100 }).then((page) => setNames(Object.fromEntries(page.items.map((c) => [c.id, c.name]))), () => {});
  }, []);
  return names;
}

export default function Comments({ route }) {
  const params = route.params;
  const query = queryOf(params);
  const key = JSON.stringify(query) + (params.get("sort") || "");
  const pager = usePager("/v1/comments", { ...query, sort: params.get("sort") || undefined, limit: PAGE });
  const [tick, setTick] = useState(0);
  const count = useCount(query, key, tick);
  const names = useCommunityNames();
  const [changed, setChanged] = useState(() => new Map()); // id → the API's answer to a moderation
  const [active, setActive] = useState(null);
  const [status, setStatus] = useState("");
  const [problem, setProblem] = useState(null);
  const [bulk, setBulk] = useState(null); // {viewed: true} | {archived: true} while confirming
  const [detailVersion, setDetailVersion] = useState(0);
  const openId = params.get("open");

  useEffect(() => { setChanged(new Map()); setActive(null); }, [key]);

  const items = pager.items;
  const itemAt = (i) => changed.get(items[i].id) || items[i];
  const openHref = (id) => href("comments", paramsObject(params, { open: id }));
  const open = (i) => navigate("comments", paramsObject(params, { open: itemAt(i).id }));

  const toggle = async (comment, flag) => {
    const on = flag === "viewed" ? !comment.viewed_at : !comment.archived_at;
    setProblem(null);
    try {
      const path = `/v1/comments/${comment.id}/${flag}`;
      const updated = on ? await api.post(path) : await api.delete(path);
      setChanged((m) => new Map(m).set(updated.id, { ...(m.get(updated.id) || comment), ...updated }));
      if (String(updated.id) === openId) setDetailVersion((v) => v + 1);
      const who = authorName(updated);
      setStatus(t(flag === "viewed" ? (on ? "markedViewed" : "unmarkedViewed") : on ? "archived" : "restored", { who }));
    } catch (error) {
      setProblem(error);
    }
  };
  // the opened comment's labels were corrected: its row takes the labels the API now answers
  const relabeled = (updated) => setChanged((m) => {
    const base = m.get(updated.id) || items.find((c) => c.id === updated.id);
    if (!base) return m;
    const labels = Object.fromEntries(LABEL_FIELDS.map((name) => [name, updated[name]]));
    return new Map(m).set(updated.id, { ...base, ...labels });
  });
  const toggleAt = (i, flag) => { setActive(i); toggle(itemAt(i), flag); };

  const move = (to) => {
    if (!items.length) return;
    const i = Math.max(0, Math.min(items.length - 1, to));
    setActive(i);
    setStatus(t("position", { i: formatNumber(i + 1), n: formatNumber(items.length), who: authorName(itemAt(i)) }));
    if (i >= items.length - 3 && !pager.done && !pager.loading) pager.more();
  };

  const onKeyDown = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || TYPING.has(event.target.tagName) || event.target.isContentEditable) return;
    const current = active ?? -1;
    if (event.key === "j") move(current + 1);
    else if (event.key === "k") move(active == null ? 0 : current - 1);
    else if (active == null) return;
    else if (event.key === "v") toggleAt(active, "viewed");
    else if (event.key === "a") toggleAt(active, "archived");
    else if (event.key === "o") window.open(itemAt(active).url, "_blank", "noopener");
    else if (event.key === "Enter" && event.target === event.currentTarget) open(active);
    else return;
    event.preventDefault();
  };

  const runBulk = async () => {
    const set = bulk;
    setBulk(null);
    setProblem(null);
    try {
      const result = await api.post("/v1/comments/bulk", { filters: bodyOf(query), set });
      setStatus(t("changed", { n: formatNumber(result.changed) }));
      setChanged(new Map());
      setActive(null);
      pager.reload();
      setTick((n) => n + 1);
      setDetailVersion((v) => v + 1);
    } catch (error) {
      setProblem(error);
    }
  };

  // rows re-render only when their own props change, so they get stable handlers that call the latest ones
  const latest = useRef({});
  latest.current = { open, toggleAt };
  const onRowOpen = useCallback((i) => latest.current.open(i), []);
  const onRowToggle = useCallback((i, flag) => latest.current.toggleAt(i, flag), []);
  const settings = `${locale()}|${timeZone()}`;

  const rowProps = useMemo(() => (i) => ({ "data-testid": "comment-row", "data-id": items[i].id, class: i === active ? "active" : "" }), [items, active]);

  return html`<div class="comments">
    <h1>${t("title")}</h1>
    <${FilterForm} params=${params} />
    <${ProblemBanner} error=${pager.error || problem} onDismiss=${problem ? () => setProblem(null) : undefined} />
    <div class="comments-toolbar">
      <span data-testid="comments-count">${count == null ? "…" : t("found", { n: formatNumber(count) })}</span>
      <span class="muted">${t("shown", { n: formatNumber(items.length) })}</span>
      <span class="spacer"></span>
      <button type="button" class="secondary" disabled=${!count} onClick=${() => setBulk({ viewed: true })}>${t("bulkViewed")}</button>
      <button type="button" class="secondary" disabled=${!count} onClick=${() => setBulk({ archived: true })}>${t("bulkArchive")}</button>
      <a class="button secondary" href=${href("exports", { ...query, sort: params.get("sort") || undefined })} data-testid="comments-export">${t("export")}</a>
    </div>
    <p class="visually-hidden" role="status" aria-live="polite" data-testid="comments-status">${status}</p>
    <div class=${`comments-layout${openId ? " with-detail" : ""}`}>
      <div class="comments-list">
        <p class="muted comments-keys" aria-hidden="true">${t("keys")}</p>
        ${items.length === 0 && !pager.loading && !pager.error
          ? html`<p class="muted" data-testid="comments-empty">${t("empty")}</p>`
          : html`<${VirtualList} count=${items.length} rowHeight=${ROW_HEIGHT} active=${active}
              rowKey=${(i) => items[i].id} rowProps=${rowProps} tabIndex="0" role="region" aria-label=${t("list")}
              data-testid="comments-list" onKeyDown=${onKeyDown}
              row=${(i) => html`<${CommentRow} comment=${itemAt(i)} index=${i} active=${i === (active ?? 0)}
                communityName=${names[items[i].community_id]} settings=${settings} onOpen=${onRowOpen} onToggle=${onRowToggle} />`} />`}
        <${LoadMore} pager=${pager} />
      </div>
      ${openId && html`<${CommentDetail} id=${openId} version=${detailVersion} openHref=${openHref} onToggle=${toggle}
        onRelabeled=${relabeled}
        onClose=${() => navigate("comments", paramsObject(params, { open: null }))} />`}
    </div>
    <${Dialog} open=${bulk != null} title=${t("bulkTitle")} onClose=${() => setBulk(null)}>
      <p>${bulk && t(bulk.viewed ? "confirmViewed" : "confirmArchive", { n: formatNumber(count) })}</p>
      <button type="button" onClick=${runBulk} data-testid="bulk-confirm">${t("confirm")}</button>
      <button type="button" class="secondary" onClick=${() => setBulk(null)}>${t("cancel")}</button>
    <//>
  </div>`;
}
