"""What the jobs domain needs from the outside world, as small interfaces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, WorkerKind

#: SQS SendMessageBatch takes at most ten entries
SEND_BATCH_MAX = 10


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message of a batch, with the attributes `TaskQueue.send` takes as keywords."""

    message: TaskMessage
    correlation_id: str
    workspace_id: str
    job_type: str


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


class BatchTaskQueue(TaskQueue, Protocol):
    """A TaskQueue that also sends many messages at once (the scheduler queues thousands per tick)."""

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        """Send every message (in requests of up to `SEND_BATCH_MAX`); returns the indexes that were not sent.

        A failure of some entries does not stop the others: the caller decides what an unsent message
        means for its job.
        """
        ...
