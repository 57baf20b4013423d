"""Offline training of the spam weights: an L2 logistic regression over ``spam_signals.FEATURES``.

Why this small: the features already encode what spam does, the train split has a few hundred
lines, and the result must be a handful of numbers the Lambda reads without numpy. The strength of
the L2 penalty is picked by 5-fold cross-validation on the train split only; dev and test are
printed, never used to fit.

    python -m evals.train_spam            # fit on train, write the weights, print dev figures
    python -m evals.train_spam --check    # exit 1 if the committed weights differ from a refit
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from vkc.analysis.normalize import fold
from vkc.analysis.spam_signals import FEATURES, REASONS, extract
from vkc.analysis.tokenize import tokenize

from evals.evaluate import split_examples
from evals.metrics import binary

WEIGHTS = Path(__file__).resolve().parents[1] / "layers/vkc/vkc/analysis/spam_weights.json"
PENALTIES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
CV_TOLERANCE = 0.005
THRESHOLD = 0.5
# Not learnable from the corpus (its cross-posted lines are spam by other signals too): the logit
# added when the same text sits under other posts. Repeated text also needs one spam reason.
DUPLICATE_WEIGHT = 3.0


def features(texts: Sequence[str]) -> np.ndarray:
    rows = []
    for t in texts:
        tokens = tokenize(t)
        rows.append(extract(t, [fold(tok.text) for tok in tokens], tokens))
    return np.array(rows, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[float, np.ndarray]:
    """Like ``_newton``, with every spam signal (``REASONS``) kept at a weight >= 0: a link or a phone
    may count for little, never as evidence of innocence. Signals that come out negative are fixed
    at 0 and the rest refitted (an active-set loop; it ends because the fixed set only grows)."""
    free = np.ones(x.shape[1], dtype=bool)
    reason = np.array([name in REASONS for name in FEATURES])
    while True:
        bias, w_free = _newton(x[:, free], y, penalty)
        w = np.zeros(x.shape[1])
        w[free] = w_free
        negative = reason & free & (w < 0)
        if not negative.any():
            return bias, w
        free &= ~negative


def _newton(x: np.ndarray, y: np.ndarray, penalty: float, steps: int = 50) -> tuple[float, np.ndarray]:
    """Newton's method on the mean log-loss plus ``penalty/2 * |w|^2`` (the bias is not penalised)."""
    n, d = x.shape
    xb = np.hstack([np.ones((n, 1)), x])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, penalty)
    reg[0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) / n + reg * w
        hess = (xb.T * (p * (1 - p))) @ xb / n + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def predict(x: np.ndarray, bias: float, w: np.ndarray) -> np.ndarray:
    probability: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(bias + x @ w, -30, 30)))
    return probability >= THRESHOLD


def cross_validated_f1(x: np.ndarray, y: np.ndarray, penalty: float, folds: int = 5) -> float:
    order = np.arange(len(y)) % folds
    gold: list[bool] = []
    pred: list[bool] = []
    for k in range(folds):
        bias, w = fit(x[order != k], y[order != k], penalty)
        gold += [bool(v) for v in y[order == k]]
        pred += [bool(v) for v in predict(x[order == k], bias, w)]
    return binary(gold, pred).f1


def train() -> dict[str, object]:
    train_ex = split_examples("spam", "train")
    x = features([e.text for e in train_ex])
    y = np.array([float(bool(e.label)) for e in train_ex])
    scores = {p: cross_validated_f1(x, y, p) for p in PENALTIES}
    # The strongest penalty within half a point of the best: fewer lines than features would justify
    # a weaker one, and the figures of neighbouring penalties differ by single lines.
    best = max(p for p in PENALTIES if scores[p] >= max(scores.values()) - CV_TOLERANCE)
    bias, w = fit(x, y, best)
    for p in PENALTIES:
        print(f"penalty {p:<5} cross-validated F1 {scores[p]:.3f}{'  <- chosen' if p == best else ''}")
    for split in ("train", "dev"):
        ex = split_examples("spam", split)
        f = binary([bool(e.label) for e in ex], [bool(v) for v in predict(features([e.text for e in ex]), bias, w)])
        print(f"{split:5s} (no duplicate signal) P {f.precision:.3f} R {f.recall:.3f} F1 {f.f1:.3f} n {f.n}")
    return {
        "about": "Spam logistic model over vkc.analysis.spam_signals.FEATURES (python -m evals.train_spam).",
        "trained_on": {"split": "train", "lines": len(train_ex), "spam": int(y.sum()), "penalty": best},
        "features": list(FEATURES),
        "bias": round(bias, 4),
        "weights": [round(float(v), 4) for v in w],
        "threshold": THRESHOLD,
        "duplicate_weight": DUPLICATE_WEIGHT,
    }


def main(argv: list[str]) -> int:
    doc = train()
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if "--check" in argv:
        if not WEIGHTS.exists() or WEIGHTS.read_text(encoding="utf-8") != text:
            print(f"{WEIGHTS.name} is out of date: run `python -m evals.train_spam`", file=sys.stderr)
            return 1
        return 0
    WEIGHTS.write_text(text, encoding="utf-8")
    print(f"wrote {WEIGHTS.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
