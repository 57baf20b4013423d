"""Which comments a search, a bulk moderation, a statistic or an export is about.

One model (`CommentFilters`) and one translation (`filter_conditions`) serve every reader of the
comments, so the list a user sees, the rows a bulk update touches and the file an export writes
are the same set by construction. Keyword and category filters are `EXISTS` over
`keyword_matches`: a comment matched by three keywords is still one row (a join would repeat it,
as the predecessor's did). Every condition is workspace-scoped.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)
from sqlalchemy import ColumnElement, and_, exists, func, literal_column, select
from sqlalchemy.orm import aliased

from vkc.comments.keyset import date_key
from vkc.db.models_analysis import Keyword, KeywordMatch
from vkc.db.models_collection import Comment
from vkc.wire_types import JSON_INT, IsoDatetime

MAX_VALUES = 100  # per repeatable filter: bounds the size of IN lists and of the query text
MAX_QUERY = 256
#: The text search configuration `search_vector` is generated with (`comments`, migration 0013).
TS_CONFIG: ColumnElement[Any] = literal_column("'russian'::regconfig")

#: The largest VK id we take (VK's are far below): under 2**53, so a JSON number carries it exactly
#: everywhere, the spec states it exactly (Powertools writes parameter bounds as floats), and
#: PostgreSQL's bigint holds it.
MAX_VK_ID = 10**15 - 1
#: A post as VK links write it (`-123_456`, `wall-123_456`): the pattern the spec states, and the
#: one PostRef parses. At most 15 digits each (MAX_VK_ID); the post id is not 0.
POST_PATTERN = r"^(?:wall)?-?[0-9]{1,15}_0*[1-9][0-9]{0,14}$"
_POST_REF = re.compile(r"^(?:wall)?(-?[0-9]{1,15})_(0*[1-9][0-9]{0,14})$")

#: A category or language value: 1 to 100 characters.
FilterText = Annotated[str, Field(min_length=1, max_length=100)]
#: A VK user or community id (communities negative), within PostgreSQL's bigint. Strict in JSON
#: bodies (`false` is not 0); a query parameter's text is parsed by the route first.
VkId = Annotated[int, Field(ge=-MAX_VK_ID, le=MAX_VK_ID), JSON_INT]
VkIdParam = Annotated[int, Field(ge=-MAX_VK_ID, le=MAX_VK_ID)]


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class PostRef(BaseModel):
    """A wall post by VK's identity; accepts VK's own spelling `wall-1_2` or `-1_2` too."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner_id: VkId = Field(description="The wall's owner: negative for communities.")
    post_id: Annotated[int, Field(ge=1, le=MAX_VK_ID), JSON_INT]

    @model_validator(mode="before")
    @classmethod
    def _from_vk_spelling(cls, value: Any) -> Any:
        if isinstance(value, str):
            found = _POST_REF.match(value)
            if found is None:
                raise ValueError("a post is written owner_post, as in VK links: -123_456 or wall-123_456")
            return {"owner_id": int(found[1]), "post_id": int(found[2])}
        return value

    def __str__(self) -> str:
        return f"{self.owner_id}_{self.post_id}"


def _as_utc(value: datetime) -> datetime:
    """A time without a zone is read as UTC (the API says so), so every bound is comparable."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcDatetime = Annotated[IsoDatetime, AfterValidator(_as_utc)]


class CommentFilters(BaseModel):
    """Filters over a workspace's comments. Empty lists and nulls mean "no condition"."""

    model_config = ConfigDict(extra="forbid")

    community_id: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_VALUES, description="Only these communities (any of them)."
    )
    post: PostRef | None = Field(default=None, description="Only comments of this post, written owner_post: -1_2.")
    keyword_id: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_VALUES, description="Only comments matched by any of these keywords."
    )
    category: list[FilterText] = Field(
        default_factory=list,
        max_length=MAX_VALUES,
        description="Only comments matched by a keyword of any of these categories.",
    )
    author: list[VkId] = Field(
        default_factory=list, max_length=MAX_VALUES, description="Only comments by these VK ids (from_id)."
    )
    date_from: UtcDatetime | None = Field(default=None, description="Written at or after (UTC if no zone).")
    date_to: UtcDatetime | None = Field(
        default=None,
        description="Written before; exclusive (UTC if no zone). At or before date_from, nothing is selected.",
    )
    sentiment: list[Sentiment] = Field(default_factory=list, max_length=3, description="Any of these sentiments.")
    is_spam: StrictBool | None = Field(default=None, description="Flagged as spam (true) or not (false).")
    has_profanity: StrictBool | None = Field(default=None, description="Flagged for profanity or insults, or not.")
    has_match: StrictBool | None = Field(default=None, description="Matched by at least one keyword (true) or none.")
    viewed: StrictBool | None = Field(default=None, description="Marked viewed (true) or not yet (false).")
    archived: StrictBool | None = Field(default=None, description="Archived (true) or not (false).")
    language: list[FilterText] = Field(
        default_factory=list, max_length=MAX_VALUES, description="Any of these detected languages (ru, en…)."
    )
    q: str | None = Field(
        default=None,
        max_length=MAX_QUERY,
        description="Full-text search in every word form (PostgreSQL's russian configuration, web search "
        'syntax: words, "a phrase", -excluded, or). Covers analyzed comments.',
    )

    @field_validator("q")
    @classmethod
    def _blank_query_is_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return value.strip() or None


