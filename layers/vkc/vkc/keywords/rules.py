"""Keyword rows ↔ engine rules, and validation of user input through the engine's ``KeywordRule``.

Why through the engine: what makes a rule valid (a regex that compiles, a phrase with words, window
bounds) is defined once, in ``vkc.analysis.rules``; the API reports its reason verbatim.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from vkc.analysis.rules import KeywordRule, PhraseMode, RuleKind
from vkc.analysis.tokenize import tokenize
from vkc.db.models_analysis import Keyword
from vkc.errors import InvalidInput

RULE_FIELDS = (
    "text",
    "category",
    "kind",
    "case_sensitive",
    "whole_word",
    "phrase_mode",
    "window",
    "negatives",
    "fuzzy",
    "active",
)


class RuleError(ValueError):
    """A rule the engine refuses; ``reason`` is meant for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def infer_kind(text: str) -> RuleKind:
    """phrase when the text has several words, else word (a regex is never guessed)."""
    return RuleKind.PHRASE if len(tokenize(text)) > 1 else RuleKind.WORD


def clean_category(category: str | None) -> str | None:
    value = (category or "").strip()
    return value or None


def check_rule(fields: dict[str, Any], rule_id: str | int = "candidate") -> KeywordRule:
    """The engine's rule for these fields, or ``RuleError`` with the reason it is not valid."""
    values = {k: v for k, v in fields.items() if k in RULE_FIELDS}
    values["text"] = str(values.get("text", "")).strip()
    if not values["text"]:
        raise RuleError("The keyword text is blank.")
    values["category"] = clean_category(values.get("category"))
    if values.get("kind") is None:
        values["kind"] = infer_kind(values["text"])
    if values.get("phrase_mode") is None:
        values.pop("phrase_mode", None)
    try:
        rule = KeywordRule(id=rule_id, **values)
    except ValidationError as exc:
        raise RuleError("; ".join(_reason(e) for e in exc.errors())) from None
    if rule.kind is not RuleKind.REGEX and not tokenize(rule.text):
        raise RuleError("The keyword has no letters or digits to match; use kind=regex for symbols.")
    empty = [n for n in rule.negatives if not tokenize(n)]
    if empty:
        raise RuleError(f"Negative keyword {empty[0]!r} has no letters or digits.")
    return rule


def validated(fields: dict[str, Any]) -> KeywordRule:
    """``check_rule`` for the API: an invalid rule is a 422 problem carrying the reason."""
    try:
        return check_rule(fields)
    except RuleError as exc:
        raise InvalidInput(f"The keyword is not valid: {exc.reason}", extra={"reason": exc.reason}) from None


def rule_of(keyword: Keyword, *, force_active: bool = False) -> KeywordRule:
    """The stored keyword as the engine's rule (its id is the keyword's UUID as a string)."""
    return KeywordRule(
        id=str(keyword.id),
        text=keyword.text,
        category=keyword.category,
        kind=RuleKind(keyword.kind),
        case_sensitive=keyword.case_sensitive,
        whole_word=keyword.whole_word,
        phrase_mode=PhraseMode(keyword.phrase_mode),
        window=keyword.window,
        negatives=list(keyword.negatives),
        fuzzy=keyword.fuzzy,
        active=True if force_active else keyword.active,
    )


def _reason(error: Any) -> str:
    msg = str(error.get("msg", "invalid"))
    msg = msg.removeprefix("Value error, ")
    loc = [str(p) for p in error.get("loc", ()) if p != "__root__"]
    return f"{'.'.join(loc)}: {msg}" if loc else msg
