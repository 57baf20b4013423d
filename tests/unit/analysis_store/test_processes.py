"""How many processes analyze a batch: by the CPU time the function really gets, not the cores it shows."""

from __future__ import annotations

import pytest
from vkc.analysis_store import parallel
from vkc.settings import get_settings


@pytest.fixture
def lambda_memory(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run as a Lambda function of the given memory size (the variable Lambda sets)."""

    def set_memory(mb: int | None) -> None:
        if mb is None:
            monkeypatch.delenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", raising=False)
        else:
            monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", str(mb))
        monkeypatch.delenv("ANALYSIS_PROCESSES", raising=False)
        get_settings.cache_clear()

    yield set_memory
    monkeypatch.undo()
    get_settings.cache_clear()


def test_lambda_cpu_time_follows_memory_not_the_cores_it_shows() -> None:
    # Lambda shows 2 cores up to 3,008 MB but gives one vCPU of time per 1,769 MB
    assert parallel.vcpus(cpus=2, lambda_memory_mb=1769) == pytest.approx(1.0)
    assert parallel.vcpus(cpus=2, lambda_memory_mb=512) == pytest.approx(512 / 1769)
    assert parallel.vcpus(cpus=3, lambda_memory_mb=3538) == pytest.approx(2.0)
    assert parallel.vcpus(cpus=2, lambda_memory_mb=10240) == 2.0  # never more than the cores
    assert parallel.vcpus(cpus=2, lambda_memory_mb=0) == 2.0  # not in Lambda: the cores


@pytest.mark.parametrize(("memory_mb", "expected"), [(512, 1), (1024, 1), (1769, 1), (2654, 2), (3538, 2)])
def test_a_second_process_only_where_lambda_gives_about_two_vcpus(
    lambda_memory, monkeypatch: pytest.MonkeyPatch, memory_mb: int, expected: int
) -> None:
    monkeypatch.setattr(parallel.os, "process_cpu_count", lambda: 2)
    lambda_memory(memory_mb)
    assert parallel.processes() == expected


def test_outside_lambda_the_cores_decide(lambda_memory, monkeypatch: pytest.MonkeyPatch) -> None:
    lambda_memory(None)
    monkeypatch.setattr(parallel.os, "process_cpu_count", lambda: 2)
    assert parallel.processes() == 2
    monkeypatch.setattr(parallel.os, "process_cpu_count", lambda: 1)
    assert parallel.processes() == 1


def test_the_template_gives_the_analyze_worker_two_vcpus() -> None:
    """The parallel path is the analyze worker's design: its memory must buy two vCPUs of time."""
    from devtools.local_stack.template import SamTemplate

    memory = SamTemplate.load().function("AnalyzeWorkerFunction").memory_size
    assert parallel.vcpus(cpus=2, lambda_memory_mb=memory) >= 2.0
