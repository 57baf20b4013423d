"""The monitoring tick at more than one community: every due community queued once, however many
ticks overlap; busy communities never starve the others; a tick past its budget leaves the rest
(oldest first) to the next one; a message SQS refuses leaves the community due again."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.collection.schemas import COLLECT_JOB
from vkc.communities import service as communities
from vkc.db.models import Job
from vkc.db.models_collection import Community, MonitoringRun
from vkc.jobs import service
from vkc.jobs.ports import Outgoing
from vkc.jobs.schemas import TaskMessage
from vkc.monitoring.schedule import queue_due_monitoring
from vkc.settings import Priority, Settings, WorkerKind
from vkc.workspaces.service import create_workspace

from devtools.local_stack.aws import aws_client
from devtools.recording_queue import RecordingQueue
from tests.support.racing import race, racing_engine

__all__ = ["racing_engine"]

REGION = "eu-central-1"
_EARLIER = itertools.count(1)


@pytest.fixture
def now() -> datetime:
    """A tick time before every other test's (the database is the session's): only this test's
    communities are due at it, whatever earlier tests left due."""
    return datetime(2000, 1, 1, tzinfo=UTC) - timedelta(days=next(_EARLIER))


def due_communities(engine: Engine, n: int, *, workspaces: int = 1, at: datetime, step_s: int = 1) -> list[uuid.UUID]:
    """`n` monitored communities spread over `workspaces`, due one `step_s` after another from `at`."""
    ids = []
    with Session(engine, expire_on_commit=False) as s, s.begin():
        spaces = [create_workspace(s, f"mon-{uuid.uuid4().hex[:6]}")[0].id for _ in range(workspaces)]
        for i in range(n):
            row = Community(
                id=uuid.uuid4(),
                workspace_id=spaces[i % workspaces],
                vk_id=10_000 + i,
                name=f"c{i}",
                type="group",
                source_input=str(10_000 + i),
                monitoring_enabled=True,
                monitoring_interval_minutes=30,
                monitoring_priority=("high", "normal", "low")[i % 3],
                next_monitoring_at=at + timedelta(seconds=i * step_s),
            )
            s.add(row)
            ids.append(row.id)
    return ids


def jobs_per_community(engine: Engine, ids: Sequence[uuid.UUID]) -> Counter[uuid.UUID]:
    with Session(engine) as s:
        rows = s.scalars(select(Job.community_id).where(Job.community_id.in_(ids), Job.type == "collect"))
        return Counter(r for r in rows if r is not None)


def sent_communities(engine: Engine, queue: RecordingQueue) -> list[uuid.UUID]:
    job_ids = [m.message.job_id for m in queue.sent]
    with Session(engine) as s:
        by_job = dict(s.execute(select(Job.id, Job.community_id).where(Job.id.in_(job_ids))).all())
    return [by_job[j] for j in job_ids if by_job[j] is not None]


def test_overlapping_ticks_queue_every_due_community_exactly_once(racing_engine: Engine, now: datetime) -> None:
    ids = due_communities(racing_engine, 300, workspaces=3, at=now - timedelta(minutes=10))
    queues = [RecordingQueue() for _ in range(6)]

    def ticking(queue: RecordingQueue) -> Any:
        return lambda session: queue_due_monitoring(session, queue, now, batch=25)

    outcomes = race(racing_engine, [ticking(q) for q in queues])

    assert outcomes.errors == []
    sent = [c for q in queues for c in sent_communities(racing_engine, q)]
    assert sorted(sent) == sorted(ids)  # each once, none left out
    assert set(jobs_per_community(racing_engine, ids).values()) == {1}
    with Session(racing_engine) as s:
        runs = s.scalar(select(func.count()).select_from(MonitoringRun).where(MonitoringRun.community_id.in_(ids)))
        still_due = s.scalar(
            select(func.count())
            .select_from(Community)
            .where(Community.id.in_(ids), Community.next_monitoring_at <= now)
        )
    assert (runs, still_due) == (300, 0)
    assert sum(o["queued"] for o in outcomes.results) == 300


def test_each_job_goes_to_its_priority_queue_in_requests_of_ten(engine: Engine, now: datetime) -> None:
    ids = due_communities(engine, 45, at=now - timedelta(minutes=5))
    queue = RecordingQueue()

    summary = tick(engine, queue, now)

    assert summary["queued"] == 45
    assert queue.batches == 6  # 15 per priority: two requests each
    with Session(engine) as s:
        priorities = dict(s.execute(select(Job.id, Job.priority).where(Job.community_id.in_(ids))).all())
    assert all(priorities[m.message.job_id] == m.priority.value for m in queue.sent)
    assert all(m.worker is WorkerKind.PARSE and m.message.task_id == f"{m.message.job_id}:root" for m in queue.sent)


def test_busy_communities_do_not_take_the_places_of_due_ones(engine: Engine, now: datetime) -> None:
    busy_a, busy_b, waiting = due_communities(engine, 3, at=now - timedelta(minutes=5))
    for community_id in (busy_a, busy_b):  # the oldest two are being collected at a user's request
        with Session(engine) as s:
            workspace_id = s.get_one(Community, community_id).workspace_id
        with Session(engine) as s:
            service.create_job(
                s, RecordingQueue(), COLLECT_JOB, workspace_id=workspace_id,
                payload={"community_id": str(community_id)}, correlation_id="user",
            )  # fmt: skip

    summary = tick(engine, RecordingQueue(), now, batch=2)

    assert summary["queued"] == 1
    assert jobs_per_community(engine, [busy_a, busy_b, waiting]) == {busy_a: 1, busy_b: 1, waiting: 1}
    with Session(engine) as s:
        busy_next = s.scalars(select(Community.next_monitoring_at).where(Community.id.in_([busy_a, busy_b])))
        assert all(at is not None and at <= now for at in busy_next)  # still due: queued once they finish


def test_a_tick_past_its_budget_leaves_the_rest_oldest_first_to_the_next(engine: Engine, now: datetime) -> None:
    ids = due_communities(engine, 5, at=now - timedelta(minutes=5))

    first_queue, second_queue = RecordingQueue(), RecordingQueue()
    first = tick(engine, first_queue, now, batch=2, budget_s=0)
    second = tick(engine, second_queue, now, batch=2, budget_s=0)

    assert (first["queued"], first["more_due"]) == (2, True)
    assert sorted(sent_communities(engine, first_queue)) == sorted(ids[:2])
    assert sorted(sent_communities(engine, second_queue)) == sorted(ids[2:4])
    assert second["more_due"] is True


class RefusesFirst(RecordingQueue):
    """SQS refusing one entry of the first batch (SendMessageBatch answers it under `Failed`)."""

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        if self.batches == 0:
            self.fail_job_ids = {str(messages[0].message.job_id)}
        else:
            self.fail_job_ids = set()
        return super().send_batch(worker, priority, messages)


def test_a_refused_message_fails_its_job_and_the_next_tick_queues_the_community_again(
    engine: Engine, now: datetime
) -> None:
    [community_id] = due_communities(engine, 1, at=now - timedelta(minutes=1))

    summary = tick(engine, RefusesFirst(), now)

    assert (summary["queued"], summary["enqueue_failed"]) == (0, 1)
    with Session(engine) as s:
        job = s.scalars(select(Job).where(Job.community_id == community_id)).one()
        run = s.scalars(select(MonitoringRun).where(MonitoringRun.job_id == job.id)).one()
        assert (job.status, (job.error or {}).get("code"), run.outcome) == ("failed", "enqueue_failed", "failed")
    retry_queue = RecordingQueue()
    retried = tick(engine, retry_queue, now)
    assert retried["queued"] == 1
    assert sent_communities(engine, retry_queue) == [community_id]


def test_sqs_receives_every_message_of_a_batch(settings: Settings, moto_url: str) -> None:
    sqs = aws_client("sqs", moto_url, REGION)
    url = sqs.create_queue(QueueName=f"batch-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue = SqsTaskQueue(settings.model_copy(update={"queue_url_parse_low": url}), sqs)
    job_ids = [uuid.uuid4() for _ in range(23)]
    messages = [
        Outgoing(TaskMessage(job_id=j, task="job.run", task_id=f"{j}:root"), "corr", "ws", "collect") for j in job_ids
    ]

    refused = queue.send_batch(WorkerKind.PARSE, Priority.LOW, messages)

    received: list[uuid.UUID] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", []
    ):
        for m in batch:
            received.append(TaskMessage.model_validate_json(m["Body"]).job_id)
            assert m["MessageAttributes"]["job_type"]["StringValue"] == "collect"
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert refused == []
    assert sorted(received) == sorted(job_ids)


def tick(engine: Engine, queue: RecordingQueue, now: datetime, **kw: Any) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        return queue_due_monitoring(session, queue, now, **kw)


def test_a_batch_request_that_fails_reports_its_entries_as_unsent(settings: Settings, moto_url: str) -> None:
    sqs = aws_client("sqs", moto_url, REGION)
    missing = f"{moto_url}/123456789012/no-such-queue-{uuid.uuid4().hex[:8]}"
    queue = SqsTaskQueue(settings.model_copy(update={"queue_url_parse_low": missing}), sqs)
    job_ids = [uuid.uuid4() for _ in range(12)]
    messages = [
        Outgoing(TaskMessage(job_id=j, task="job.run", task_id=f"{j}:root"), "corr", "ws", "collect") for j in job_ids
    ]

    assert queue.send_batch(WorkerKind.PARSE, Priority.LOW, messages) == list(range(12))


def test_a_community_being_deleted_is_skipped_and_leaves_no_job(racing_engine: Engine, now: datetime) -> None:
    """The delete holds the row FOR UPDATE: the tick skips it (SKIP LOCKED) instead of waiting, and
    after the delete commits nothing refers to the community."""
    [community_id] = due_communities(racing_engine, 1, at=now - timedelta(minutes=1))
    with Session(racing_engine) as deleting, deleting.begin():
        workspace_id = deleting.get_one(Community, community_id).workspace_id
        communities.delete_community(deleting, workspace_id, community_id)
        summary = tick(racing_engine, RecordingQueue(), now)
    assert (summary["claimed"], summary["queued"]) == (0, 0)
    with Session(racing_engine) as s:
        assert s.get(Community, community_id) is None
    assert jobs_per_community(racing_engine, [community_id]) == {}
