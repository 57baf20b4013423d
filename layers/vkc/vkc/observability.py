"""Metrics as the domain sees them (a hook it counts into; the doors publish EMF), and log context in threads.

The domain never imports Powertools. It calls `count("VkRequests", method="wall.get", outcome="ok")`;
the door installs a hook (`vkc.adapters.emf`) that aggregates the counts of a record or request and
writes them as CloudWatch EMF lines when that unit of work ends. Without a hook, counting is a no-op
(unit tests, benchmarks, the CLI).

Dimensions must stay low-cardinality: method names, outcomes, job and task kinds, queue names. Never
ids, never anything a user typed, never secrets — `count` refuses dimension values that do not look
like a short name.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

# metric names (the CloudWatch names; README "Observability" lists them)
JOBS = "Jobs"  # job_type, outcome (succeeded | failed | cancelled)
TASKS = "Tasks"  # task, outcome (succeeded | failed | fanned_out | task_done | skipped | error)
VK_REQUESTS = "VkRequests"  # method, outcome (ok | retry | rotate | retire | skip | split | fail)
VK_CALLS = "VkCalls"  # method, outcome: calls inside execute, one per inner call
COMMENTS_COLLECTED = "CommentsCollected"  # comments and replies fetched from VK
COMMENTS_NEW = "CommentsNew"  # of them, new or changed (what the analyze worker gets)
COMMENTS_ANALYZED = "CommentsAnalyzed"
DEAD_LETTERS = "DeadLetters"  # action (listed | redriven)

_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


class MetricsHook(Protocol):
    """Where counts go. Implementations must be thread-safe (the VK client counts from its threads)."""

    def count(self, name: str, value: float, dimensions: dict[str, str]) -> None: ...


class _NoMetrics:
    def count(self, name: str, value: float, dimensions: dict[str, str]) -> None:
        return None


_hook: MetricsHook = _NoMetrics()


def use_metrics_hook(hook: MetricsHook | None) -> None:
    """Install the process's hook (a door does it at import); None restores the no-op."""
    global _hook
    _hook = hook if hook is not None else _NoMetrics()


def metrics_hook() -> MetricsHook:
    return _hook


def count(name: str, value: float = 1, **dimensions: str) -> None:
    """Count `value` of `name` under low-cardinality dimensions (zeros too: "0 dead letters" is data)."""
    safe = {k: (v if _SAFE_VALUE.match(v) else "other") for k, v in dimensions.items()}
    try:
        _hook.count(name, value, safe)
    except Exception:  # metrics must never break the work they measure
        return


class ContextThreadPool(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context variables.

    The worker's per-record log keys (correlation id, job id, task) live in a context variable
    (Powertools' thread-safe keys), and a plain pool thread starts with an empty context: without
    this, every log line the VK client or the DB writer emits from its threads would lose them.
    """

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        ctx = contextvars.copy_context()

        def run() -> T:
            return ctx.run(fn, *args, **kwargs)

        return super().submit(run)


# --- tracing the libraries a process calls, patched when first used ---------------------------------

#: what a door's tracer patches on request: `instrument("botocore")`, `instrument("httpx")`
_instrument: Callable[[str], None] | None = None


def use_instrumentation(patch: Callable[[str], None] | None) -> None:
    """Install the door's patcher (X-Ray through Powertools' Tracer); None makes `instrument` a no-op.

    The API patches only what every request calls at cold start and the rest when an adapter is first
    built: X-Ray's patches import the library they patch, and a GET that never calls AWS or VK should
    not import botocore or httpx.
    """
    global _instrument
    _instrument = patch


def instrument(library: str) -> None:
    """Called by an adapter before it builds its first client of `library` (idempotent, never raises)."""
    patch = _instrument
    if patch is None:
        return
    try:
        patch(library)
    except Exception:  # tracing must never break the call it traces
        return
