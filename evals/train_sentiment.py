"""``make train``: fit the linear sentiment model on the train split and write its weights.

Offline only (needs scikit-learn and NumPy: ``pip install -e '.[train]'``). Deterministic: the
solver is lbfgs with a fixed seed and the data in file order, so the same corpus gives the same
file. The test split is never read here.

Model selection is the standard one: C is chosen on dev with models fitted on train alone, and
that train-only model's answers on dev are kept in ``evals/sentiment_fit.json`` (see
``evals.fit_record``) as the honest dev figure. The shipped weights are then refitted at that C on
train + dev (``--fit-on train+dev``, the default and what ``make train`` runs): more data, same
hyperparameters. ``--fit-on train`` ships the train-only model instead (dev is then scored live).

    python -m evals.train_sentiment                    # choose C on dev, refit on train+dev, write
    python -m evals.train_sentiment --fit-on train     # choose C on dev, ship the train-only fit
    python -m evals.train_sentiment --c 4              # fixed C (still recorded on dev)
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vkc.analysis.morphology import default_morphology
from vkc.analysis.normalize import fold
from vkc.analysis.sentiment import SentimentScorer
from vkc.analysis.sentiment_features import CLASSES, HASH_BITS, HASH_SIZE, N_DENSE, comment_features, feature_index
from vkc.analysis.sentiment_model import MODEL_PATH
from vkc.analysis.tokenize import tokenize

from evals import fit_record
from evals.corpus import Example
from evals.evaluate import SentimentPredictor, evaluate_sentiment, split_examples

C_GRID = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
SEED = 13


def featurize(texts: Sequence[str]) -> Any:
    """CSR matrix (n × HASH_SIZE + N_DENSE) exactly as the engine computes it."""
    import numpy as np
    from scipy.sparse import csr_matrix

    morph = default_morphology()
    lexicon = SentimentScorer(morph)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, text in enumerate(texts):
        tokens = tokenize(text)
        norms = [fold(t.text) for t in tokens]
        reading = lexicon.read(text, tokens, norms)
        keys, dense = comment_features(text, tokens, norms, reading, morph)
        scale = 1.0 / len(keys) ** 0.5 if keys else 0.0
        for key in keys:
            rows.append(r)
            cols.append(feature_index(key))
            vals.append(scale)
        for k, x in enumerate(dense):
            if x:
                rows.append(r)
                cols.append(HASH_SIZE + k)
                vals.append(x)
    return csr_matrix(
        (np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(texts), HASH_SIZE + N_DENSE)
    )  # duplicates are summed


def labels(examples: Sequence[Example]) -> list[int]:
    order = [c.value for c in CLASSES]
    return [order.index(str(ex.label)) for ex in examples]


class Fitted:
    """A model fitted on the columns the training data uses, its weights mapped back to all columns.

    Columns no training comment touches get weight 0 under L2 regularisation anyway; leaving them
    out makes lbfgs about ten times faster on the hashed space.
    """

    def __init__(self, x: Any, y: Sequence[int], c: float) -> None:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        self.used = np.unique(x.indices)
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
        model.fit(x[:, self.used], y)
        self.coef_ = np.zeros((model.coef_.shape[0], x.shape[1]))
        self.coef_[:, self.used] = model.coef_
        self.intercept_ = model.intercept_

    def predict(self, x: Any) -> Any:
        return (x @ self.coef_.T + self.intercept_).argmax(axis=1)


def fit(x: Any, y: Sequence[int], c: float) -> Fitted:
    return Fitted(x, y, c)


def npz_bytes(model: Fitted) -> bytes:
    """The weights as an .npz with fixed member timestamps, so retraining is byte-reproducible."""
    import numpy as np

    w = np.ascontiguousarray(model.coef_.T.astype("<f4"))
    b = model.intercept_.astype("<f4")
    meta = np.asarray([HASH_BITS, N_DENSE, len(CLASSES)], dtype="<i4")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, arr in (("b", b), ("meta", meta), ("w", w)):
            buf = io.BytesIO()
            np.save(buf, arr, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
    return out.getvalue()


def classifier_predictor(model: Fitted) -> SentimentPredictor:
    """What the engine would answer with these weights: the shipped classifier over a temp .npz."""
    import tempfile

    from vkc.analysis.sentiment_model import LinearSentimentModel, SentimentClassifier

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sentiment_linear.npz"
        path.write_bytes(npz_bytes(model))
        morph = default_morphology()
        classifier = SentimentClassifier(morph, LinearSentimentModel(path))

    def predict(texts: Sequence[str]) -> list[str]:
        out = []
        for text in texts:
            tokens = tokenize(text)
            out.append(classifier.score(text, tokens, [fold(t.text) for t in tokens]).label.value)
        return out

    return predict


def dev_record(model: Fitted, dev: Sequence[Example]) -> dict[str, Any]:
    """The train-only model's answers on dev and the figures they give (the honest dev figure)."""
    answers = classifier_predictor(model)([e.text for e in dev])
    by_id = dict(zip((e.id for e in dev), answers, strict=True))
    report = evaluate_sentiment(dev, lambda texts: [by_id[e.id] for e in dev])
    return {
        "dev_predictions_train_only": by_id,
        "dev_figures_train_only": {
            "accuracy": round(report.overall.accuracy, 4),
            "macro_f1": round(report.overall.macro_f1, 4),
            "hard_accuracy": round(report.hard_accuracy, 4),
            "n": report.overall.n,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.train_sentiment", description=__doc__)
    parser.add_argument("--c", type=float, default=None, help="fixed regularisation strength")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--fit-on",
        choices=("train+dev", "train"),
        default="train+dev",
        help="data of the shipped fit (C is always chosen on dev with a train-only fit)",
    )
    parser.add_argument("--record", type=Path, default=fit_record.RECORD_PATH, help="training record (json)")
    args = parser.parse_args(argv)
    train, dev = split_examples("sentiment", "train"), split_examples("sentiment", "dev")
    if not train:
        print("no sentiment lines in the train split", file=sys.stderr)
        return 1
    started = time.perf_counter()
    x_train, y_train = featurize([e.text for e in train]), labels(train)
    grid = (args.c,) if args.c else C_GRID
    best_c, best_acc = grid[0], -1.0
    grid_dev: dict[str, float] = {}
    if dev and len(grid) > 1:
        x_dev, y_dev = featurize([e.text for e in dev]), labels(dev)
        for c in grid:
            acc = float((fit(x_train, y_train, c).predict(x_dev) == y_dev).mean())
            grid_dev[str(c)] = round(acc, 4)
            print(f"C={c:<5} dev accuracy {acc:.3f} (fitted on train)")
            if acc > best_acc:
                best_c, best_acc = c, acc
    train_only = fit(x_train, y_train, best_c)
    doc: dict[str, Any] = {"c": best_c, "c_grid_dev_accuracy": grid_dev, "n_train": len(train), "n_dev": len(dev)}
    doc |= {"dev_sha256": fit_record.lines_digest(dev)}
    doc |= dev_record(train_only, dev) if dev else {"dev_predictions_train_only": {}}
    if args.fit_on == "train+dev" and dev:
        fit_on = ["train", "dev"]
        shipped = fit(featurize([e.text for e in [*train, *dev]]), labels([*train, *dev]), best_c)
    else:
        fit_on, shipped = ["train"], train_only
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(npz_bytes(shipped))
    doc |= {"fit_on": fit_on, "weights": args.out.name, "weights_sha256": fit_record.weights_digest(args.out)}
    fit_record.write(doc, args.record)
    size = args.out.stat().st_size
    took = time.perf_counter() - started
    figs = doc.get("dev_figures_train_only", {})
    print(
        f"C={best_c} chosen on dev; dev with the train-only fit: accuracy {figs.get('accuracy')}"
        f" hard {figs.get('hard_accuracy')}; shipped weights fitted on {'+'.join(fit_on)}"
        f" ({len(train) + (len(dev) if 'dev' in fit_on else 0)} comments); wrote {args.out.name}"
        f" ({size / 1e6:.1f} MB) and {args.record.name} in {took:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
