"""Lexicon sentiment for short comments: negation, intensifiers, contrast, emoji and "!".

An honest v1: a curated lexicon (``sentiment_lexicon``) with a few rules, no model. It reads
"не понравилось" as negative, "не плохо" as mildly positive, "не очень" as mildly negative, and
weighs what follows "но" more than what precedes it. Sarcasm and domain-specific neutral uses of
charged words ("жесть как интересно") are out of its reach.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from vkc.analysis.morphology import Morphology
from vkc.analysis.normalize import fold
from vkc.analysis.results import DumpMixin
from vkc.analysis.sentiment_lexicon import (
    CONTRAST,
    DUAL_INTENSIFIERS,
    EMOJI,
    EXPRESSIONS,
    HEDGES,
    INTENSIFIERS,
    LEXICON,
    NEGATORS,
    SOFTENERS,
)
from vkc.analysis.tokenize import BREAK_CHARS, BREAK_RE, Token

LABEL_THRESHOLD = 0.2  # |score| below this is neutral
_SQUASH = 6.0  # score = s / sqrt(s² + _SQUASH): s = 1 -> 0.38, s = 2 -> 0.63, s = 4 -> 0.85
_NEG_SCOPE = 3  # tokens a negator reaches
_LAUGH_RE = re.compile(r"^(?:[ах]*(?:ха|хх|ах)){2,}[ах]*$|^(?:хе){2,}|^(?:лол)+$")
_EMOTICON_RE = re.compile(r"(?<!\w)[:;=xXхХ8]-?(?:\)+|[dD]+|\(+|[pP])(?!\w)")
_EMOTICON_GATE_RE = re.compile(r"[:;=xXхХ8]-?[()dDpP]")  # cheap scan before the exact pattern
_EMOJI_CHAR_RE = re.compile("[\u2600-\u27bf\U0001f300-\U0001faff]")
EMOJI_CHARS_SPAM_ONLY = "\u203c\u2049"  # spam's emoji set is this one plus these two (see ``read``)
_NO_TOKENS: frozenset[int] = frozenset()
_INERT = (0, 0.0, False)  # the facts of a word the lexicon does not know
_EXPR_FIRST: dict[str, list[tuple[tuple[str, ...], float]]] = {}
for _expr, _w in sorted(EXPRESSIONS.items(), key=lambda kv: -len(kv[0])):
    _EXPR_FIRST.setdefault(_expr[0], []).append((_expr, _w))
_EXPR_PAIR: dict[tuple[str, str], list[tuple[tuple[str, ...], float]]] = {}
_EXPR_SINGLE: dict[str, float] = {}
for _cands in _EXPR_FIRST.values():
    for _expr, _w in _cands:
        if len(_expr) >= 2:
            _EXPR_PAIR.setdefault((_expr[0], _expr[1]), []).append((_expr, _w))
        else:
            _EXPR_SINGLE.setdefault(_expr[0], _w)


class SentimentLabel(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


@dataclass(slots=True, unsafe_hash=True)
class Sentiment(DumpMixin):
    """Label and score in [-1, 1]; ``raw`` is the unsquashed sum (useful for debugging)."""

    label: SentimentLabel
    score: float
    raw: float


class LexiconReading(NamedTuple):
    """What the lexicon and rules saw in one comment; the trained model uses it as features."""

    label: SentimentLabel
    score: float
    raw: float
    positive: float  # sum of the positive word/expression parts (after negation and contrast)
    negative: float  # sum of the negative parts (a negative number or 0)
    emoji: float  # emoji, emoticon and bracket-smiley weight
    before_contrast: float  # sum of the parts before the last "но"/"однако"/... (0 without one)
    after_contrast: float  # ... and after it
    negated: frozenset[int]  # token indices inside a negation's scope
    contrast_at: int  # token index of the last contrast word, -1 without one
    emojis: tuple[str, ...]  # emoji characters in the text, in order
    first_clause: float  # sum of the parts up to the first clause punctuation
    later_clauses: float  # ... and after it ("отличный банк, четвёртый раз блокируют карту")

    def sentiment(self) -> Sentiment:
        return Sentiment(label=self.label, score=round(self.score, 4), raw=round(self.raw, 4))


_new_reading = tuple.__new__


def label_of(score: float) -> SentimentLabel:
    if score >= LABEL_THRESHOLD:
        return SentimentLabel.POSITIVE
    if score <= -LABEL_THRESHOLD:
        return SentimentLabel.NEGATIVE
    return SentimentLabel.NEUTRAL


def _emoji_weight(text: str, emojis: Sequence[str]) -> float:
    total = 0.0
    for ch in emojis:
        total += EMOJI.get(ch, 0.0)
    faces = _EMOTICON_RE.finditer(text) if _EMOTICON_GATE_RE.search(text) else ()
    for m in faces:
        face = m.group().lower()
        total += -1.5 if "(" in face else 1.0
    # Bare brackets are VK smileys ("спасибо))", "опять ((("): count only the unbalanced excess,
    # so a parenthetical remark "(см. выше)" adds nothing.
    excess = text.count(")") - text.count("(")
    if excess:
        total += math.copysign(0.6 + 0.2 * min(abs(excess) - 1, 2), excess)
    return total


class SentimentScorer:
    """Scores tokens with the lexicon; word weights are cached per folded token."""

    def __init__(self, morph: Morphology) -> None:
        self._morph = morph
        self.word_weight = lru_cache(maxsize=262_144)(self._word_weight)
        self._facts_cache: dict[str, tuple[int, float, bool]] = {}
        self._inert: set[str] = set()  # words whose facts are _INERT

    def _word_weight(self, norm: str) -> float:
        w = LEXICON.get(norm)
        if w is not None:
            return w
        if _LAUGH_RE.match(norm):
            return 0.8
        if len(norm) < 2 or not norm.isalpha():
            return 0.0
        for lemma in self._morph.info(norm).lemmas:
            w = LEXICON.get(lemma)
            if w is not None:
                return w
        return 0.0

    def _facts(self, norm: str) -> tuple[int, float, bool]:
        """(role, value, starts an expression) of a word: role 0 plain (value = weight),
        1 contrast, 2 negator, 3 intensifier (value = multiplier), 4 softening intensifier."""
        starts = norm in _EXPR_FIRST
        if norm in CONTRAST:
            return 1, 0.0, starts
        if norm in NEGATORS:
            return 2, 0.0, starts
        if norm in INTENSIFIERS and LEXICON.get(norm) is None:
            return (4 if norm in SOFTENERS else 3), INTENSIFIERS[norm], starts
        return 0, self.word_weight(norm), starts

    def score(self, text: str, tokens: Sequence[Token], norms: Sequence[str] | None = None) -> Sentiment:
        return self.read(text, tokens, norms).sentiment()

    def read(
        self,
        text: str,
        tokens: Sequence[Token],
        norms: Sequence[str] | None = None,
        emojis: tuple[str, ...] | None = None,
    ) -> LexiconReading:
        """Lexicon score of a comment, with the parts the trained model takes as features.

        ``emojis``: the text's emoji characters (``_EMOJI_CHAR_RE``), when the caller has scanned
        for them already (the analyzer scans once for this and spam: a full pass over the text).
        """
        norms = [fold(t.text) for t in tokens] if norms is None else norms
        facts_cache = self._facts_cache
        parts: list[float] = []
        negated: list[int] = []
        contrast_at = -1
        contrast_token = -1
        negate = 0  # tokens left in the current negation scope
        softened = False  # "не очень" seen, waiting for its word
        mult = 1.0
        first_end = -1  # len(parts) at the first clause break
        i = 0
        # A third of the comments hold no word the lexicon knows (no weight, role or expression):
        # their reading is empty, the loop below would only walk the clause breaks.
        inert = self._inert
        n = 0 if inert.issuperset(norms) else len(tokens)
        while i < n:
            if not negate and mult == 1.0 and norms[i] in inert:
                # Nothing pending (no negation scope, no intensifier; "softened" implies a scope):
                # words that carry nothing change nothing, and a clause break between them only
                # matters as the first one. Jump to the next word that may carry something; its
                # own break check runs below as usual. Most words of a comment are such words.
                j = i + 1
                while j < n and norms[j] in inert:
                    j += 1
                lo = i or 1  # the skipped gaps are (t - 1, t) for t in lo .. j - 1
                if (
                    first_end < 0 and lo < j and BREAK_RE.search(text, tokens[lo - 1][2], tokens[j - 1][1]) is not None
                ):  # tokens hold no punctuation, so one search covers the gaps and the words between
                    first_end = len(parts)
                i = j
                if i == n:
                    break
            if i:  # has_break, inlined: it runs for every token
                gap_at = tokens[i - 1][2]
                gap = tokens[i][1] - gap_at
                if (
                    text[gap_at] in BREAK_CHARS
                    if gap == 1
                    else gap > 1 and BREAK_RE.search(text, gap_at, gap_at + gap) is not None
                ):
                    if softened:
                        parts.append(-1.0)
                    negate, softened, mult = 0, False, 1.0
                    if first_end < 0:
                        first_end = len(parts)
            norm = norms[i]
            facts = facts_cache.get(norm)
            if facts is None:
                facts = facts_cache[norm] = self._facts(norm)
                if facts == _INERT:
                    self._inert.add(norm)
            role, w, starts_expr = facts
            if starts_expr:
                expr = self._expression(norms, i)
                if expr is not None:
                    length, w = expr
                    if w:
                        parts.append(w)
                    hedge = not w and tuple(norms[i : i + length]) in HEDGES
                    negate, softened, mult = (_NEG_SCOPE if hedge else 0), False, 1.0
                    i += length
                    continue
            i += 1
            if role == 1:
                contrast_at = len(parts)
                contrast_token = i - 1
                continue
            if role == 2:
                negate = _NEG_SCOPE
                continue
            if w < 0 and norm in DUAL_INTENSIFIERS and i < n and self.word_weight(norms[i]) > 0:
                mult *= DUAL_INTENSIFIERS[norm]  # "ужасно вкусно": the adverb only intensifies
                continue
            if negate:
                negated.append(i - 1)
            if role >= 3:
                if negate and role == 4:
                    softened = True
                mult *= w
                continue
            if w:
                if negate:
                    w = -0.75 * w if w > 0 else -0.4 * w
                    if softened:
                        w *= 0.7
                parts.append(w * (1.0 if negate else mult))
                negate, softened, mult = 0, False, 1.0
            elif negate:
                negate -= 1
                if not negate and softened:
                    parts.append(-1.0)
                    softened = False
        if softened:
            parts.append(-1.0)
        first = later = before = after = positive = negative = 0.0
        if parts:  # most comments carry no lexicon word: skip the sums
            if first_end < 0:
                first_end = len(parts)
            first, later = sum(parts[:first_end]), sum(parts[first_end:])
            if contrast_at > 0:
                parts = [p * 0.5 for p in parts[:contrast_at]] + [p * 1.5 for p in parts[contrast_at:]]
                before = sum(parts[:contrast_at])
                after = sum(parts[contrast_at:])
            for p in parts:
                if p > 0:
                    positive += p
                else:
                    negative += p
        if emojis is None:
            emojis = tuple(_EMOJI_CHAR_RE.findall(text))
        emoji = _emoji_weight(text, emojis)
        raw = sum(parts) + emoji
        if raw:
            raw *= 1.0 + 0.15 * min(text.count("!"), 3)
        score = raw / math.sqrt(raw * raw + _SQUASH)
        # tuple.__new__ directly: the NamedTuple's own __new__ is a Python function with 13 arguments
        return _new_reading(
            LexiconReading,
            (
                label_of(score),
                score,
                raw,
                positive,
                negative,
                emoji,
                before,
                after,
                frozenset(negated) if negated else _NO_TOKENS,
                contrast_token,
                emojis,
                first,
                later,
            ),
        )

    @staticmethod
    def _expression(norms: Sequence[str], i: int) -> tuple[int, float] | None:
        # Candidates by their first two words ("не" alone starts 33 expressions), longest first
        # as in _EXPR_FIRST; the one-word ones, if any, come last there too.
        if i + 1 < len(norms):
            for expr, w in _EXPR_PAIR.get((norms[i], norms[i + 1]), ()):
                if len(expr) == 2 or tuple(norms[i : i + len(expr)]) == expr:
                    return len(expr), w
        single = _EXPR_SINGLE.get(norms[i])
        return None if single is None else (1, single)
