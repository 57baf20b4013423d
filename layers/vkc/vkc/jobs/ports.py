"""What the jobs domain needs from the outside world, as small interfaces."""

from __future__ import annotations

from typing import Protocol

from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, WorkerKind

#: The longest a message can be held back before delivery (SQS DelaySeconds); longer waits chain.
MAX_DELAY_S = 900


class TaskQueue(Protocol):
    """Delivers task messages to a worker kind's priority queue (SQS in AWS and locally)."""

    def send(
        self,
        worker: WorkerKind,
        priority: Priority,
        message: TaskMessage,
        *,
        correlation_id: str,
        workspace_id: str,
        job_type: str,
        delay_s: int = 0,
    ) -> str:
        """Send one message, delivered no sooner than `delay_s` seconds from now (0..MAX_DELAY_S);
        returns the broker's message id."""
        ...
