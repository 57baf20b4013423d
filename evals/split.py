"""Train/dev/test assignment by a hash of each line's id (or its group), written to splits.json.

Why a hash: a line's split never changes when the corpus grows or is reordered, so figures stay
comparable across commits and nothing tuned on dev leaks into test. Lines that share a ``group``
(the same spam text under many posts) hash on the group and land together.

    python -m evals.split           # rewrite evals/corpus/splits.json from the corpus files
    python -m evals.split --check   # exit 1 if splits.json is missing lines or disagrees
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from evals.corpus import CORPUS_DIR, TASKS, Example, read

SPLITS_FILE = CORPUS_DIR / "splits.json"
SHARES = (("train", 60), ("dev", 20), ("test", 20))  # percent, in hash order
SPLITS = tuple(name for name, _ in SHARES)


def split_of(example: Example) -> str:
    """The split of one line: the first 8 bytes of sha256(task:group-or-id), mod 100."""
    bucket = int.from_bytes(hashlib.sha256(example.split_key.encode("utf-8")).digest()[:8], "big") % 100
    edge = 0
    for name, share in SHARES:
        edge += share
        if bucket < edge:
            return name
    raise AssertionError("shares add up to 100")


def compute(directory: Path = CORPUS_DIR) -> dict[str, dict[str, list[str]]]:
    """{task: {split: [ids, in file order]}} for every task file present."""
    out: dict[str, dict[str, list[str]]] = {}
    for task in TASKS:
        examples = read(task, directory)
        if not examples:
            continue
        per: dict[str, list[str]] = {name: [] for name in SPLITS}
        for ex in examples:
            per[split_of(ex)].append(ex.id)
        out[task] = per
    return out


def load(path: Path = SPLITS_FILE) -> dict[str, dict[str, list[str]]]:
    data: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))["tasks"]
    return data


def write(path: Path = SPLITS_FILE, directory: Path = CORPUS_DIR) -> dict[str, dict[str, list[str]]]:
    tasks = compute(directory)
    doc = {
        "how": "sha256(task:group-or-id) first 8 bytes mod 100: <60 train, <80 dev, else test (evals/split.py)",
        "counts": {t: {s: len(ids) for s, ids in per.items()} for t, per in tasks.items()},
        "tasks": tasks,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return tasks


def main(argv: list[str]) -> int:
    if "--check" in argv:
        fresh = compute()
        stored = load() if SPLITS_FILE.exists() else {}
        if fresh != stored:
            print("evals/corpus/splits.json is out of date: run `make split`", file=sys.stderr)
            return 1
        return 0
    tasks = write()
    for task, per in tasks.items():
        print(f"{task:11s} " + "  ".join(f"{s} {len(ids):5d}" for s, ids in per.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
