"""The training record of the shipped sentiment weights: what they were fitted on, and dev's honest figure.

``make train`` chooses C on dev with a model fitted on train alone, then (by default) refits on
train + dev for the weights it ships. Dev is then inside the shipped model's training data, so
scoring dev with the shipped weights would be an in-sample figure. The record keeps, per dev line,
what the train-only model at the chosen C answered through the same classifier the engine runs;
``make eval`` scores dev from those answers and says so. The record names the weights' sha256 and
the dev lines' sha256, so a record that no longer matches the weights or the corpus is reported as
stale instead of being used. Test is never read by training.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.corpus import Example

RECORD_PATH = Path(__file__).with_name("sentiment_fit.json")


def lines_digest(examples: Sequence[Example]) -> str:
    """sha256 over the lines' ids, texts and labels, in file order."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(f"{ex.id}\t{ex.text}\t{ex.label}\n".encode())
    return h.hexdigest()


def weights_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class FitRecord:
    fit_on: tuple[str, ...]
    c: float
    weights_sha256: str
    dev_sha256: str
    dev_predictions: dict[str, str]  # dev id -> label from the train-only model at the chosen C
    doc: dict[str, Any]

    @property
    def dev_in_fit(self) -> bool:
        return "dev" in self.fit_on


def write(doc: dict[str, Any], path: Path = RECORD_PATH) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(path: Path = RECORD_PATH) -> FitRecord | None:
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return FitRecord(
        tuple(doc["fit_on"]),
        float(doc["c"]),
        str(doc["weights_sha256"]),
        str(doc["dev_sha256"]),
        dict(doc.get("dev_predictions_train_only", {})),
        doc,
    )


def stale_reason(record: FitRecord, weights: Path, dev: Sequence[Example]) -> str | None:
    """Why the record cannot vouch for these weights and this dev split, or None when it can."""
    if record.weights_sha256 != weights_digest(weights):
        return f"{weights.name} is not the file this record was written with (run `make train`)"
    if record.dev_sha256 != lines_digest(dev):
        return "the dev lines changed since training (run `make train`)"
    missing = [ex.id for ex in dev if ex.id not in record.dev_predictions]
    if missing:
        return f"{len(missing)} dev lines have no recorded answer (run `make train`)"
    return None
