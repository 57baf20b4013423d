"""The shipped sentiment model: multinomial logistic regression over ``sentiment_features``.

Trained offline (``make train``) and committed as ``models/sentiment_linear.npz``; applied here in
plain Python. Why no NumPy: a comment touches about 40 weights per class, and the token part is
cached per word, so a comment costs a few dictionary lookups and additions.

``SentimentClassifier`` is what the analyzer calls: the model when its weights are present, the
lexicon and rules otherwise (and always as the model's features).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from pathlib import Path

from vkc.analysis.morphology import Morphology
from vkc.analysis.npz import load_npz
from vkc.analysis.sentiment import LexiconReading, Sentiment, SentimentScorer
from vkc.analysis.sentiment_features import (
    AFTER_CONTRAST,
    CLASSES,
    COMPLAINT_MARKERS,
    HASH_BITS,
    HASH_SIZE,
    IN_PRAISE,
    N_DENSE,
    NEGATED,
    dense_terms,
    emoji_key,
    feature_index,
    token_keys,
)
from vkc.analysis.tokenize import Token

MODEL_PATH = Path(__file__).with_name("models") / "sentiment_linear.npz"
_CACHE_MAX = 200_000
_CTX_CACHE_MAX = _CACHE_MAX // 4  # per token context; the plain and the praise ones fill, the rest stay small

Vec = tuple[float, float, float]


class ModelMismatch(ValueError):
    """The weights file was trained for other features than this code computes."""


class LinearSentimentModel:
    """Weights ``w`` (HASH_SIZE + N_DENSE rows × 3 classes) and bias ``b``, read from an .npz."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        arrays = load_npz(path)
        meta, _ = arrays["meta"]
        if list(meta) != [HASH_BITS, N_DENSE, len(CLASSES)]:
            raise ModelMismatch(f"{path.name} has meta {list(meta)}, code expects {[HASH_BITS, N_DENSE, len(CLASSES)]}")
        w, shape = arrays["w"]
        if shape != (HASH_SIZE + N_DENSE, len(CLASSES)):
            raise ModelMismatch(f"{path.name}: weights of shape {shape}")
        self._w: array[float] = w  # type: ignore[assignment]
        b, _ = arrays["b"]
        self._b: Vec = (float(b[0]), float(b[1]), float(b[2]))
        base = HASH_SIZE * 3
        self._dense = [(w[base + 3 * k], w[base + 3 * k + 1], w[base + 3 * k + 2]) for k in range(N_DENSE)]
        # one cache per token context (NEGATED | AFTER_CONTRAST | IN_PRAISE), keyed by the word: no
        # (word, context) tuple to build and hash per token
        self._tokens: tuple[dict[str, tuple[float, float, float, int]], ...] = tuple({} for _ in range(8))
        self._keys: dict[str, Vec] = {}
        self._emoji: dict[str, Vec] = {}

    def _key_vec(self, key: str) -> Vec:
        vec = self._keys.get(key)
        if vec is None:
            if len(self._keys) >= _CACHE_MAX:
                self._keys.clear()
            j = 3 * feature_index(key)
            w = self._w
            vec = self._keys[key] = (w[j], w[j + 1], w[j + 2])
        return vec

    def _token_vec(self, norm: str, ctx: int, morph: Morphology) -> tuple[float, float, float, int]:
        keys = token_keys(norm, morph.info(norm).lemmas[0], ctx)
        a = b = c = 0.0
        w = self._w
        for key in keys:
            j = 3 * feature_index(key)
            a += w[j]
            b += w[j + 1]
            c += w[j + 2]
        return a, b, c, len(keys)

    def logits(
        self, text: str, tokens: Sequence[Token], norms: Sequence[str], reading: LexiconReading, morph: Morphology
    ) -> Vec:
        """Class scores (negative, neutral, positive) before the softmax."""
        caches = self._tokens
        key_vec = self._key_vec
        negated = reading.negated
        contrast_at = reading.contrast_at
        praise = IN_PRAISE if reading.positive > 0 else 0
        s0 = s1 = s2 = 0.0
        count = 0
        complaint = not COMPLAINT_MARKERS.isdisjoint(norms)
        if not negated and contrast_at < 0:  # one context for every token: the common case
            cache = caches[praise]
            for norm in norms:
                vec = cache.get(norm)
                if vec is None:
                    if len(cache) >= _CTX_CACHE_MAX:
                        cache.clear()
                    vec = cache[norm] = self._token_vec(norm, praise, morph)
                s0 += vec[0]
                s1 += vec[1]
                s2 += vec[2]
                count += vec[3]
        else:
            for i, norm in enumerate(norms):
                ctx = (NEGATED if i in negated else 0) | praise
                if 0 <= contrast_at < i:
                    ctx |= AFTER_CONTRAST
                cache = caches[ctx]
                vec = cache.get(norm)
                if vec is None:
                    if len(cache) >= _CTX_CACHE_MAX:
                        cache.clear()
                    vec = cache[norm] = self._token_vec(norm, ctx, morph)
                s0 += vec[0]
                s1 += vec[1]
                s2 += vec[2]
                count += vec[3]
        emoji_vecs = self._emoji
        for ch in reading.emojis:
            v = emoji_vecs.get(ch)  # by the character: no key string and no call per emoji
            if v is None:
                if len(emoji_vecs) >= _CTX_CACHE_MAX:
                    emoji_vecs.clear()
                v = emoji_vecs[ch] = key_vec(emoji_key(ch))
            s0 += v[0]
            s1 += v[1]
            s2 += v[2]
            count += 1
        scale = 1.0 / math.sqrt(count) if count else 0.0
        l0, l1, l2 = self._b
        l0 += s0 * scale
        l1 += s1 * scale
        l2 += s2 * scale
        dense = self._dense
        for k, x in dense_terms(text, norms, reading, complaint):
            d0, d1, d2 = dense[k]
            l0 += x * d0
            l1 += x * d1
            l2 += x * d2
        return l0, l1, l2


