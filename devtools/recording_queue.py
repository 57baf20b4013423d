"""A TaskQueue that keeps what is sent (an in-memory stand-in for SQS; never used for our DB or Redis)."""

from __future__ import annotations

from dataclasses import dataclass, field

from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, WorkerKind


@dataclass
class SentMessage:
    worker: WorkerKind
    priority: Priority
    message: TaskMessage
    attributes: dict[str, str]
    delay_s: int = 0


@dataclass
class RecordingQueue:
    """A TaskQueue that keeps what was sent, or fails when told to (to test what a failed send leaves)."""

    sent: list[SentMessage] = field(default_factory=list)
    fail_with: Exception | None = None

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
        if self.fail_with is not None:
            raise self.fail_with
        attrs = {"correlation_id": correlation_id, "workspace_id": workspace_id, "job_type": job_type}
        self.sent.append(SentMessage(worker, priority, message, attrs, delay_s))
        return f"msg-{len(self.sent)}"
