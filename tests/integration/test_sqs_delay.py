"""The SQS task queue holds a delayed message back (DelaySeconds), as a waiting harvest relies on."""

from __future__ import annotations

import time
import uuid

from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, Settings, WorkerKind

from devtools.local_stack.aws import aws_client


def test_a_delayed_task_is_invisible_until_its_delay_is_over(settings: Settings, moto_url: str) -> None:
    sqs = aws_client("sqs", moto_url, "eu-central-1")
    url = sqs.create_queue(QueueName=f"delay-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue = SqsTaskQueue(settings.model_copy(update={"queue_url_parse_high": url}), sqs)
    message = TaskMessage(job_id=uuid.uuid4(), task="collect.harvest", task_id="j:h")

    queue.send(WorkerKind.PARSE, Priority.HIGH, message, correlation_id="c", workspace_id="w", job_type="collect")
    queue.send(
        WorkerKind.PARSE, Priority.HIGH, message, correlation_id="c", workspace_id="w", job_type="collect", delay_s=2
    )

    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert len(first) == 1  # only the undelayed one
    time.sleep(2.2)
    later = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"])
    delayed = later.get("Messages", [])
    assert len(delayed) == 1
    assert delayed[0]["Attributes"]["ApproximateReceiveCount"] == "1"  # the wait spent no receive
