"""`make bench`: run every benchmark and merge its named figures into bench/results/latest.json.

    python -m bench.run              # all
    python -m bench.run ingest vk    # only these (names below)

Each benchmark module exposes `run() -> dict[str, float]`. Figures from benchmarks not run this time
are kept from the previous file, so one slow benchmark can be refreshed alone; every figure is
stamped with when and on which commit it was measured.
"""

from __future__ import annotations

import importlib
import json
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results") / "latest.json"
BENCHMARKS = {
    "ingest": "bench.ingest_bench",
    "analysis": "bench.analysis_bench",
    "analysis_db": "bench.analysis_db_bench",
    "reanalysis": "bench.reanalysis_bench",
    "vk": "bench.vk_bench",
    "collect": "bench.collect_bench",
    "search": "bench.search_bench",
    "exports": "bench.exports_bench",
    "exports_kill": "bench.exports_kill_bench",
    "load": "bench.load_bench",
    "coldstart": "bench.coldstart_bench",
    "faults": "bench.faults_bench",
    "web": "bench.web_bench",
    "quality": "evals.quality_bench",
    "scale": "bench.scale_bench",
}


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def record(results: dict[str, tuple[dict[str, float], float]]) -> None:
    """Merge ``{benchmark: (figures, seconds)}`` into latest.json, stamped with time and commit.

    ``main`` calls it once per run; other entry points that measure figures (``make eval``) call
    it too, so every figure reaches the file the same way.
    """
    data: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    figures: dict[str, Any] = data.setdefault("figures", {})
    measured: dict[str, Any] = data.setdefault("measured", {})
    for name, (result, seconds) in results.items():
        figures.update(result)
        measured[name] = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _commit(),
            "seconds": round(seconds, 1),
        }
    data["machine"] = {"cpus": _cpus(), "python": platform.python_version(), "platform": platform.platform()}
    data["figures"] = dict(sorted(figures.items()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}", file=sys.stderr)


def main(names: list[str]) -> int:
    selected = names or list(BENCHMARKS)
    unknown = [n for n in selected if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmarks: {unknown}; choose from {list(BENCHMARKS)}", file=sys.stderr)
        return 2
    results: dict[str, tuple[dict[str, float], float]] = {}
    failed = []
    for name in selected:
        try:
            module = importlib.import_module(BENCHMARKS[name])
        except ModuleNotFoundError as exc:
            if exc.name == BENCHMARKS[name]:
                print(f"[{name}] not written yet: skipped", file=sys.stderr)
                continue
            raise
        print(f"[{name}] running…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            result = module.run()
        except Exception as exc:
            print(f"[{name}] FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed.append(name)
            continue
        results[name] = (result, time.perf_counter() - started)
        print(json.dumps(result, indent=2))
    record(results)
    return 1 if failed else 0


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
