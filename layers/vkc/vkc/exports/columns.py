"""What each export column holds, given one comment and what the batch enrichment found for it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from vkc.comments.links import comment_url
from vkc.corrections.labels import source
from vkc.db.models_collection import Comment
from vkc.exports.schemas import ExportColumn

#: a cell before formatting: lists are joined by text formats and kept as arrays in JSONL
Value = str | int | float | bool | datetime | uuid.UUID | list[str] | None


@dataclass(frozen=True, slots=True)
class ExportRecord:
    comment: Comment
    community_name: str | None
    author_name: str | None
    keywords: list[str]
    categories: list[str]


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


EXTRACTORS: dict[ExportColumn, Callable[[ExportRecord], Value]] = {
    ExportColumn.ID: lambda r: r.comment.id,
    ExportColumn.VK_COMMENT_ID: lambda r: r.comment.comment_id,
    ExportColumn.COMMUNITY_ID: lambda r: r.comment.community_id,
    ExportColumn.COMMUNITY_NAME: lambda r: r.community_name,
    ExportColumn.OWNER_ID: lambda r: r.comment.owner_id,
    ExportColumn.POST_ID: lambda r: r.comment.post_id,
    ExportColumn.ROOT_COMMENT_ID: lambda r: r.comment.root_comment_id,
    ExportColumn.AUTHOR_ID: lambda r: r.comment.from_id,
    ExportColumn.AUTHOR_NAME: lambda r: r.author_name,
    ExportColumn.DATE: lambda r: _utc(r.comment.date),
    ExportColumn.TEXT: lambda r: r.comment.text,
    ExportColumn.LIKES: lambda r: r.comment.likes_count,
    ExportColumn.SENTIMENT: lambda r: r.comment.sentiment,
    ExportColumn.SENTIMENT_SOURCE: lambda r: source(r.comment.sentiment_manual, r.comment.sentiment),
    ExportColumn.SENTIMENT_SCORE: lambda r: r.comment.sentiment_score,
    ExportColumn.IS_SPAM: lambda r: r.comment.is_spam,
    ExportColumn.IS_SPAM_SOURCE: lambda r: source(r.comment.spam_manual, r.comment.is_spam),
    ExportColumn.HAS_PROFANITY: lambda r: r.comment.has_profanity,
    ExportColumn.HAS_PROFANITY_SOURCE: lambda r: source(r.comment.profanity_manual, r.comment.has_profanity),
    ExportColumn.LANGUAGE: lambda r: r.comment.language,
    ExportColumn.MATCH_COUNT: lambda r: r.comment.match_count,
    ExportColumn.KEYWORDS: lambda r: r.keywords,
    ExportColumn.CATEGORIES: lambda r: r.categories,
    ExportColumn.VIEWED: lambda r: r.comment.viewed_at is not None,
    ExportColumn.ARCHIVED: lambda r: r.comment.archived_at is not None,
    ExportColumn.URL: lambda r: comment_url(
        r.comment.owner_id, r.comment.post_id, r.comment.comment_id, r.comment.root_comment_id
    ),
}


def values_of(record: ExportRecord, columns: list[ExportColumn]) -> list[Value]:
    return [EXTRACTORS[c](record) for c in columns]
