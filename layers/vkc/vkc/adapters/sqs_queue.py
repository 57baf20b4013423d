"""The TaskQueue port on SQS: one standard queue per (worker kind, priority)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from vkc.jobs.ports import MAX_DELAY_S, SEND_BATCH_MAX, Outgoing
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, Settings, WorkerKind

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

log = logging.getLogger(__name__)

#: SendMessageBatch requests in flight at once: one request takes ~10-20 ms in-region, so 5,000 of them
#: (50,000 messages) one after the other would not fit a scheduler tick. 16, not 8: at 10 ms a request a
#: batch of 2,000 then takes ~125 ms, about as long as claiming the next (scale bench, with an SQS stub
#: answering in 10 ms: 17.0 s -> 12.7-14.3 s for 50,000 at load 7). The SQS client's connection pool
#: (`vkc.adapters.aws`) is larger than this, or connections beyond its size would be reopened.
SEND_THREADS = 16


def _attributes(correlation_id: str, workspace_id: str, job_type: str) -> dict[str, Any]:
    return {
        "correlation_id": {"DataType": "String", "StringValue": correlation_id},
        "workspace_id": {"DataType": "String", "StringValue": workspace_id},
        "job_type": {"DataType": "String", "StringValue": job_type},
    }


class SqsTaskQueue:
    def __init__(self, settings: Settings, client: SQSClient) -> None:
        self._settings = settings
        self._client = client

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
        response = self._client.send_message(
            QueueUrl=self._settings.queue_url(worker, priority),
            MessageBody=message.model_dump_json(),
            DelaySeconds=min(max(0, int(delay_s)), MAX_DELAY_S),
            MessageAttributes=_attributes(correlation_id, workspace_id, job_type),
        )
        return response["MessageId"]

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        """SendMessageBatch of ten, several requests at once; a request that raises fails its ten entries."""
        url = self._settings.queue_url(worker, priority)
        starts = range(0, len(messages), SEND_BATCH_MAX)

        def one(start: int) -> list[int]:
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {
                    "Id": str(i),
                    "MessageBody": out.message.model_dump_json(),
                    "MessageAttributes": _attributes(out.correlation_id, out.workspace_id, out.job_type),
                }
                for i, out in enumerate(messages[start : start + SEND_BATCH_MAX], start)
            ]
            try:
                response = self._client.send_message_batch(QueueUrl=url, Entries=entries)
            except Exception:
                log.exception("SendMessageBatch failed", extra={"queue_url": url, "entries": len(entries)})
                return [int(e["Id"]) for e in entries]
            failed = response.get("Failed", [])
            if failed:
                log.warning("SendMessageBatch refused entries", extra={"queue_url": url, "failed": failed[:3]})
            return [int(f["Id"]) for f in failed]

        if len(starts) == 1:
            return one(0)
        with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(starts))) as pool:
            return sorted(i for failed in pool.map(one, starts) for i in failed)
