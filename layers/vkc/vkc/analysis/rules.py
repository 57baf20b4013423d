"""Keyword rules as the API/DB layer hands them to the engine."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_RULE_TEXT = 500


class RuleKind(StrEnum):
    """word: one word in any form; phrase: several words; regex: a pattern on the raw text."""

    WORD = "word"
    PHRASE = "phrase"
    REGEX = "regex"


class PhraseMode(StrEnum):
    """exact: the words are adjacent and in order; any_order: all within ``window`` tokens of one
    sentence and clause; any_order_across: within ``window`` tokens, even across sentences and
    clauses ("доставка быстрая. курьер хамит" is then a match for "быстрый курьер")."""

    EXACT = "exact"
    ANY_ORDER = "any_order"
    ANY_ORDER_ACROSS = "any_order_across"


class KeywordRule(BaseModel):
    """One keyword rule of a workspace.

    ``negatives`` are words or phrases (matched in any form) whose presence anywhere in the text
    vetoes this rule. ``whole_word=False`` lets a word of 4+ letters match inside a longer word
    ("банк" in "Сбербанке"); shorter words always match whole tokens only. ``fuzzy`` tolerates one
    typo in unknown words when the keyword's lemma has 6+ letters.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | int
    text: str = Field(min_length=1, max_length=MAX_RULE_TEXT)
    category: str | None = None
    kind: RuleKind = RuleKind.WORD
    case_sensitive: bool = False
    whole_word: bool = True
    phrase_mode: PhraseMode = PhraseMode.ANY_ORDER
    window: int | None = Field(default=None, ge=1, le=50)
    negatives: list[str] = Field(default_factory=list)
    fuzzy: bool = True
    active: bool = True

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("rule text is blank")
        return v

    @field_validator("negatives")
    @classmethod
    def _clean_negatives(cls, v: list[str]) -> list[str]:
        return [n.strip() for n in v if n.strip()]

    @model_validator(mode="after")
    def _regex_compiles(self) -> KeywordRule:
        if self.kind is RuleKind.REGEX:
            try:
                re.compile(self.text)
            except re.error as exc:
                raise ValueError(f"invalid regular expression: {exc}") from exc
        return self
