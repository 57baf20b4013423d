"""Which function runs each task.

Root handlers run a job's first task and return either the job's result (the job is finished) or
`DEFERRED` (the job fanned out sub-tasks; it finishes when the last one does). Sub-task handlers
own their idempotency and the job's fan-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vkc.analysis_store.reanalysis import RANGE_TASK, run_range, run_reanalysis
from vkc.analysis_store.task import ANALYZE_TASK, run_analyze_task
from vkc.collection.harvest_task import HARVEST_TASK, run_harvest_task
from vkc.collection.plan import start_collection
from vkc.communities.importer import IMPORT_CONTINUE_TASK, continue_communities_import, run_communities_import
from vkc.exports.task import run_export
from vkc.jobs.context import TaskContext
from vkc.jobs.handlers.probe import run_probe
from vkc.jobs.outcomes import DEFERRED, Deferred
from vkc.jobs.types import JobType
from vkc.webhooks.alerts import DELIVER_TASK
from vkc.webhooks.delivery import run_delivery_task

RootHandler = Callable[[TaskContext], dict[str, Any] | Deferred]
TaskHandler = Callable[[TaskContext], None]

ROOT_HANDLERS: dict[str, RootHandler] = {
    JobType.PROBE.value: run_probe,
    JobType.COLLECT.value: start_collection,
    JobType.COMMUNITIES_IMPORT.value: run_communities_import,
    JobType.REANALYZE.value: run_reanalysis,
    JobType.EXPORT.value: run_export,
}
TASK_HANDLERS: dict[str, TaskHandler] = {
    HARVEST_TASK: run_harvest_task,
    IMPORT_CONTINUE_TASK: continue_communities_import,
    RANGE_TASK: run_range,
}
# Detached tasks outlive the job that queued them (analysis of comments a finished collection stored,
# webhook deliveries): they run whatever the job's state and never move it.
DETACHED_HANDLERS: dict[str, TaskHandler] = {
    ANALYZE_TASK: run_analyze_task,
    DELIVER_TASK: run_delivery_task,
}

__all__ = ["DEFERRED", "DETACHED_HANDLERS", "ROOT_HANDLERS", "TASK_HANDLERS", "RootHandler", "TaskHandler"]
