"""The doors' side of `vkc.observability`: counts aggregated in memory, published as CloudWatch EMF.

Powertools' `Metrics` shares one dimension set per flush, so per-metric dimensions (method, outcome …)
go out through `single_metric`: one EMF line per (metric, dimensions) with the summed value, written
when a record or a request ends (`flush`). Aggregating keeps the line count small: a harvest task
makes hundreds of VK requests but emits one line per method and outcome.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from aws_lambda_powertools import Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit

from vkc.observability import use_metrics_hook

Key = tuple[str, tuple[tuple[str, str], ...]]


class EmfMetricsHook:
    """Thread-safe `MetricsHook`; one per process (every door of a process flushes the same one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: defaultdict[Key, float] = defaultdict(float)

    def count(self, name: str, value: float, dimensions: dict[str, str]) -> None:
        key = (name, tuple(sorted(dimensions.items())))
        with self._lock:
            self._counts[key] += value

    def drain(self) -> list[tuple[str, dict[str, str], float]]:
        with self._lock:
            items, self._counts = list(self._counts.items()), defaultdict(float)
        return [(name, dict(dims), value) for (name, dims), value in items]

    def flush(self, metrics: Metrics) -> None:
        """Write every pending count as an EMF line in the door's namespace."""
        for name, dims, value in self.drain():
            emit(metrics, name, value, dims, unit=MetricUnit.Count)


def emit(metrics: Metrics, name: str, value: float, dims: dict[str, str], *, unit: MetricUnit) -> None:
    """One EMF line now, with these dimensions (plus `service`)."""
    service = metrics.service or "vkc"
    with single_metric(
        name=name, unit=unit, value=value, namespace=metrics.namespace, default_dimensions={"service": service, **dims}
    ):
        pass


HOOK = EmfMetricsHook()


def install() -> EmfMetricsHook:
    """Make the domain's counts go to this process's EMF hook (idempotent)."""
    use_metrics_hook(HOOK)
    return HOOK
