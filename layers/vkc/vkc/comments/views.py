"""Rows → API views. A page is enriched with two small indexed queries (authors, matched keywords)
after the page is chosen, so the page query itself stays the plain index walk exports share."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkc.comments.links import author_url, comment_url
from vkc.comments.schemas import AuthorBrief, CommentView, HighlightSpan, KeywordBrief
from vkc.corrections.labels import source
from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Author, Comment


def authors_of(session: Session, workspace_id: uuid.UUID, vk_ids: set[int]) -> dict[int, Author]:
    if not vk_ids:
        return {}
    rows = session.scalars(select(Author).where(Author.workspace_id == workspace_id, Author.vk_id.in_(vk_ids)))
    return {a.vk_id: a for a in rows}


def author_brief(vk_id: int | None, authors: dict[int, Author]) -> AuthorBrief | None:
    if vk_id is None:
        return None
    a = authors.get(vk_id)
    return AuthorBrief(
        vk_id=vk_id,
        name=a.name if a is not None and a.name else None,
        screen_name=a.screen_name if a is not None else None,
        photo_url=a.photo_url if a is not None else None,
        url=author_url(vk_id),
    )


def keywords_of(session: Session, workspace_id: uuid.UUID, comment_ids: list[int]) -> dict[int, list[KeywordBrief]]:
    """Per comment: the keywords that matched it and how often, most frequent first."""
    if not comment_ids:
        return {}
    hits = func.count().label("hits")
    rows = session.execute(
        select(KeywordMatch.comment_id, Keyword.id, Keyword.text, Keyword.category, hits)
        .join(Keyword, Keyword.id == KeywordMatch.keyword_id)
        .where(KeywordMatch.workspace_id == workspace_id, KeywordMatch.comment_id.in_(comment_ids))
        .group_by(KeywordMatch.comment_id, Keyword.id, Keyword.text, Keyword.category)
        .order_by(KeywordMatch.comment_id, hits.desc(), Keyword.text)
    )
    out: dict[int, list[KeywordBrief]] = {}
    for comment_id, kw_id, kw_text, category, count in rows:
        out.setdefault(comment_id, []).append(KeywordBrief(id=kw_id, text=kw_text, category=category, matches=count))
    return out


def highlights_of(session: Session, workspace_id: uuid.UUID, comment_ids: list[int]) -> dict[int, list[HighlightSpan]]:
    """Per comment: every match's offsets in text order, so a list row can mark the matched forms."""
    if not comment_ids:
        return {}
    rows = session.execute(
        select(KeywordMatch.comment_id, KeywordMatch.keyword_id, Keyword.text, KeywordMatch.start, KeywordMatch.end)
        .join(Keyword, Keyword.id == KeywordMatch.keyword_id)
        .where(KeywordMatch.workspace_id == workspace_id, KeywordMatch.comment_id.in_(comment_ids))
        .order_by(KeywordMatch.comment_id, KeywordMatch.start, KeywordMatch.end)
    )
    out: dict[int, list[HighlightSpan]] = {}
    for comment_id, kw_id, kw_text, start, end in rows:
        out.setdefault(comment_id, []).append(
            HighlightSpan(keyword_id=kw_id, keyword_text=kw_text, start=start, end=end)
        )
    return out


def view_of(
    row: Comment,
    authors: dict[int, Author],
    keywords: dict[int, list[KeywordBrief]],
    highlights: dict[int, list[HighlightSpan]],
) -> CommentView:
    return CommentView(
        id=row.id,
        community_id=row.community_id,
        owner_id=row.owner_id,
        post_id=row.post_id,
        comment_id=row.comment_id,
        root_comment_id=row.root_comment_id,
        reply_to_comment=row.reply_to_comment,
        from_id=row.from_id,
        author=author_brief(row.from_id, authors),
        date=row.date,
        text=row.text,
        likes_count=row.likes_count,
        thread_count=row.thread_count,
        is_deleted=row.is_deleted,
        attachments=row.attachments,
        sentiment=row.sentiment,
        sentiment_source=source(row.sentiment_manual, row.sentiment),
        sentiment_score=row.sentiment_score,
        is_spam=row.is_spam,
        is_spam_source=source(row.spam_manual, row.is_spam),
        has_profanity=row.has_profanity,
        has_profanity_source=source(row.profanity_manual, row.has_profanity),
        language=row.language,
        match_count=row.match_count,
        keywords=keywords.get(row.id, []),
        highlights=highlights.get(row.id, []),
        viewed_at=row.viewed_at,
        archived_at=row.archived_at,
        url=comment_url(row.owner_id, row.post_id, row.comment_id, row.root_comment_id),
    )


def views_of(session: Session, workspace_id: uuid.UUID, rows: Sequence[Comment]) -> list[CommentView]:
    authors = authors_of(session, workspace_id, {r.from_id for r in rows if r.from_id is not None})
    matched = [r.id for r in rows if r.match_count > 0]
    keywords = keywords_of(session, workspace_id, matched)
    highlights = highlights_of(session, workspace_id, matched)
    return [view_of(r, authors, keywords, highlights) for r in rows]
