"""Classification figures computed by hand (the harness must not need scikit-learn)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True, slots=True)
class ClassFigures:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class MultiClass:
    """Accuracy, macro-F1, per-class figures and the confusion matrix (rows gold, columns predicted)."""

    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassFigures]
    confusion: list[list[int]]
    n: int


def multiclass(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> MultiClass:
    index = {lab: i for i, lab in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        confusion[index[g]][index[p]] += 1
    per: dict[str, ClassFigures] = {}
    for i, lab in enumerate(labels):
        tp = confusion[i][i]
        predicted = sum(row[i] for row in confusion)
        actual = sum(confusion[i])
        prec, rec = _div(tp, predicted), _div(tp, actual)
        per[lab] = ClassFigures(prec, rec, _div(2 * prec * rec, prec + rec), actual)
    n = len(gold)
    correct = sum(confusion[i][i] for i in range(len(labels)))
    macro = _div(sum(c.f1 for c in per.values()), len(per))
    return MultiClass(tuple(labels), _div(correct, n), macro, per, confusion, n)


@dataclass(frozen=True, slots=True)
class Binary:
    precision: float
    recall: float
    f1: float
    accuracy: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


def binary(gold: Sequence[bool], pred: Sequence[bool]) -> Binary:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g and not p)
    tn = len(gold) - tp - fp - fn
    prec, rec = _div(tp, tp + fp), _div(tp, tp + fn)
    return Binary(prec, rec, _div(2 * prec * rec, prec + rec), _div(tp + tn, len(gold)), tp, fp, fn, tn)
