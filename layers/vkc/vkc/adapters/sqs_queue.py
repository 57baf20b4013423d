"""The TaskQueue port on SQS: one standard queue per (worker kind, priority)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vkc.jobs.ports import MAX_DELAY_S
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, Settings, WorkerKind

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


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
            MessageAttributes={
                "correlation_id": {"DataType": "String", "StringValue": correlation_id},
                "workspace_id": {"DataType": "String", "StringValue": workspace_id},
                "job_type": {"DataType": "String", "StringValue": job_type},
            },
        )
        return response["MessageId"]
