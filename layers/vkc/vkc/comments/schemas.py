"""What the comments API answers and accepts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator
from pydantic.json_schema import SkipJsonSchema

from vkc.comments.filters import CommentFilters
from vkc.corrections.labels import LabelSource
from vkc.wire_types import NOT_NULL


class AuthorBrief(BaseModel):
    vk_id: int = Field(description="VK id: users positive, communities negative.")
    name: str | None = Field(description="Null until the author's profile has been stored.")
    screen_name: str | None
    photo_url: str | None
    url: str


class KeywordBrief(BaseModel):
    id: uuid.UUID
    text: str
    category: str | None
    matches: int = Field(description="Occurrences of this keyword in the comment.")


class HighlightSpan(BaseModel):
    keyword_id: uuid.UUID
    keyword_text: str
    start: int = Field(description="Character offset in `text` (inclusive).")
    end: int = Field(description="Character offset in `text` (exclusive).")


class CommentView(BaseModel):
    id: int = Field(description="Our id (use it in /v1/comments/{id}).")
    community_id: uuid.UUID
    owner_id: int
    post_id: int
    comment_id: int = Field(description="VK's comment id (unique per wall).")
    root_comment_id: int | None = Field(description="VK id of the thread's top comment; null for top level.")
    reply_to_comment: int | None
    from_id: int | None
    author: AuthorBrief | None
    date: datetime | None
    text: str
    likes_count: int | None
    thread_count: int | None
    is_deleted: bool
    attachments: list[dict[str, Any]]
    sentiment: str | None = Field(
        description="positive, neutral or negative: an analyst's correction if any, else the model's; null until "
        "analyzed."
    )
    sentiment_source: LabelSource | None = Field(
        description="manual (an analyst's correction, PUT /v1/comments/{id}/labels) or model; null until analyzed."
    )
    sentiment_score: float | None = Field(description="The model's score in [-1, 1] (a correction leaves it).")
    is_spam: bool | None = Field(description="An analyst's correction if any, else the model's verdict.")
    is_spam_source: LabelSource | None = Field(description="manual or model; null until analyzed.")
    has_profanity: bool | None = Field(description="An analyst's correction if any, else the model's verdict.")
    has_profanity_source: LabelSource | None = Field(description="manual or model; null until analyzed.")
    language: str | None
    match_count: int
    keywords: list[KeywordBrief] = Field(description="Keywords that matched, with occurrence counts.")
    highlights: list[HighlightSpan] = Field(
        default_factory=list, description="Where keywords matched in `text`, in text order (to highlight a list row)."
    )
    viewed_at: datetime | None
    archived_at: datetime | None
    url: str = Field(description="The comment on vk.com.")


class CommentPage(BaseModel):
    items: list[CommentView]
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same sort) for the next page; null at the end."
    )


class CommentCount(BaseModel):
    count: int


class MatchView(BaseModel):
    keyword_id: uuid.UUID
    keyword_text: str
    category: str | None
    matched_text: str = Field(description="The form as written in the comment.")
    start: int = Field(description="Character offset in `text` (inclusive).")
    end: int = Field(description="Character offset in `text` (exclusive).")
    lemmas: list[str]
    fuzzy: bool = Field(description="Matched with one typo tolerated.")
    snippet: str
    highlight_start: int = Field(description="Offset of the match inside `snippet`.")
    highlight_end: int


class ThreadComment(BaseModel):
    id: int
    comment_id: int
    from_id: int | None
    author_name: str | None
    date: datetime | None
    text: str
    likes_count: int | None
    match_count: int
    url: str


class ThreadView(BaseModel):
    root: ThreadComment | None = Field(description="The top comment; null if it was never stored (deleted in VK).")
    replies: list[ThreadComment] = Field(description="Replies in VK order (the first `limit`).")
    replies_total: int = Field(description="Stored replies in the thread.")


class PostBrief(BaseModel):
    owner_id: int
    post_id: int
    date: datetime | None
    text: str
    comments_count: int
    url: str


class CommunityBrief(BaseModel):
    id: uuid.UUID
    vk_id: int
    name: str
    screen_name: str | None
    url: str


class CommentDetail(CommentView):
    spam_reasons: list[str] | None
    matches: list[MatchView]
    thread: ThreadView
    post: PostBrief | None = Field(description="Null if the post row is gone.")
    community: CommunityBrief


class ModerationSet(BaseModel):
    """At least one flag, never null: the spec says so with minProperties."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    viewed: Annotated[StrictBool | SkipJsonSchema[None], NOT_NULL] = Field(
        default=None, description="true marks viewed, false clears it."
    )
    archived: Annotated[StrictBool | SkipJsonSchema[None], NOT_NULL] = Field(
        default=None, description="true archives, false restores."
    )

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.viewed is None and self.archived is None:
            raise ValueError("set viewed, archived or both")
        return self


class BulkModeration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filters: CommentFilters = Field(description="The same filters as GET /v1/comments (lists as JSON arrays).")
    set: ModerationSet


class BulkResult(BaseModel):
    changed: int = Field(description="Comments whose flags changed (already-set ones are not counted).")
