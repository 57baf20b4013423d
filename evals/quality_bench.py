"""``quality.*`` figures for ``bench.run`` (``python -m bench.run quality``): dev and test splits."""

from __future__ import annotations

from evals.evaluate import evaluate_split


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    for split in ("dev", "test"):
        figures |= evaluate_split(split).figures()
    return figures
