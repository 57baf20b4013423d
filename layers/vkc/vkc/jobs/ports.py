"""What the jobs domain needs from the outside world, as small interfaces."""

from __future__ import annotations

from typing import Protocol

from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, WorkerKind


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
    ) -> str:
        """Send one message; returns the broker's message id."""
        ...
