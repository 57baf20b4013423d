"""The fault suite's queue behaves like SQS: invisible while in flight, redelivered, dead-lettered."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, WorkerKind

from devtools.durable_queue import DurableQueue


@pytest.fixture
def queue() -> Iterator[DurableQueue]:
    q = DurableQueue(
        redis.Redis.from_url("redis://127.0.0.1:6379/0"),
        f"vkc:test:dq:{uuid.uuid4().hex[:8]}",
        visibility_s=0.3,
        max_receive=2,
    )
    yield q
    q.delete_all()


def _send(q: DurableQueue, delay_s: int = 0) -> str:
    message = TaskMessage(job_id=uuid.uuid4(), task="collect", task_id="t")
    return q.send(
        WorkerKind.PARSE,
        Priority.HIGH,
        message,
        correlation_id="c",
        workspace_id="w",
        job_type="collect",
        delay_s=delay_s,
    )


def test_a_delayed_message_stays_hidden_until_its_delay_is_over(queue: DurableQueue) -> None:
    sent = _send(queue, delay_s=1)
    assert queue.receive() is None  # held back, as SQS DelaySeconds does
    assert queue.depths()["delayed"] == 1
    assert not queue.empty
    time.sleep(1.05)
    got = queue.receive()
    assert got is not None
    assert got.id == sent
    assert got.receive_count == 1  # waiting spent no receive


def test_in_flight_is_invisible_then_redelivered_then_dead_lettered(queue: DurableQueue) -> None:
    _send(queue)
    first = queue.receive()
    assert first is not None
    assert first.receive_count == 1
    assert queue.receive() is None  # invisible while in flight
    time.sleep(0.35)
    again = queue.receive()
    assert again is not None
    assert again.id == first.id
    assert again.receive_count == 2
    time.sleep(0.35)
    assert queue.receive() is None  # third receive > max_receive: to the DLQ
    assert queue.depths() == {"ready": 0, "inflight": 0, "dlq": 1, "redelivered": 2, "delayed": 0}


def test_ack_deletes_for_good(queue: DurableQueue) -> None:
    _send(queue)
    got = queue.receive()
    assert got is not None
    queue.ack(got.id)
    time.sleep(0.35)
    assert queue.receive() is None
    assert queue.empty
