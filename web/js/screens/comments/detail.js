// The opened comment (GET /v1/comments/{id}): the whole text with its matches highlighted, where it was
// written, its labels, and the thread around it (the top comment and its replies, this one marked).
import { useEffect, useState } from "preact/hooks";
import { api } from "../../core/api.js";
import { html } from "../../core/html.js";
import { defineMessages, formatNumber } from "../../core/i18n.js";
import { formatDateTime } from "../../core/time.js";
import { ProblemBanner } from "../../components/problem-banner.js";
import { Highlighted } from "./highlight.js";
import { LabelCorrections, Labels } from "./labels.js";
import { authorName } from "./row.js";

const t = defineMessages({
  ru: {
    title: "Комментарий", close: "Закрыть", vk: "Открыть во ВКонтакте", post: "Пост", community: "Сообщество",
    matches: "Совпадения", fuzzy: "с опечаткой", spamReasons: "Признаки спама", thread: "Тред",
    rootMissing: "Первый комментарий треда не сохранён (удалён во ВКонтакте).", shown: "Показано {n} из {total} ответов.",
    here: "этот комментарий", open: "Открыть", likes: "лайков: {n}", loading: "Загрузка…", viewed: "Просмотрен",
    unviewed: "Не просмотрен", archive: "В архив", unarchive: "Из архива", author: "Автор", noReplies: "Ответов нет.",
    labels: "Разметка",
  },
  en: {
    title: "Comment", close: "Close", vk: "Open on VK", post: "Post", community: "Community",
    matches: "Matches", fuzzy: "with a typo", spamReasons: "Spam signals", thread: "Thread",
    rootMissing: "The thread's first comment is not stored (deleted on VK).", shown: "Showing {n} of {total} replies.",
    here: "this comment", open: "Open", likes: "likes: {n}", loading: "Loading…", viewed: "Viewed",
    unviewed: "Not viewed", archive: "Archive", unarchive: "Restore", author: "Author", noReplies: "No replies.",
    labels: "Labels",
  },
});

function ThreadItem({ item, current, openHref }) {
  const here = item.id === current;
  return html`<li class=${`comments-thread-item${here ? " here" : ""}`} aria-current=${here ? "true" : undefined} data-testid="thread-comment">
    <div class="comments-row-head">
      <strong>${item.author_name || (item.from_id == null ? "—" : item.from_id)}</strong>
      <span class="muted">${formatDateTime(item.date)}</span>
      ${here ? html`<span class="badge match">${t("here")}</span>` : html`<a href=${openHref(item.id)}>${t("open")}</a>`}
      <a href=${item.url} target="_blank" rel="noopener noreferrer">${t("vk")}</a>
    </div>
    <p>${item.text}</p>
  </li>`;
}

/**
 * id: the comment to show; version: bumped by the screen after a moderation so the pane re-reads.
 * onRelabeled(comment): an analyst corrected its labels; the comment as the API now answers it.
 */
export function CommentDetail({ id, version, onClose, onToggle, onRelabeled, openHref }) {
  const [state, setState] = useState({ comment: null, error: null });
  const path = `/v1/comments/${encodeURIComponent(id)}`;
  useEffect(() => {
    let live = true;
    api.get(path).then(
      (comment) => live && setState({ comment, error: null }),
      (error) => live && setState({ comment: null, error }),
    );
    return () => { live = false; };
  }, [id, version]);
  // the effective labels are the API's: re-read the comment, for this pane and the list row
  const relabeled = () => api.get(path).then(
    (comment) => { setState({ comment, error: null }); onRelabeled?.(comment); },
    (error) => setState((s) => ({ ...s, error })),
  );
  const c = state.comment;
  return html`<aside class="comments-detail card" aria-labelledby="comments-detail-title" data-testid="comment-detail">
    <header class="comments-detail-head">
      <h2 id="comments-detail-title">${t("title")}</h2>
      <button type="button" class="link" onClick=${onClose}>${t("close")}</button>
    </header>
    <${ProblemBanner} error=${state.error} />
    ${!c && !state.error && html`<p aria-busy="true">${t("loading")}</p>`}
    ${c && c.id === Number(id) && html`
      <div class="comments-row-head">
        <strong>${c.author ? html`<a href=${c.author.url} target="_blank" rel="noopener noreferrer">${authorName(c)}</a>` : authorName(c)}</strong>
        <span class="muted">${formatDateTime(c.date)}</span>
        <${Labels} comment=${c} />
        ${c.likes_count != null && html`<span class="muted">${t("likes", { n: formatNumber(c.likes_count) })}</span>`}
      </div>
      <p class="comments-detail-text" data-testid="comment-detail-text">
        <${Highlighted} text=${c.text} spans=${c.matches.map((m) => ({ start: m.start, end: m.end, title: m.keyword_text }))} />
      </p>
      <p class="comments-detail-actions">
        <a href=${c.url} target="_blank" rel="noopener noreferrer" data-testid="comment-vk-link">${t("vk")}</a>
        <button type="button" class="secondary small" onClick=${() => onToggle(c, "viewed")}>${c.viewed_at ? t("unviewed") : t("viewed")}</button>
        <button type="button" class="secondary small" onClick=${() => onToggle(c, "archived")}>${c.archived_at ? t("unarchive") : t("archive")}</button>
      </p>
      <h3>${t("labels")}</h3>
      <${LabelCorrections} key=${c.id} commentId=${c.id} onChanged=${relabeled} />
      <dl class="comments-detail-facts">
        <dt>${t("community")}</dt><dd><a href=${c.community.url} target="_blank" rel="noopener noreferrer">${c.community.name}</a></dd>
        ${c.post && html`<dt>${t("post")}</dt><dd><a href=${c.post.url} target="_blank" rel="noopener noreferrer">${c.post.owner_id}_${c.post.post_id}</a>
          <span class="muted"> ${c.post.text.slice(0, 140)}</span></dd>`}
        ${c.spam_reasons?.length > 0 && html`<dt>${t("spamReasons")}</dt><dd>${c.spam_reasons.join(", ")}</dd>`}
      </dl>
      ${c.matches.length > 0 && html`<h3>${t("matches")}</h3>
        <ul class="comments-matches">${c.matches.map((m) => html`<li>
          <mark>${m.matched_text}</mark> → ${m.keyword_text}${m.category ? ` (${m.category})` : ""}${m.fuzzy ? `, ${t("fuzzy")}` : ""}
        </li>`)}</ul>`}
      <h3>${t("thread")}</h3>
      <ol class="comments-thread" data-testid="comment-thread">
        ${c.thread.root
          ? html`<${ThreadItem} item=${c.thread.root} current=${c.id} openHref=${openHref} />`
          : html`<li class="muted">${t("rootMissing")}</li>`}
        ${c.thread.replies.length > 0 && html`<li><ol class="comments-replies">
          ${c.thread.replies.map((r) => html`<${ThreadItem} item=${r} current=${c.id} openHref=${openHref} />`)}
        </ol></li>`}
      </ol>
      ${c.thread.replies_total > c.thread.replies.length
        && html`<p class="muted">${t("shown", { n: formatNumber(c.thread.replies.length), total: formatNumber(c.thread.replies_total) })}</p>`}
    `}
  </aside>`;
}
