"""Spam verdict: named signals weighed by a small logistic model, plus a duplicate fingerprint.

Why a learned weighting of hand-made signals: a link or a phone alone is not spam (people share
news and service numbers), a link plus "заработок без вложений" is; how much each signal and each
innocent cue ("подскажите", "мошенники", "отдам даром") counts is learned offline from the labelled
corpus (``python -m evals.train_spam``) and committed as plain numbers in ``spam_weights.json``.
Inference is a dot product in pure Python.

The same text posted under many posts is the strongest signal and needs other comments: the caller
compares ``fingerprint`` values and passes the count to ``SpamVerdict.with_duplicates``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vkc.analysis.normalize import fold
from vkc.analysis.results import DumpMixin
from vkc.analysis.spam_signals import FEATURES, REASONS, active
from vkc.analysis.tokenize import Token, tokenize

WEIGHTS_PATH = Path(__file__).with_name("spam_weights.json")


class SpamModelMismatch(RuntimeError):
    """The committed weights were trained on other features than the code extracts."""


def _load(path: Path = WEIGHTS_PATH) -> tuple[float, tuple[float, ...], float, float]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if tuple(doc["features"]) != FEATURES:
        raise SpamModelMismatch(f"{path.name} lists other features than spam_signals.FEATURES: retrain")
    return (
        float(doc["bias"]),
        tuple(float(w) for w in doc["weights"]),
        float(doc["threshold"]),
        float(doc["duplicate_weight"]),
    )


_BIAS, _WEIGHTS, _THRESHOLD, DUPLICATE_WEIGHT = _load()
SPAM_THRESHOLD = _THRESHOLD  # probability at which a comment is spam
_REASON_WEIGHT = {name: _WEIGHTS[i] for i, name in enumerate(FEATURES) if name in REASONS}
# Reasons a verdict names: the spam signals that fired (the trainer keeps their weights >= 0).
_REASON_INDEX = frozenset(i for i, name in enumerate(FEATURES) if name in REASONS)
_LOGIT_CAP = 30.0
# Verdicts by the signals that fired, in the order ``active`` lists them (the order of the sum):
# a comment sets a handful of 45 signals, so a few hundred sets cover nearly every comment, and
# the weighing, the reasons and the record are built once per set. Verdicts are read-only.
_VERDICTS: dict[tuple[int, ...], SpamVerdict] = {}
_VERDICTS_MAX = 65_536


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-_LOGIT_CAP, min(_LOGIT_CAP, z))))


@dataclass(slots=True, unsafe_hash=True)
class SpamVerdict(DumpMixin):
    """Spam flag, the model's probability and the signals that pushed towards spam."""

    is_spam: bool
    score: float
    reasons: tuple[str, ...]

    def with_duplicates(self, other_posts: int) -> SpamVerdict:
        """Add the cross-post duplicate signal: the same fingerprint under ``other_posts`` posts.

        Repeated text with at least one spam signal is spam; repeated text with none (a slogan, a
        greeting) is not. The decision needs only the reasons, so stored comments (which keep only
        their reasons) get the same answer as fresh ones; the score moves by the duplicate weight.
        """
        if other_posts <= 0 or "duplicate" in self.reasons:
            return self
        if 0.0 < self.score < 1.0:
            z = math.log(self.score / (1.0 - self.score))
        else:  # a stored verdict: the score is not kept, the reasons' weights stand in for it
            z = _BIAS + sum(_REASON_WEIGHT.get(r, 0.0) for r in self.reasons)
        score = round(_sigmoid(z + DUPLICATE_WEIGHT), 4)
        return SpamVerdict(is_spam=bool(self.reasons), score=score, reasons=(*self.reasons, "duplicate"))


def assess_spam(
    text: str,
    tokens: Sequence[Token] | None = None,
    norms: Sequence[str] | None = None,
    families: Iterable[int] | None = None,
    emojis: Sequence[str] | None = None,
    lower: str | None = None,
) -> SpamVerdict:
    """Spam verdict of one comment on its own (see ``SpamVerdict.with_duplicates``);
    ``families``: each token's ``spam_signals.word_families``, ``emojis``:
    ``spam_signals.EMOJI_RE.findall(text)`` and ``lower``: ``text.lower()``, when the caller has
    them."""
    if tokens is None:
        tokens = tokenize(text)
    if norms is None:
        norms = [fold(t.text) for t in tokens]
    on = tuple(active(text, norms, tokens, families, emojis, lower))
    verdict = _VERDICTS.get(on)
    if verdict is None:
        if len(_VERDICTS) >= _VERDICTS_MAX:
            _VERDICTS.clear()
        verdict = _VERDICTS[on] = _verdict(on)
    return verdict


def _verdict(on: tuple[int, ...]) -> SpamVerdict:
    z = _BIAS + sum(map(_WEIGHTS.__getitem__, on))
    reasons = tuple(FEATURES[i] for i in sorted(_REASON_INDEX.intersection(on)))
    score = round(_sigmoid(z), 4)
    # Spam needs at least one spam signal to name: context alone ("чат", a long text) never is.
    return SpamVerdict(score >= _THRESHOLD and bool(reasons), score, reasons)


def fingerprint(text: str, tokens: Sequence[Token] | None = None, norms: Sequence[str] | None = None) -> str:
    """Stable id of a comment's wording: folded word tokens, no punctuation, emoji or case.

    "Заработок БЕЗ вложений!!! 💰" and "заработок без вложений" share a fingerprint, so the caller
    can count the same text across posts. Digits are kept: they often carry the phone or price.
    """
    if norms is None:
        norms = [fold(t.text) for t in (tokenize(text) if tokens is None else tokens)]
    key = " ".join(norms)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
