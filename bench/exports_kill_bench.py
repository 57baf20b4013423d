"""The 1M-row export's kill test (`exports.kill_1m_*`): see `bench.exports_bench.run_kill`.

python -m bench.run exports_kill
"""

from __future__ import annotations

from bench.exports_bench import ROWS, run_kill


def run(rows: int = ROWS) -> dict[str, float]:
    return run_kill(rows)
