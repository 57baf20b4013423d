"""Which function runs a root task of each job type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vkc.jobs.context import TaskContext
from vkc.jobs.handlers.probe import run_probe
from vkc.jobs.types import JobType

RootHandler = Callable[[TaskContext], dict[str, Any]]

ROOT_HANDLERS: dict[str, RootHandler] = {
    JobType.PROBE.value: run_probe,
}
