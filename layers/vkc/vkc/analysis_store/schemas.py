"""Models of the `reanalyze` job payload and of `POST /v1/analysis/preview`."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from vkc.jobs.spec import JobSpec
from vkc.keywords.schemas import KeywordCreate
from vkc.settings import Priority, WorkerKind

MAX_PREVIEW_TEXTS = 100
MAX_PREVIEW_CHARS = 10_000
MAX_PREVIEW_RULES = 200
MAX_PREVIEW_KEYWORDS = 500


class ReanalyzePayload(BaseModel):
    """Re-run analysis over every stored comment of the workspace (queued when keywords change)."""

    model_config = ConfigDict(extra="forbid")


REANALYZE_JOB = JobSpec("reanalyze", WorkerKind.ANALYZE, Priority.LOW, ReanalyzePayload)


class PreviewRule(KeywordCreate):
    """An ad hoc rule: the options of a keyword, plus an id of your choosing to tell matches apart."""

    id: str | None = Field(default=None, max_length=100, description="Defaults to rule-1, rule-2, … by position.")


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: list[Annotated[str, Field(max_length=MAX_PREVIEW_CHARS)]] = Field(
        min_length=1, max_length=MAX_PREVIEW_TEXTS, description="Up to 100 texts of up to 10,000 characters."
    )
    rules: list[PreviewRule] | None = Field(default=None, max_length=MAX_PREVIEW_RULES, description="Ad hoc rules.")
    keyword_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=MAX_PREVIEW_KEYWORDS,
        description="Saved keywords to apply (inactive ones too). When neither rules nor keyword_ids is "
        "given, the workspace's active keywords are used.",
    )


class PreviewMatch(BaseModel):
    rule_id: str = Field(description="The ad hoc rule's id, or the keyword's id.")
    keyword_id: uuid.UUID | None = Field(description="Set for saved keywords.")
    category: str | None
    matched: str = Field(description="The text as written: text[start:end].")
    start: int
    end: int
    lemmas: list[str] = Field(description="Lemmas that matched (empty for regex rules).")
    fuzzy: bool = Field(description="Matched with one typo.")
    snippet: str = Field(description="Context around the match.")
    snippet_start: int = Field(description="Offset of the snippet in the text.")
    highlight_start: int = Field(description="Offsets of the match inside the snippet.")
    highlight_end: int


class PreviewSentiment(BaseModel):
    label: str = Field(description="positive, neutral or negative")
    score: float = Field(description="In [-1, 1].")


class PreviewSpam(BaseModel):
    is_spam: bool
    score: float
    reasons: list[str]


class PreviewProfanity(BaseModel):
    profanity: bool = Field(description="Obscene words.")
    insult: bool = Field(description="A name-calling word aimed at a person.")
    terms: list[str] = Field(description="The offending words as written.")


class PreviewResult(BaseModel):
    index: int = Field(description="Position of the text in the request.")
    matches: list[PreviewMatch]
    sentiment: PreviewSentiment
    spam: PreviewSpam
    profanity: PreviewProfanity
    language: str = Field(description="ISO 639-1 code, or und.")


class PreviewResponse(BaseModel):
    rules: int = Field(description="How many rules were applied.")
    unmatchable: list[str] = Field(description="Ids of rules that can never match (e.g. no words).")
    results: list[PreviewResult]
