"""Top terms and trending terms from lemma counts.

Counts are plain ``Counter`` objects so the caller can store them per time window (hourly rows)
and never needs every comment in memory. Only content words count: nouns, adjectives, verbs and
proper nouns (the most likely reading), minus stopwords; Latin words count by their English lemma.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from vkc.analysis.morphology import Morphology, default_morphology
from vkc.analysis.normalize import fold
from vkc.analysis.stopwords import EN_FUNCTION_WORDS, RU_STOPWORDS
from vkc.analysis.tokenize import Token, tokenize

CONTENT_POS = frozenset({"NOUN", "ADJ", "VERB", "PROPN"})
MIN_TREND_COUNT = 5


class TrendingTerm(BaseModel):
    """A lemma more frequent now than in the baseline; ``g2`` is the log-likelihood statistic."""

    model_config = ConfigDict(frozen=True)

    lemma: str
    current: int
    baseline: int
    g2: float
    ratio: float  # relative frequency now / before (baseline smoothed by 0.5)


def content_lemma(norm: str, morph: Morphology) -> str | None:
    """The lemma a folded token counts as, or None if it is no content word."""
    if len(norm) < 2:
        return None
    info = morph.info(norm)
    lemma = info.lemmas[0]
    if info.script == "cyr":
        if info.pos in CONTENT_POS and lemma not in RU_STOPWORDS and norm not in RU_STOPWORDS:
            return lemma
    elif info.script == "lat" and len(norm) >= 3 and norm not in EN_FUNCTION_WORDS:
        return lemma
    return None


def content_lemmas(tokens: Sequence[Token], morph: Morphology, norms: Sequence[str] | None = None) -> list[str]:
    """Lemmas of the content words of one comment, in text order (for per-window counts)."""
    out: list[str] = []
    for norm in [fold(t.text) for t in tokens] if norms is None else norms:
        lemma = content_lemma(norm, morph)
        if lemma is not None:
            out.append(lemma)
    return out


def lemma_counts(texts: Iterable[str], morph: Morphology | None = None) -> Counter[str]:
    """Content-lemma frequencies over many texts."""
    m = morph if morph is not None else default_morphology()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(content_lemmas(tokenize(text), m))
    return counts


def top_lemmas(texts: Iterable[str], n: int = 20, morph: Morphology | None = None) -> list[tuple[str, int]]:
    """The ``n`` most frequent content lemmas, ties broken alphabetically (deterministic)."""
    counts = lemma_counts(texts, morph)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def g2_score(a: int, b: int, total_a: int, total_b: int) -> float:
    """Dunning's log-likelihood G² for a word seen a times in corpus A and b times in corpus B."""
    if total_a <= 0 or total_b <= 0:
        return 0.0
    expected_a = total_a * (a + b) / (total_a + total_b)
    expected_b = total_b * (a + b) / (total_a + total_b)
    g2 = 0.0
    if a:
        g2 += a * math.log(a / expected_a)
    if b:
        g2 += b * math.log(b / expected_b)
    return 2.0 * g2


def trending_lemmas(
    current_counts: Mapping[str, int],
    baseline_counts: Mapping[str, int],
    n: int = 20,
    min_count: int = MIN_TREND_COUNT,
) -> list[TrendingTerm]:
    """Lemmas that rose most from the baseline window to the current one, by G².

    A lemma needs ``min_count`` occurrences now: G² on tiny counts ranks noise. Only rising terms
    are returned (a falling term can have a large G² too).
    """
    total_a = sum(current_counts.values())
    total_b = sum(baseline_counts.values())
    if total_a <= 0:
        return []
    out: list[TrendingTerm] = []
    for lemma, a in current_counts.items():
        if a < min_count:
            continue
        b = baseline_counts.get(lemma, 0)
        if total_b and a / total_a <= b / total_b:
            continue
        g2 = g2_score(a, b, total_a, total_b) if total_b else 0.0
        ratio = (a / total_a) / ((b + 0.5) / max(total_b, 1))
        out.append(TrendingTerm(lemma=lemma, current=a, baseline=b, g2=round(g2, 4), ratio=round(ratio, 4)))
    out.sort(key=lambda t: (-t.g2, -t.current, t.lemma))
    return out[:n]
