"""`make demo` is a contract: on this machine it runs the whole product and exits 0."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_end_to_end_and_writes_an_export() -> None:
    export = ROOT / ".local" / "demo-export.csv"
    export.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "devtools.demo"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:]
    for section in ("Totals and completeness", "Top keywords", "Sentiment", "Matched comments", "Demo finished"):
        assert section in done.stdout
    with export.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    assert any("доставк" in row["text"].lower() for row in rows)  # Cyrillic intact
