"""Which function runs each task.

Root handlers run a job's first task and return either the job's result (the job is finished) or
`DEFERRED` (the job fanned out sub-tasks; it finishes when the last one does). Sub-task handlers
own their idempotency and the job's fan-in.

Handlers are named as "module:function" and imported when a task of theirs first runs, not at a
worker's cold start: the parse worker never loads the analysis engine, the analyze worker never the
VK harvester. tests/unit/test_task_registry.py imports every target and checks its signature and names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

from vkc.jobs.context import TaskContext
from vkc.jobs.outcomes import DEFERRED, Deferred
from vkc.jobs.types import JobType

RootHandler = Callable[[TaskContext], dict[str, Any] | Deferred]
TaskHandler = Callable[[TaskContext], None]


class LazyHandlers[H: Callable[[TaskContext], object]](Mapping[str, H]):
    """Task name → handler, imported from its "module:function" target on first use.

    Membership (`in`) never imports; an unknown name is a KeyError (or None from `get`), like a dict.
    """

    def __init__(self, targets: Mapping[str, str]) -> None:
        self.targets = dict(targets)

    def __getitem__(self, name: str) -> H:
        module, _, function = self.targets[name].partition(":")
        return cast(H, getattr(importlib.import_module(module), function))

    def __contains__(self, name: object) -> bool:
        return name in self.targets

    def __iter__(self) -> Iterator[str]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)


ROOT_HANDLERS: LazyHandlers[RootHandler] = LazyHandlers(
    {
        JobType.PROBE.value: "vkc.jobs.handlers.probe:run_probe",
        JobType.COLLECT.value: "vkc.collection.plan:start_collection",
        JobType.COMMUNITIES_IMPORT.value: "vkc.communities.importer:run_communities_import",
        JobType.REANALYZE.value: "vkc.analysis_store.reanalysis:run_reanalysis",
        JobType.EXPORT.value: "vkc.exports.task:run_export",
    }
)
# Sub-task names are the constants of their modules (HARVEST_TASK, …), written out here so that knowing
# them imports nothing; the registry test keeps the two equal.
TASK_HANDLERS: LazyHandlers[TaskHandler] = LazyHandlers(
    {
        "collect.harvest": "vkc.collection.harvest_task:run_harvest_task",
        "communities.import.continue": "vkc.communities.importer:continue_communities_import",
        "reanalyze.range": "vkc.analysis_store.reanalysis:run_range",
    }
)
# Detached tasks outlive the job that queued them (analysis of comments a finished collection stored,
# webhook deliveries): they run whatever the job's state and never move it.
DETACHED_HANDLERS: LazyHandlers[TaskHandler] = LazyHandlers(
    {
        "analyze.comments": "vkc.analysis_store.task:run_analyze_task",
        "webhooks.deliver": "vkc.webhooks.delivery:run_delivery_task",
    }
)

__all__ = [
    "DEFERRED",
    "DETACHED_HANDLERS",
    "ROOT_HANDLERS",
    "TASK_HANDLERS",
    "LazyHandlers",
    "RootHandler",
    "TaskHandler",
]
