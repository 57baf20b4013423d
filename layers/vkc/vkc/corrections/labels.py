"""The three correctable labels: their API names, their columns on `comments`, how they are stored.

`comments.<effective>` is what every reader filters and counts on; `<manual>` is the correction
(null: none); `<model>` keeps the model's label while a correction hides it (null otherwise). In
the audit table a value is text: a sentiment as is, a flag as "true" / "false".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

SENTIMENTS = ("positive", "neutral", "negative")


class Label(StrEnum):
    SENTIMENT = "sentiment"
    SPAM = "spam"
    PROFANITY = "profanity"


@dataclass(frozen=True, slots=True)
class LabelColumns:
    field: str  # the API field, as on a comment view
    effective: str
    manual: str
    model: str
    classes: tuple[str, ...]  # the stored text values, in report order


COLUMNS: dict[Label, LabelColumns] = {
    Label.SENTIMENT: LabelColumns("sentiment", "sentiment", "sentiment_manual", "sentiment_model", SENTIMENTS),
    Label.SPAM: LabelColumns("is_spam", "is_spam", "spam_manual", "spam_model", ("true", "false")),
    Label.PROFANITY: LabelColumns(
        "has_profanity", "has_profanity", "profanity_manual", "profanity_model", ("true", "false")
    ),
}

LabelValue = str | bool | None
LabelSource = Literal["manual", "model"]


def stored(value: LabelValue) -> str | None:
    """A label as the audit table keeps it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def parsed(label: Label, value: str | None) -> LabelValue:
    """The audit table's text back to the API's type."""
    if value is None or label is Label.SENTIMENT:
        return value
    return value == "true"


def source(manual: LabelValue, effective: LabelValue) -> LabelSource | None:
    """manual when an analyst's correction is in force, "model" when the model's label is, else null."""
    if manual is not None:
        return "manual"
    return "model" if effective is not None else None
