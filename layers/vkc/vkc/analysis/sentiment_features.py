"""Features of the linear sentiment model: hashed word, lemma and character n-grams plus rule facts.

One definition serves training (``evals/train_sentiment.py`` turns ``comment_features`` into a
sparse matrix) and inference (``sentiment_model`` sums the same features' weights, cached per
token), so the two cannot drift apart.

Sparse part: every token gives its word, its lemma and the character 3-5-grams of "<word>"; a token
inside a negation's scope also gives "n|lemma", and one after the last "но"/"однако" gives
"a|lemma" (the clause that usually carries the verdict), and every token of a comment with praise
in it gives "p|lemma" (so "блокируют" beside "отличный банк" can learn to mean irony); every emoji
character is a feature. Word
bigrams were tried and left out: the same dev accuracy (0.804 with, 0.806 without) for a third of
the model's time per comment. Each occurrence has the value 1/sqrt(total), so long
comments do not outweigh short ones.

Dense part: what the lexicon and its rules concluded (``LexiconReading``), squashed to about
[-1, 1]: they carry knowledge that a few thousand labelled comments cannot teach.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

from vkc.analysis.morphology import Morphology
from vkc.analysis.sentiment import LexiconReading, SentimentLabel
from vkc.analysis.tokenize import Token

HASH_BITS = 18
HASH_SIZE = 1 << HASH_BITS
CLASSES = (SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE)
NEGATED = 1
AFTER_CONTRAST = 2
IN_PRAISE = 4  # the comment has praise somewhere: "p|lemma" lets complaints next to it read as irony
CHAR_NGRAMS = (3, 4, 5)

# Words that turn praise into a complaint when they appear beside it ("отличный банк, четвёртый
# раз блокируют карту"): repetition, waiting, nobody answering.
COMPLAINT_MARKERS = frozenset(
    {
        "опять", "снова", "очередной", "очередная", "очередное", "третий", "четвертый", "пятый",
        "десятый", "раз", "сколько", "никто", "ничего", "никогда", "до", "уже", "неделю", "месяц",
        "причины", "спасибо", "просто", "конечно", "ага", "ну", "прям", "браво", "молодцы",
    }
)  # fmt: skip
DENSE = (
    "lex_score",
    "lex_positive",
    "lex_negative",
    "lex_emoji",
    "lex_before_contrast",
    "lex_after_contrast",
    "contrast_turns_negative",
    "contrast_turns_positive",
    "praise_with_complaint",
    "positive_emoji_negative_words",
    "exclamations",
    "question",
    "no_words",
    "brackets_happy",
    "brackets_sad",
    "quotes",
    "lex_first_clause",
    "lex_later_clauses",
    "praise_then_complaint",
    "praise_then_complaint_words",
    "ellipsis",
    "colon_after_praise",
)
N_DENSE = len(DENSE)


def feature_index(key: str) -> int:
    """Stable bucket of a feature key (crc32: the same in every process, unlike ``hash``)."""
    return zlib.crc32(key.encode("utf-8")) & (HASH_SIZE - 1)


def _squash(x: float) -> float:
    return x / (1.0 + abs(x))


def token_keys(norm: str, lemma: str, ctx: int) -> list[str]:
    """Feature keys of one folded token in its context (``NEGATED``/``AFTER_CONTRAST`` bits)."""
    if norm.isdigit():
        return ["w|<num>"]
    keys = ["w|" + norm]
    if lemma != norm:
        keys.append("l|" + lemma)
    padded = "<" + norm + ">"
    for n in CHAR_NGRAMS:
        keys.extend("c|" + padded[i : i + n] for i in range(len(padded) - n + 1))
    if ctx & NEGATED:
        keys.append("n|" + lemma)
    if ctx & AFTER_CONTRAST:
        keys.append("a|" + lemma)
    if ctx & IN_PRAISE:
        keys.append("p|" + lemma)
    return keys


def token_context(i: int, reading: LexiconReading) -> int:
    ctx = NEGATED if i in reading.negated else 0
    if 0 <= reading.contrast_at < i:
        ctx |= AFTER_CONTRAST
    if reading.positive > 0:
        ctx |= IN_PRAISE
    return ctx


def emoji_key(ch: str) -> str:
    return "e|" + ch


def dense_terms(text: str, norms: Sequence[str], reading: LexiconReading, complaint: bool) -> list[tuple[int, float]]:
    """The rule facts that are not zero, as (index in ``DENSE``, value) in ``DENSE`` order;
    ``complaint``: some token is in ``COMPLAINT_MARKERS``.

    Why pairs: in a typical comment 4 to 6 of the 22 facts are set, and the model adds only those;
    each group of facts is computed only when its gate says it can be set.
    """
    # the reading's fields as locals: one unpacking instead of an attribute lookup per use
    _, score, _, positive, negative, emoji, before, after, _, contrast_at, _, first, later = reading
    out: list[tuple[int, float]] = []
    add = out.append
    if score:
        add((0, score))  # lex_score
    if positive:
        add((1, positive / (1.0 + positive)))  # lex_positive
    if negative:
        add((2, negative / (1.0 - negative)))  # lex_negative
    if emoji:
        add((3, _squash(emoji)))  # lex_emoji
    if contrast_at >= 0:
        if before:
            add((4, _squash(before)))  # lex_before_contrast
        if after:
            add((5, _squash(after)))  # lex_after_contrast
        if after < 0:
            add((6, 1.0))  # contrast_turns_negative
        if after > 0:
            add((7, 1.0))  # contrast_turns_positive
    if positive > 0 and (negative < 0 or complaint):
        add((8, 1.0))  # praise_with_complaint
    if emoji > 0 and negative < 0:
        add((9, 1.0))  # positive_emoji_negative_words
    if "!" in text:
        add((10, min(text.count("!"), 3) / 3.0))  # exclamations
    if "?" in text:
        add((11, 1.0))  # question
    if not norms:
        add((12, 1.0))  # no_words
    if ")" in text or "(" in text:
        brackets = text.count(")") - text.count("(")
        if brackets > 0:
            add((13, 1.0))  # brackets_happy
        elif brackets < 0:
            add((14, 1.0))  # brackets_sad
    if '"' in text or "«" in text:
        add((15, 1.0))  # quotes
    if first:
        add((16, _squash(first)))  # lex_first_clause
    if later:
        add((17, _squash(later)))  # lex_later_clauses
    if first > 0:
        if later < 0:
            add((18, 1.0))  # praise_then_complaint
        if later <= 0 and complaint:
            add((19, 1.0))  # praise_then_complaint_words
    if "…" in text or "..." in text:
        add((20, 1.0))  # ellipsis
    if first > 0 and ":" in text:
        add((21, 1.0))  # colon_after_praise
    return out


def dense_features(text: str, norms: Sequence[str], reading: LexiconReading, complaint: bool) -> list[float]:
    """The rule facts as a full vector (what the trainer fits on): ``dense_terms``, zeros elsewhere."""
    out = [0.0] * N_DENSE
    for k, x in dense_terms(text, norms, reading, complaint):
        out[k] = x
    return out


def comment_features(
    text: str, tokens: Sequence[Token], norms: Sequence[str], reading: LexiconReading, morph: Morphology
) -> tuple[list[str], list[float]]:
    """All sparse feature keys of a comment (with repeats) and its dense vector."""
    keys: list[str] = []
    for i, norm in enumerate(norms):
        keys.extend(token_keys(norm, morph.info(norm).lemmas[0], token_context(i, reading)))
    keys.extend(emoji_key(ch) for ch in reading.emojis)
    complaint = any(n in COMPLAINT_MARKERS for n in norms)
    return keys, dense_features(text, norms, reading, complaint)


def sparse_scale(n_keys: int) -> float:
    return 1.0 / math.sqrt(n_keys) if n_keys else 0.0
