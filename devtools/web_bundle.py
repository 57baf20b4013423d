"""Bytes the dashboard ships: every JS and CSS file under web/, gzipped one by one (as served), summed.

Run `python -m devtools.web_bundle`: prints JSON, exits 1 over the budget. The bench reuses `measure()`.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

BUDGET_BYTES = 150 * 1024
WEB_ROOT = Path(__file__).resolve().parents[1] / "web"


def measure(root: Path = WEB_ROOT) -> dict[str, int]:
    files = sorted(p for p in root.rglob("*") if p.suffix in (".js", ".css") and p.is_file())
    raw = sum(p.stat().st_size for p in files)
    gzipped = sum(len(gzip.compress(p.read_bytes(), compresslevel=9, mtime=0)) for p in files)
    return {"files": len(files), "raw_bytes": raw, "gzip_bytes": gzipped, "budget_bytes": BUDGET_BYTES}


if __name__ == "__main__":
    figures = measure()
    print(json.dumps(figures))
    sys.exit(0 if figures["gzip_bytes"] <= BUDGET_BYTES else 1)
