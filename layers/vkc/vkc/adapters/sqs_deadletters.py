"""Dead-letter queues on SQS, found from each work queue's RedrivePolicy (no extra configuration)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from vkc.deadletters.ports import DeadMessage
from vkc.settings import Priority, Settings, WorkerKind

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

HOLD_S = 30  # long enough to list or move; released explicitly right after
MAX_ROUNDS = 50  # 500 messages per call at most: listing stays bounded


class SqsDeadLetterQueues:
    def __init__(self, settings: Settings, client: SQSClient) -> None:
        self._settings = settings
        self._sqs = client

    @cached_property
    def _dlqs(self) -> dict[tuple[WorkerKind, Priority], tuple[str, str]]:
        """(worker, priority) → (source queue url, DLQ url)."""
        out = {}
        for worker in WorkerKind:
            for priority in Priority:
                source = self._settings.queue_url(worker, priority)
                attrs = self._sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
                policy = json.loads(attrs["Attributes"]["RedrivePolicy"])
                name = policy["deadLetterTargetArn"].rsplit(":", 1)[-1]
                out[(worker, priority)] = (source, self._sqs.get_queue_url(QueueName=name)["QueueUrl"])
        return out

    def hold_all(self) -> list[DeadMessage]:
        held: list[DeadMessage] = []
        for (worker, priority), (_, dlq) in self._dlqs.items():
            for _ in range(MAX_ROUNDS):
                batch = self._sqs.receive_message(
                    QueueUrl=dlq,
                    MaxNumberOfMessages=10,
                    VisibilityTimeout=HOLD_S,
                    WaitTimeSeconds=0,
                    MessageAttributeNames=["All"],
                    MessageSystemAttributeNames=["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"],
                ).get("Messages", [])
                if not batch:
                    break
                for m in batch:
                    attrs = m.get("Attributes", {})
                    first = attrs.get("ApproximateFirstReceiveTimestamp")
                    held.append(
                        DeadMessage(
                            worker=worker,
                            priority=priority,
                            message_id=m["MessageId"],
                            handle=m["ReceiptHandle"],
                            body=m["Body"],
                            receive_count=int(attrs.get("ApproximateReceiveCount", 0)),
                            first_received_at=datetime.fromtimestamp(int(first) / 1000, UTC) if first else None,
                            attributes={k: v.get("StringValue", "") for k, v in m.get("MessageAttributes", {}).items()},
                        )
                    )
        return held

    def release(self, messages: list[DeadMessage]) -> None:
        for m in messages:
            dlq = self._dlqs[(m.worker, m.priority)][1]
            self._sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=m.handle, VisibilityTimeout=0)

    def move_back(self, message: DeadMessage) -> None:
        source, dlq = self._dlqs[(message.worker, message.priority)]
        self._sqs.send_message(
            QueueUrl=source,
            MessageBody=message.body,
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in message.attributes.items()},
        )
        self._sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message.handle)