def softmax(logits: Vec) -> Vec:
    l0, l1, l2 = logits
    top = l0 if l0 >= l1 and l0 >= l2 else (l1 if l1 >= l2 else l2)
    e0, e1, e2 = math.exp(l0 - top), math.exp(l1 - top), math.exp(l2 - top)
    total = e0 + e1 + e2
    return e0 / total, e1 / total, e2 / total


class SentimentClassifier:
    """Sentiment of a comment: the linear model over the lexicon's reading, or the lexicon alone.

    ``score`` is P(positive) − P(negative) in [-1, 1]; ``raw`` stays the lexicon's unsquashed sum.
    """

    def __init__(self, morph: Morphology, model: LinearSentimentModel | bool | None = True) -> None:
        self._morph = morph
        self.lexicon = SentimentScorer(morph)
        if model is True:
            model = LinearSentimentModel() if MODEL_PATH.exists() else None
        self.model: LinearSentimentModel | None = model or None

    def score(
        self, text: str, tokens: Sequence[Token], norms: Sequence[str], emojis: tuple[str, ...] | None = None
    ) -> Sentiment:
        """``emojis``: as ``SentimentScorer.read`` takes them."""
        reading = self.lexicon.read(text, tokens, norms, emojis)
        if self.model is None or (not tokens and reading.emoji):
            # emoji and smileys alone: the curated weights beat what a few such lines can teach
            return reading.sentiment()
        p0, p1, p2 = softmax(self.model.logits(text, tokens, norms, reading, self._morph))
        label = CLASSES[0] if p0 >= p1 and p0 >= p2 else (CLASSES[1] if p1 >= p2 else CLASSES[2])
        # positional: a dataclass __init__ takes keywords more slowly
        return Sentiment(label, round(p2 - p0, 4), round(reading.raw, 4))
