"""A TaskQueue that keeps what is sent (an in-memory stand-in for SQS; never used for our DB or Redis)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vkc.jobs.ports import SEND_BATCH_MAX, Outgoing
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
    """A TaskQueue that keeps what was sent, or fails when told to (to test what a failed send leaves).

    `fail_job_ids` refuses single entries of a batch, as SQS may (`Failed` in SendMessageBatch's answer);
    `batches` counts the batch requests, each of at most `SEND_BATCH_MAX` entries, as SQS would bill them.
    """

    sent: list[SentMessage] = field(default_factory=list)
    fail_with: Exception | None = None
    fail_job_ids: set[str] = field(default_factory=set)
    batches: int = 0

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

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        if self.fail_with is not None:
            raise self.fail_with
        failed = []
        for start in range(0, len(messages), SEND_BATCH_MAX):
            self.batches += 1
            for i, out in enumerate(messages[start : start + SEND_BATCH_MAX], start):
                if self.fail_job_ids and str(out.message.job_id) in self.fail_job_ids:
                    failed.append(i)
                    continue
                attrs = {
                    "correlation_id": out.correlation_id,
                    "workspace_id": out.workspace_id,
                    "job_type": out.job_type,
                }
                self.sent.append(SentMessage(worker, priority, out.message, attrs))
        return failed
