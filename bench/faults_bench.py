"""Fault-injection figures: each scenario of devtools/fault_scenarios.py on a throwaway database,
plus the poison-message scenario (tests/e2e/test_dead_letters.py, run as is and timed).

    faults.<scenario>.expected / stored / lost / doubled / job_outcome / redeliveries / dead_letters /
    seconds / content_equal / totals_true
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from devtools.fault_scenarios import SCENARIOS
from devtools.pg import migrated_database

ROOT = Path(__file__).resolve().parents[1]
POISON_TEST = "tests/e2e/test_dead_letters.py"


def _poison() -> dict[str, Any]:
    """Poison → DLQ → visible through the API → redrive after the fix → job succeeded (the e2e test)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", POISON_TEST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return {
        "faults.poison_dlq_redrive.job_outcome": "succeeded" if done.returncode == 0 else "failed",
        "faults.poison_dlq_redrive.seconds": round(time.monotonic() - started, 1),
    }


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with migrated_database(f"vkc_bench_faults_{uuid.uuid4().hex[:6]}") as settings:
        for name, scenario in SCENARIOS.items():
            result = scenario(settings)
            print(f"[faults] {name}: ok={result.ok} {result.figures()}", file=sys.stderr, flush=True)
            figures |= result.figures()
    return figures | _poison()


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
