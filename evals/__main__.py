"""``make eval``: figures of the engine on the dev and test splits, recorded as ``quality.*``.

python -m evals                 # dev and test, record into bench/results/latest.json
python -m evals --misses 20     # also list up to 20 wrong answers per task (dev only)
python -m evals --no-record     # print only
"""

from __future__ import annotations

import argparse
import time

from evals.evaluate import evaluate_split
from evals.report import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--misses", type=int, default=0, help="wrong answers to list per task (dev split)")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/results/latest.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures: dict[str, float] = {}
    for split in ("dev", "test"):
        report = evaluate_split(split)
        # Wrong answers are shown for dev only: reading test errors is how a test set gets tuned on.
        print(render(report, args.misses if split == "dev" else 0), flush=True)
        figures |= report.figures()
    if not args.no_record:
        from bench.run import record

        record({"quality": (figures, time.perf_counter() - started)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
