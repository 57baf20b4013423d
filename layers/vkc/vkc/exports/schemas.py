"""What an export is asked for: format, columns, filters; also the payload of the `export` job.

The `export` job's spec (`EXPORT_JOB`) is declared here, next to its payload.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vkc.comments.filters import CommentFilters
from vkc.comments.keyset import CommentSort
from vkc.jobs.spec import JobSpec
from vkc.settings import Priority, WorkerKind


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"

    @property
    def content_type(self) -> str:
        return {
            ExportFormat.CSV: "text/csv; charset=utf-8",
            ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ExportFormat.JSONL: "application/x-ndjson; charset=utf-8",
        }[self]


class ExportColumn(StrEnum):
    ID = "id"
    VK_COMMENT_ID = "vk_comment_id"
    COMMUNITY_ID = "community_id"
    COMMUNITY_NAME = "community_name"
    OWNER_ID = "owner_id"
    POST_ID = "post_id"
    ROOT_COMMENT_ID = "root_comment_id"
    AUTHOR_ID = "author_id"
    AUTHOR_NAME = "author_name"
    DATE = "date"
    TEXT = "text"
    LIKES = "likes"
    SENTIMENT = "sentiment"
    SENTIMENT_SOURCE = "sentiment_source"
    SENTIMENT_SCORE = "sentiment_score"
    IS_SPAM = "is_spam"
    IS_SPAM_SOURCE = "is_spam_source"
    HAS_PROFANITY = "has_profanity"
    HAS_PROFANITY_SOURCE = "has_profanity_source"
    LANGUAGE = "language"
    MATCH_COUNT = "match_count"
    KEYWORDS = "keywords"
    CATEGORIES = "categories"
    VIEWED = "viewed"
    ARCHIVED = "archived"
    URL = "url"


DEFAULT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn.ID,
    ExportColumn.VK_COMMENT_ID,
    ExportColumn.COMMUNITY_ID,
    ExportColumn.COMMUNITY_NAME,
    ExportColumn.OWNER_ID,
    ExportColumn.POST_ID,
    ExportColumn.AUTHOR_ID,
    ExportColumn.AUTHOR_NAME,
    ExportColumn.DATE,
    ExportColumn.TEXT,
    ExportColumn.LIKES,
    ExportColumn.SENTIMENT,
    ExportColumn.SENTIMENT_SOURCE,
    ExportColumn.IS_SPAM,
    ExportColumn.IS_SPAM_SOURCE,
    ExportColumn.HAS_PROFANITY,
    ExportColumn.HAS_PROFANITY_SOURCE,
    ExportColumn.KEYWORDS,
    ExportColumn.URL,
)

_COLUMNS_DOC = (
    "Columns in this order. Default: "
    + ", ".join(c.value for c in DEFAULT_COLUMNS)
    + ". `date` is ISO 8601 in UTC (a date cell in XLSX); `keywords`/`categories` are the matched keywords' "
    "texts/categories joined with '; '; `url` opens the comment on vk.com. `sentiment`, `is_spam` and "
    "`has_profanity` are the effective labels (an analyst's correction if any); their `*_source` column says "
    "manual or model."
)


class ExportRequest(BaseModel):
    """What to export; also the payload of the `export` job."""

    model_config = ConfigDict(extra="forbid")

    filters: CommentFilters = Field(
        default_factory=CommentFilters, description="The search filters (as GET /v1/comments)."
    )
    format: ExportFormat = Field(description="csv (UTF-8 with BOM, opens in Excel), xlsx or jsonl.")
    columns: list[ExportColumn] = Field(
        default_factory=lambda: list(DEFAULT_COLUMNS),
        min_length=1,
        max_length=len(ExportColumn),
        description=_COLUMNS_DOC,
        json_schema_extra={"uniqueItems": True},  # the rule _no_repeats enforces, stated in the spec
    )
    sort: CommentSort = Field(default=CommentSort.DATE_DESC, description="Row order.")

    @field_validator("columns")
    @classmethod
    def _no_repeats(cls, columns: list[ExportColumn]) -> list[ExportColumn]:
        if len(set(columns)) != len(columns):
            raise ValueError("a column may appear only once")
        return columns


EXPORT_JOB = JobSpec("export", WorkerKind.ANALYZE, Priority.LOW, ExportRequest)
