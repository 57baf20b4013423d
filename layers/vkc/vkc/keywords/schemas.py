"""Request and response models of /v1/keywords (the rule options mirror ``KeywordRule``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from pydantic.json_schema import SkipJsonSchema

from vkc.analysis.rules import MAX_RULE_TEXT, PhraseMode, RuleKind
from vkc.wire_types import JSON_INT, NOT_NULL

MAX_CATEGORY = 100
MAX_NEGATIVES = 50
MAX_NEGATIVE_TEXT = 200

_TEXT = Field(
    min_length=1,
    max_length=MAX_RULE_TEXT,
    description="The word, phrase or regular expression. Words and phrases match in every word form.",
)


class KeywordCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = _TEXT
    category: str | None = Field(default=None, max_length=MAX_CATEGORY, description="Free-text category.")
    kind: RuleKind | None = Field(
        default=None, description="word, phrase or regex; when omitted: phrase if the text has several words."
    )
    case_sensitive: StrictBool = Field(default=False, description="Match the letter case as written.")
    whole_word: StrictBool = Field(
        default=True, description="false lets a word of 4+ letters match inside longer words ('банк' in 'Сбербанке')."
    )
    phrase_mode: PhraseMode = Field(
        default=PhraseMode.ANY_ORDER,
        description=(
            "exact: adjacent and in order; any_order: within `window` words of one sentence and clause; "
            "any_order_across: within `window` words, across sentence and clause boundaries too."
        ),
    )
    window: Annotated[int, Field(ge=1, le=50), JSON_INT] | None = Field(
        default=None, description="Window of any_order phrases (words)."
    )
    negatives: list[str] = Field(
        default_factory=list,
        max_length=MAX_NEGATIVES,
        description="Words or phrases (any form) whose presence anywhere in the comment vetoes the match.",
    )
    fuzzy: StrictBool = Field(default=True, description="Tolerate one typo in words whose lemma has 6+ letters.")
    active: StrictBool = Field(default=True, description="Inactive keywords are kept but not matched.")


class KeywordUpdate(BaseModel):
    """Only the fields sent change; null clears `category` and `window`, and no other field."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[Annotated[str, Field(min_length=1, max_length=MAX_RULE_TEXT)] | SkipJsonSchema[None], NOT_NULL] = (
        None
    )
    category: str | None = Field(default=None, max_length=MAX_CATEGORY, description="Send null to clear it.")
    kind: Annotated[RuleKind | SkipJsonSchema[None], NOT_NULL] = None
    case_sensitive: Annotated[StrictBool | SkipJsonSchema[None], NOT_NULL] = None
    whole_word: Annotated[StrictBool | SkipJsonSchema[None], NOT_NULL] = None
    phrase_mode: Annotated[PhraseMode | SkipJsonSchema[None], NOT_NULL] = None
    window: Annotated[int, Field(ge=1, le=50), JSON_INT] | None = Field(
        default=None, description="Send null to use the default."
    )
    negatives: Annotated[Annotated[list[str], Field(max_length=MAX_NEGATIVES)] | SkipJsonSchema[None], NOT_NULL] = None
    fuzzy: Annotated[StrictBool | SkipJsonSchema[None], NOT_NULL] = None
    active: Annotated[StrictBool | SkipJsonSchema[None], NOT_NULL] = None


class KeywordView(BaseModel):
    id: uuid.UUID
    text: str
    category: str | None
    kind: RuleKind
    case_sensitive: bool
    whole_word: bool
    phrase_mode: PhraseMode
    window: int | None
    negatives: list[str]
    fuzzy: bool
    active: bool
    created_at: datetime
    updated_at: datetime
    reanalysis_job_id: uuid.UUID | None = Field(
        default=None,
        description="The re-analysis job this change queued (or joined), so stored comments get matched.",
    )


class KeywordPage(BaseModel):
    items: list[KeywordView]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null on the last.")


class CategoryCount(BaseModel):
    category: str
    keywords: int = Field(description="Keywords in this category.")
    active: int = Field(description="Of them, active.")


class CategoryList(BaseModel):
    items: list[CategoryCount] = Field(description="Distinct categories, sorted case-insensitively.")
    uncategorized: int = Field(description="Keywords without a category.")


class ImportFormat(StrEnum):
    TXT = "txt"
    CSV = "csv"


class KeywordImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(description="The file's text (≤ 1 MB, ≤ 10,000 lines).")
    format: ImportFormat | None = Field(default=None, description="txt or csv; guessed when omitted.")
    default_category: str | None = Field(
        default=None, max_length=MAX_CATEGORY, description="Category of lines that do not name one."
    )


class ImportOutcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


class ImportLine(BaseModel):
    line: int = Field(description="1-based line number in the upload.")
    text: str
    outcome: ImportOutcome
    reason: str | None = None
    keyword_id: uuid.UUID | None = Field(
        default=None, description="The created keyword, or the existing one a duplicate repeats."
    )
    duplicate_of_line: int | None = Field(default=None, description="The earlier line this one repeats.")


class ImportReport(BaseModel):
    format: ImportFormat
    header: list[str] | None = Field(description="The csv header row, when one was detected.")
    created: int
    duplicates: int
    invalid: int
    ignored_lines: int = Field(description="Blank and # comment lines.")
    lines: list[ImportLine]
    reanalysis_job_id: uuid.UUID | None = None
