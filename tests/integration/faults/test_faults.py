"""Fault injection: every scenario collects a known dataset while something breaks, and the database
ends equal to the ground truth (0 lost, 0 doubled, same content) with every job succeeded and its
totals true. The scenarios live in devtools/fault_scenarios.py (bench/faults_bench.py records them)."""

from __future__ import annotations

import pytest
from vkc.settings import Settings

from devtools.fault_scenarios import SCENARIOS, FaultRun


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_nothing_lost_nothing_doubled(name: str, settings: Settings) -> None:
    run: FaultRun = SCENARIOS[name](settings)
    summary = f"{name}: {run}"
    assert run.expected > 0, summary
    assert run.lost == 0, summary
    assert run.doubled == 0, summary
    assert run.extra == 0, summary
    assert run.content_mismatched == 0, summary
    assert run.content_equal, summary
    assert run.job_outcome == "succeeded", summary
    assert run.totals_true, summary
    assert run.dead_letters == 0, summary
    assert run.unanalyzed == 0, summary
    if name in ("kill", "duplicates", "redis_restart", "pg_restart"):
        assert run.redeliveries > 0, f"{name}: the fault never forced a redelivery: {summary}"
    if name == "kill":
        assert run.detail["kills"] == 20, summary
