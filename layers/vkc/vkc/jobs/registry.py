"""Which function runs each task: the shape of a task registry (its content is the composition layer's).

Root handlers run a job's first task and return either the job's result (the job is finished) or
`DEFERRED` (the job fanned out sub-tasks; it finishes when the last one does). Sub-task handlers own
their idempotency and the job's fan-in. Detached handlers outlive the job that queued them (analysis of
comments a finished collection stored, webhook deliveries): they run whatever the job's state and never
move it. Closed handlers, by job type, run when a task of a job that already finished (cancelled between
two runs, say) is delivered: they clean up what the job's runs left outside the database (an export's
multipart upload), idempotently, and never move the job either.

Handlers are named as "module:function" and imported when a task of theirs first runs, not at a worker's
cold start: the parse worker never loads the analysis engine, the analyze worker never the VK harvester.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from vkc.jobs.context import TaskContext
from vkc.jobs.outcomes import Deferred

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


@dataclass(frozen=True, slots=True)
class TaskRegistry:
    """Root handlers by job type, sub-task handlers and detached handlers by task name, closed handlers by
    job type."""

    roots: LazyHandlers[RootHandler]
    tasks: LazyHandlers[TaskHandler]
    detached: LazyHandlers[TaskHandler]
    closed: LazyHandlers[TaskHandler] = field(default_factory=lambda: LazyHandlers({}))
