"""Rule validation goes through the engine's KeywordRule; reasons are the engine's words."""

from __future__ import annotations

import pytest
from vkc.analysis.rules import RuleKind
from vkc.errors import InvalidInput
from vkc.keywords.rules import RuleError, check_rule, validated


def test_kind_is_inferred_from_the_text() -> None:
    assert check_rule({"text": " квартира "}).kind is RuleKind.WORD
    assert check_rule({"text": "сдать квартиру"}).kind is RuleKind.PHRASE
    assert check_rule({"text": "квартира", "kind": "regex"}).kind is RuleKind.REGEX


def test_invalid_regex_reports_why() -> None:
    with pytest.raises(RuleError, match="invalid regular expression"):
        check_rule({"text": "(квартир", "kind": "regex"})
    with pytest.raises(InvalidInput) as info:
        validated({"text": "[a-", "kind": "regex"})
    assert "invalid regular expression" in info.value.extra["reason"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"text": "!!!"}, "no letters or digits"),
        ({"text": "квартира", "negatives": ["—"]}, "Negative keyword"),
        ({"text": "квартира", "kind": "sentence"}, "kind"),
        ({"text": "сдать квартиру", "window": 99}, "window"),
        ({"text": "   "}, "blank"),
    ],
)
def test_invalid_rules(fields: dict[str, object], reason: str) -> None:
    with pytest.raises(RuleError, match=reason):
        check_rule(fields)


def test_category_is_trimmed_and_blank_means_none() -> None:
    assert check_rule({"text": "квартира", "category": "  "}).category is None
    assert check_rule({"text": "квартира", "category": " жильё "}).category == "жильё"
