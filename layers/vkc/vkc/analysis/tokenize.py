"""Word tokenization with exact offsets into the original text.

Tokens are maximal runs of letters/digits (plus combining marks, so "и\u0306" stays one token).
Hyphens, apostrophes, emoji and punctuation split tokens: "интернет-магазин" yields "интернет" and
"магазин", which is what keyword matching wants.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

# [^\W_] = a letter or digit; \u0300-\u036f and \u0483-\u0489 = combining marks that Python's \w omits.
_WORD_RE = re.compile(r"[^\W_][^\W_\u0300-\u036f\u0483-\u0489]*(?:[\u0300-\u036f\u0483-\u0489]+[^\W_]*)*")


class Token(NamedTuple):
    """A word token: surface text exactly as in the input and its [start, end) offsets."""

    text: str
    start: int
    end: int


_make_token = Token._make
_PLAIN_WORD_RE = re.compile(r"[^\W_]+")
_WORD_CHARS_RE = re.compile(r"\w+")  # the same runs in a text without "_", and a cheaper class test
_MARK_RE = re.compile(r"[\u0300-\u036f\u0483-\u0489]")


def tokenize(text: str) -> list[Token]:
    """Split text into word tokens; ``text[t.start:t.end] == t.text`` always holds."""
    if _MARK_RE.search(text):  # combining marks are rare: the full pattern only when needed
        make = _make_token  # skips the keyword-argument handling of Token(...): a fifth of the time
        return [make((m[0], *m.span())) for m in _WORD_RE.finditer(text)]
    # findall (no match objects) and str.find for the offsets: a third cheaper than finditer. The
    # offsets are exact: every letter or digit starts a match, so between one match's end and the
    # next match's start there is none, and a word cannot occur there; its first occurrence from
    # the previous end is the match itself.
    out: list[Token] = []
    append = out.append
    find = text.find
    new = tuple.__new__
    end = 0
    for word in (_PLAIN_WORD_RE if "_" in text else _WORD_CHARS_RE).findall(text):
        start = find(word, end)
        end = start + len(word)
        append(new(Token, (word, start, end)))
    return out


BREAK_CHARS = ".,;:!?()\n"  # clause punctuation between two tokens
BREAK_RE = re.compile(r"[.,;:!?()\n]")


def has_break(text: str, end: int, start: int) -> bool:
    """True if the gap text[end:start] between two tokens holds clause punctuation."""
    if start - end <= 1:  # adjacent or one character apart: the common single space
        return start > end and text[end] in BREAK_CHARS
    return BREAK_RE.search(text, end, start) is not None


# Sentence ends, brackets, a colon and a dash (a spaced hyphen too, not the one inside a word).
_SENTENCE_RE = re.compile(r"[.!?;…()\n:—–]|\s-|-\s")
_CLAUSE_PUNCT_RE = re.compile(r",")
# A clause starts at these words even without a comma ("быстро но грубо", common in VK).
_CLAUSE_WORDS = frozenset({"но", "однако", "зато"})
# ... and at these after a comma, colon or dash ("доставили, а курьер нахамил").
_CLAUSE_WORDS_AFTER_PUNCT = frozenset(
    {"а", "хотя", "если", "когда", "пока", "потому", "поэтому", "чтобы", "ибо", "причем", "ведь", "зато", "или"}
)


def clause_ids(text: str, tokens: Sequence[Token], norms: Sequence[str]) -> list[int]:
    """Clause number of each token: a new one starts after sentence punctuation, a bracket, a colon
    or a dash, at "но"/"однако"/"зато", and at a subordinating or contrasting word after a comma.

    A plain comma does not start a clause: lists and appositions ("квартира, сдаю") stay together.
    """
    out = []
    clause = 0
    for i, tok in enumerate(tokens):
        if i:
            end, start = tokens[i - 1].end, tok.start
            norm = norms[i]
            if (
                norm in _CLAUSE_WORDS
                or _SENTENCE_RE.search(text, end, start) is not None
                or (norm in _CLAUSE_WORDS_AFTER_PUNCT and _CLAUSE_PUNCT_RE.search(text, end, start) is not None)
            ):
                clause += 1
        out.append(clause)
    return out