def search_query(q: str) -> ColumnElement[Any]:
    """The tsquery of `q` in the analyze step's configuration (web-search syntax, never a syntax error)."""
    return func.websearch_to_tsquery(TS_CONFIG, q)


def filter_conditions(workspace_id: uuid.UUID, filters: CommentFilters) -> list[ColumnElement[bool]]:
    """The WHERE conditions over `comments` for `filters`, the workspace's own first."""
    c = Comment
    conds: list[ColumnElement[bool]] = [c.workspace_id == workspace_id]
    if filters.community_id:
        conds.append(c.community_id.in_(filters.community_id))
    if filters.post is not None:
        conds += [c.owner_id == filters.post.owner_id, c.post_id == filters.post.post_id]
    if filters.keyword_id:
        km = aliased(KeywordMatch)  # its own alias: correlates only to comments, even in joins with matches
        conds.append(
            exists()
            .where(km.comment_id == c.id, km.workspace_id == workspace_id, km.keyword_id.in_(filters.keyword_id))
            .correlate(c)
        )
    if filters.category:
        kw = aliased(Keyword)
        in_category = select(kw.id).where(kw.workspace_id == workspace_id, kw.category.in_(filters.category))
        km = aliased(KeywordMatch)
        conds.append(
            exists()
            .where(km.comment_id == c.id, km.workspace_id == workspace_id, km.keyword_id.in_(in_category))
            .correlate(c)
        )
    if filters.author:
        conds.append(c.from_id.in_(filters.author))
    # Bounds are put on the date sort key (what the indexes hold) so a date range is an index range;
    # the key is -infinity for an undated comment, which a lower bound excludes and the explicit
    # null check keeps out of an upper-bound-only range.
    if filters.date_from is not None:
        conds.append(date_key() >= filters.date_from)
    if filters.date_to is not None:
        conds.append(date_key() < filters.date_to)
        if filters.date_from is None:
            conds.append(c.date.is_not(None))
    if filters.sentiment:
        conds.append(c.sentiment.in_([s.value for s in filters.sentiment]))
    if filters.is_spam is not None:
        conds.append(c.is_spam.is_(True) if filters.is_spam else c.is_spam.is_not(True))
    if filters.has_profanity is not None:
        conds.append(c.has_profanity.is_(True) if filters.has_profanity else c.has_profanity.is_not(True))
    if filters.has_match is not None:
        conds.append(c.match_count > 0 if filters.has_match else c.match_count == 0)
    if filters.viewed is not None:
        conds.append(c.viewed_at.is_not(None) if filters.viewed else c.viewed_at.is_(None))
    if filters.archived is not None:
        conds.append(c.archived_at.is_not(None) if filters.archived else c.archived_at.is_(None))
    if filters.language:
        conds.append(c.language.in_(filters.language))
    if filters.q is not None:
        conds.append(c.search_vector.op("@@")(search_query(filters.q)))
    return conds


def where(workspace_id: uuid.UUID, filters: CommentFilters) -> ColumnElement[bool]:
    """`filter_conditions` as one expression (for UPDATE … WHERE and aggregate queries)."""
    return and_(*filter_conditions(workspace_id, filters))
