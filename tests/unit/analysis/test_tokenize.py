"""Word tokens and their offsets: every consumer (matches, snippets, spam gaps) indexes the text."""

from __future__ import annotations

import random
import re

import pytest
from vkc.analysis.tokenize import tokenize

_REFERENCE = re.compile(r"[^\W_]+")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "а а а",
        "аа а аа_а а",  # a word again inside a longer one and after an underscore
        "Заказ№123, заказ-123 и ЗАКАЗ",
        "👍👍 ok ok👍ok",
        "t.me/gorod_chat_2 @user_1",
        "\u00a0слово\u2009слово\nслово",
    ],
)
def test_offsets_point_at_the_token(text: str) -> None:
    toks = tokenize(text)
    assert [(t.text, t.start, t.end) for t in toks] == [(m[0], *m.span()) for m in _REFERENCE.finditer(text)]
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_offsets_on_random_texts() -> None:
    rng = random.Random(7)
    alphabet = "аб ab_1 .,-👍\u0301"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        toks = tokenize(text)
        assert all(text[t.start : t.end] == t.text for t in toks)
        assert [t.start for t in toks] == sorted({t.start for t in toks})
        if "\u0301" not in text:
            assert [(t.text, t.start) for t in toks] == [(m[0], m.start()) for m in _REFERENCE.finditer(text)]


def test_combining_marks_stay_inside_the_word() -> None:
    assert [t.text for t in tokenize("зво\u0301нит и\u0306од")] == ["зво\u0301нит", "и\u0306од"]


@pytest.mark.parametrize("text", ["gorod_chat и н_а_х", "snake_case_name", "без подчёркиваний 42 слова"])
def test_underscores_split_words_with_or_without_them_in_the_text(text: str) -> None:
    """A text with "_" takes the letters-and-digits pattern, one without it the cheaper \\w+: the
    same tokens either way."""
    assert [t.text for t in tokenize(text)] == re.findall(r"[^\W_]+", text)
