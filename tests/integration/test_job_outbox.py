"""A job whose root message was lost is sent again, once; a job whose message was sent never is.

The creators commit a job before sending its message, so one killed in between (the monitoring tick
after its claim, an API call inside `create_job`) leaves a queued job with no message, which would
block its community for ever. These tests kill them there and check that the scheduler's outbox sweep
sends the root task again after the grace period, exactly once, and that the job then runs and the
community is collected once; the one duplicate the sweep can cause (sent, killed before recording it)
also collects once.

The sweep looks at every job of the database, so this module has a database of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from vkc.collection.schemas import COLLECT_JOB
from vkc.db.engine import make_engine
from vkc.db.migrate import upgrade_to_head
from vkc.db.models import Job
from vkc.db.models_collection import CollectionTask, Community, MonitoringRun
from vkc.jobs import service
from vkc.jobs.outbox import RESEND_AFTER, resend_lost_jobs
from vkc.jobs.ports import Outgoing
from vkc.jobs.schemas import JobStatus
from vkc.monitoring.schedule import queue_due_monitoring
from vkc.settings import Priority, Settings, WorkerKind
from vkc.wiring.catalogue import JOBS
from vkc.workspaces.service import create_workspace

from devtools.inprocess import harness, truth
from devtools.pg import create_database, drop_database
from devtools.recording_queue import RecordingQueue
from devtools.vk_emulator import generate_dataset
from devtools.vk_emulator.dataset import Dataset
from tests.support.racing import race


class Killed(BaseException):
    """The process dying mid-call: nothing after it runs (no `except Exception` catches it)."""


class DiesOnSend(RecordingQueue):
    """A queue whose process is killed as it sends: SQS never sees the message."""

    def send(self, *args: Any, **kwargs: Any) -> str:
        raise Killed

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        raise Killed


@pytest.fixture(scope="module")
def own(run_id: str, settings: Settings) -> Iterator[tuple[Settings, Engine]]:
    name = f"vkc_t_{run_id}_o{uuid.uuid4().hex[:6]}"
    create_database(name)
    mine = settings.model_copy(update={"db_name": name})
    upgrade_to_head(mine)
    engine = make_engine(mine, pool_size=12)
    yield mine, engine
    engine.dispose()
    drop_database(name)


@pytest.fixture
def db(own: tuple[Settings, Engine]) -> Engine:
    return own[1]


@pytest.fixture(scope="module")
def tiny() -> Dataset:
    return generate_dataset(preset="tiny", seed=7)


def after_grace() -> datetime:
    return datetime.now(UTC) + RESEND_AFTER + timedelta(seconds=1)


def sweep(engine: Engine, queue: RecordingQueue, now: datetime, **kw: Any) -> dict[str, Any]:
    with Session(engine) as session:
        return resend_lost_jobs(session, queue, JOBS, now, **kw)


def sent_ids(*queues: RecordingQueue) -> Counter[uuid.UUID]:
    return Counter(m.message.job_id for q in queues for m in q.sent)


def monitor_only(engine: Engine, ids: Sequence[uuid.UUID], due: datetime) -> None:
    """Only these communities are monitored (due at `due`): the other tests' are left out of the tick."""
    with Session(engine) as s, s.begin():
        s.execute(update(Community).values(monitoring_enabled=False))
        monitored = update(Community).where(Community.id.in_(ids))
        s.execute(monitored.values(monitoring_enabled=True, next_monitoring_at=due))


def unsent_jobs(engine: Engine, n: int) -> list[uuid.UUID]:
    """`n` collections whose creator died at the send, each on a community of its own."""
    ids = []
    with Session(engine, expire_on_commit=False) as s:
        workspace_id = create_workspace(s, f"outbox-{uuid.uuid4().hex[:6]}")[0].id
        s.commit()
        for i in range(n):
            community = Community(
                id=uuid.uuid4(), workspace_id=workspace_id, vk_id=50_000 + i, name=f"c{i}", type="group",
                source_input=str(50_000 + i),
            )  # fmt: skip
            s.add(community)
            s.commit()
            with pytest.raises(Killed):
                service.create_job(
                    s, DiesOnSend(), COLLECT_JOB, workspace_id=workspace_id,
                    payload={"community_id": str(community.id)}, correlation_id=f"c{i}",
                )  # fmt: skip
            s.rollback()
            ids.append(s.scalars(select(Job.id).where(Job.community_id == community.id)).one())
    return ids


def test_a_tick_killed_after_its_claim_is_resent_once_after_the_grace_period(
    own: tuple[Settings, Engine], tiny: Dataset
) -> None:
    settings, engine = own
    with harness(engine, settings, tiny) as h:
        vk_id = next(c.id for c in tiny.communities.values() if c.is_closed == 0 and c.deactivated is None)
        community_id = h.communities[vk_id]
        newest = max(p.date for p in tiny.iter_posts())
        tick_at = datetime.fromtimestamp(newest, UTC) + timedelta(days=1)  # the 30-day recheck covers every post
        monitor_only(engine, [community_id], tick_at)
        with Session(engine, expire_on_commit=False) as s, pytest.raises(Killed):
            queue_due_monitoring(s, DiesOnSend(), tick_at)  # claim committed, then the process dies

        with Session(engine) as s:
            [job] = s.scalars(select(Job).where(Job.community_id == community_id)).all()
            assert (job.status, job.enqueued_at) == ("queued", None)  # blocks the community, no message

        early = sweep(engine, h.queue, datetime.now(UTC))  # within the grace period: maybe still being sent
        assert (early["resent"], h.queue.sent) == (0, [])
        resent = sweep(engine, h.queue, after_grace())
        again = sweep(engine, h.queue, after_grace())
        assert (resent["resent"], again["resent"]) == (1, 0)
        assert sent_ids(h.queue) == {job.id: 1}
        [message] = h.queue.sent
        assert (message.worker, message.priority, message.message.task_id) == (
            WorkerKind.PARSE,
            Priority.NORMAL,
            f"{job.id}:root",
        )

        h.drain()

        done = h.job(job.id)
        assert done.status is JobStatus.SUCCEEDED, done.error
        assert h.stored(vk_id) == truth(tiny, vk_id)  # collected once: every comment, none doubled
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(Job).where(Job.community_id == community_id)) == 1
            tasks = s.scalars(select(CollectionTask.status).where(CollectionTask.job_id == job.id)).all()
            run = s.scalars(select(MonitoringRun).where(MonitoringRun.job_id == job.id)).one()
        assert tasks
        assert set(tasks) == {"done"}
        assert (run.outcome, run.started_at is not None) == ("succeeded", True)


class DiesAfterSend(RecordingQueue):
    """SQS accepted the batch, then the process died before recording it: the message exists."""

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        super().send_batch(worker, priority, messages)
        raise Killed


def test_a_duplicate_root_from_a_send_never_recorded_collects_once(own: tuple[Settings, Engine], tiny: Dataset) -> None:
    """The one case the sweep doubles a message: both deliveries run the root, the community is
    collected once (one harvest task, every comment once)."""
    settings, engine = own
    with harness(engine, settings, tiny) as h:
        vk_id = next(c.id for c in tiny.communities.values() if c.is_closed == 0 and c.deactivated is None)
        tick_at = datetime.fromtimestamp(max(p.date for p in tiny.iter_posts()), UTC) + timedelta(days=2)
        monitor_only(engine, [h.communities[vk_id]], tick_at)
        dying = DiesAfterSend()
        with Session(engine, expire_on_commit=False) as s, pytest.raises(Killed):
            queue_due_monitoring(s, dying, tick_at)
        h.queue.sent.extend(dying.sent)  # the message SQS holds

        assert sweep(engine, h.queue, after_grace())["resent"] == 1
        [job_id] = set(sent_ids(h.queue))
        assert sent_ids(h.queue) == {job_id: 2}
        h.drain()

        assert h.job(job_id).status is JobStatus.SUCCEEDED
        assert h.stored(vk_id) == truth(tiny, vk_id)
        with Session(engine) as s:
            tasks = s.scalars(select(CollectionTask.status).where(CollectionTask.job_id == job_id)).all()
        assert tasks == ["done"]


def test_a_create_job_killed_at_its_send_is_resent_and_runs(own: tuple[Settings, Engine], tiny: Dataset) -> None:
    settings, engine = own
    with harness(engine, settings, tiny) as h:
        vk_id = [c.id for c in tiny.communities.values() if c.is_closed == 0 and c.deactivated is None][1]
        with Session(engine, expire_on_commit=False) as s, pytest.raises(Killed):
            service.create_job(
                s, DiesOnSend(), COLLECT_JOB, workspace_id=h.workspace_id,
                payload={"community_id": str(h.communities[vk_id])}, correlation_id="user",
            )  # fmt: skip
        with Session(engine) as s:
            job_id = s.scalars(select(Job.id).where(Job.community_id == h.communities[vk_id])).one()

        assert sweep(engine, h.queue, after_grace())["resent"] == 1
        h.drain()

        assert h.job(job_id).status is JobStatus.SUCCEEDED
        assert h.stored(vk_id) == truth(tiny, vk_id)


def test_a_job_whose_send_was_confirmed_is_never_resent(db: Engine) -> None:
    [lost] = unsent_jobs(db, 1)
    with Session(db) as s:
        workspace_id = s.get_one(Job, lost).workspace_id
        communities = [Community(id=uuid.uuid4(), workspace_id=workspace_id, vk_id=60_000 + i, name="x",
                                 type="group", source_input="x") for i in range(2)]  # fmt: skip
        s.add_all(communities)
        s.commit()
        sent = service.create_job(
            s, RecordingQueue(), COLLECT_JOB, workspace_id=workspace_id,
            payload={"community_id": str(communities[0].id)}, correlation_id="sent",
        )  # fmt: skip
        with pytest.raises(ConnectionError):  # SQS said no: the job is failed (the API answers 503)
            service.create_job(
                s, RecordingQueue(fail_with=ConnectionError("sqs down")), COLLECT_JOB, workspace_id=workspace_id,
                payload={"community_id": str(communities[1].id)}, correlation_id="refused",
            )  # fmt: skip
        refused = s.scalars(select(Job).where(Job.community_id == communities[1].id)).one()
        assert refused.status == "failed"
        assert s.get_one(Job, sent.id).enqueued_at is not None

    queue = RecordingQueue()
    sweep(db, queue, datetime.now(UTC) + timedelta(days=1))  # waiting a day in a backlog is not lost

    assert sent_ids(queue)[lost] == 1
    assert (sent_ids(queue)[sent.id], sent_ids(queue)[refused.id]) == (0, 0)
    with Session(db) as s:
        assert s.get_one(Job, sent.id).status == "queued"


class HeldOpen(RecordingQueue):
    """A send that waits until released: the sweep holding its claim is caught in the middle."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()
        self.release = threading.Event()

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        self.sending.set()
        assert self.release.wait(10)
        return super().send_batch(worker, priority, messages)


def test_a_sweep_overlapping_one_that_is_sending_resends_nothing(db: Engine) -> None:
    lost = unsent_jobs(db, 3)
    first, second, third = HeldOpen(), RecordingQueue(), RecordingQueue()
    outcome: list[dict[str, Any]] = []
    thread = threading.Thread(target=lambda: outcome.append(sweep(db, first, after_grace())))
    thread.start()
    try:
        assert first.sending.wait(10)
        overlapping = sweep(db, second, after_grace())  # the first holds the rows: skipped, not awaited
    finally:
        first.release.set()
        thread.join(10)
    later = sweep(db, third, after_grace())  # the first recorded its sends: nothing is lost any more

    assert (overlapping["resent"], later["resent"]) == (0, 0)
    assert sent_ids(first, second, third) == dict.fromkeys(lost, 1)
    assert outcome[0]["resent"] == 3


def test_racing_sweeps_resend_each_lost_job_once(db: Engine) -> None:
    lost = unsent_jobs(db, 40)
    queues = [RecordingQueue() for _ in range(6)]

    outcomes = race(db, [lambda s, q=q: resend_lost_jobs(s, q, JOBS, after_grace(), limit=10) for q in queues])
    tail = RecordingQueue()
    sweep(db, tail, after_grace())  # what the racers' limits left, for the next tick

    assert outcomes.errors == []
    assert sent_ids(*queues, tail) == dict.fromkeys(lost, 1)
    with Session(db) as s:
        unrecorded = s.scalar(select(func.count()).select_from(Job).where(Job.id.in_(lost), Job.enqueued_at.is_(None)))
    assert unrecorded == 0


def test_a_refused_resend_is_tried_again_on_the_next_tick(db: Engine) -> None:
    [lost] = unsent_jobs(db, 1)
    refusing = RecordingQueue(fail_job_ids={str(lost)})

    first = sweep(db, refusing, after_grace())
    retry = RecordingQueue()
    second = sweep(db, retry, after_grace())

    assert (first["resend_failed"], sent_ids(refusing)[lost]) == (1, 0)
    assert second["resent"] == 1
    assert sent_ids(retry) == {lost: 1}


def test_a_tick_that_sent_its_batch_leaves_nothing_to_resend(db: Engine) -> None:
    with Session(db, expire_on_commit=False) as s:
        workspace_id = create_workspace(s, f"outbox-{uuid.uuid4().hex[:6]}")[0].id
        due = datetime(2001, 1, 1, tzinfo=UTC)
        s.add_all(
            Community(id=uuid.uuid4(), workspace_id=workspace_id, vk_id=70_000 + i, name="m", type="group",
                      source_input="m", monitoring_enabled=True, next_monitoring_at=due)
            for i in range(25)
        )  # fmt: skip
        s.commit()
        monitor_only(db, s.scalars(select(Community.id).where(Community.workspace_id == workspace_id)).all(), due)
        summary = queue_due_monitoring(s, RecordingQueue(), due)
    assert summary["queued"] == 25
    queue = RecordingQueue()
    sweep(db, queue, datetime.now(UTC) + timedelta(days=1))
    assert not set(sent_ids(queue)) & {uuid.UUID(j) for j in summary["queued_jobs"]}
    with Session(db) as s:
        unrecorded = s.scalar(
            select(func.count())
            .select_from(Job)
            .join(MonitoringRun, MonitoringRun.job_id == Job.id)
            .where(Job.workspace_id == workspace_id, Job.enqueued_at.is_(None))
        )
    assert unrecorded == 0


class DiesOnSecondBatch(RecordingQueue):
    """SQS takes the first batch; the process dies as the second goes out (in the tick's send thread)."""

    def send_batch(self, worker: WorkerKind, priority: Priority, messages: Sequence[Outgoing]) -> list[int]:
        if self.batches:
            raise Killed
        return super().send_batch(worker, priority, messages)


def test_a_tick_killed_sending_a_batch_while_claiming_the_next_loses_no_run_and_doubles_none(db: Engine) -> None:
    """The tick sends a batch while it claims the next (two connections): killed there, it leaves the
    batch being sent and the one just claimed with no recorded send. The sweep sends exactly those,
    once; the batch recorded before is never re-sent; the next tick queues the rest."""
    due = datetime(2003, 1, 1, tzinfo=UTC)
    with Session(db, expire_on_commit=False) as s:
        workspace_id = create_workspace(s, f"outbox-{uuid.uuid4().hex[:6]}")[0].id
        communities = [
            Community(id=uuid.uuid4(), workspace_id=workspace_id, vk_id=90_000 + i, name="p", type="group",
                      source_input="p", monitoring_enabled=True, next_monitoring_at=due)
            for i in range(35)
        ]  # fmt: skip
        s.add_all(communities)
        s.commit()
    ids = [c.id for c in communities]
    monitor_only(db, ids, due)
    dying = DiesOnSecondBatch()
    with Session(db, expire_on_commit=False) as s, pytest.raises(Killed):
        queue_due_monitoring(s, dying, due, batch=10)
    with Session(db) as s:
        jobs = dict(s.execute(select(Job.id, Job.enqueued_at).where(Job.community_id.in_(ids))).all())
    recorded = {j for j, at in jobs.items() if at is not None}
    assert recorded == set(sent_ids(dying))  # the first batch: sent and recorded
    assert len(recorded) == 10
    assert len(jobs) == 30  # the second (being sent) and third (claimed meanwhile) batches: not recorded

    resent = RecordingQueue()
    assert sweep(db, resent, after_grace())["resent"] == 20
    assert sweep(db, resent, after_grace())["resent"] == 0
    with Session(db, expire_on_commit=False) as s:
        rest = RecordingQueue()
        assert queue_due_monitoring(s, rest, due, batch=10)["queued"] == 5
    assert sent_ids(dying, resent, rest) == Counter(dict.fromkeys([*jobs, *sent_ids(rest)], 1))
    with Session(db) as s:
        per_community = Counter(s.scalars(select(Job.community_id).where(Job.community_id.in_(ids))).all())
    assert per_community == Counter(dict.fromkeys(ids, 1))


#: a scheduler process that is SIGKILLed as it sends its first batch: no rollback, no finally, no atexit
KILLED_TICK = """
import os, signal, sys
from datetime import datetime
from sqlalchemy.orm import Session
from vkc.db.engine import make_engine
from vkc.monitoring.schedule import queue_due_monitoring
from vkc.settings import get_settings
from devtools.recording_queue import RecordingQueue

class Dies(RecordingQueue):
    def send_batch(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

with Session(make_engine(get_settings())) as session:
    queue_due_monitoring(session, Dies(), datetime.fromisoformat(sys.argv[1]))
"""


def test_a_tick_process_killed_after_its_claim_loses_no_run(own: tuple[Settings, Engine]) -> None:
    settings, engine = own
    due = datetime(2002, 1, 1, tzinfo=UTC)
    with Session(engine, expire_on_commit=False) as s:
        workspace_id = create_workspace(s, f"outbox-{uuid.uuid4().hex[:6]}")[0].id
        communities = [
            Community(id=uuid.uuid4(), workspace_id=workspace_id, vk_id=80_000 + i, name="k", type="group",
                      source_input="k", monitoring_enabled=True, next_monitoring_at=due)
            for i in range(30)
        ]  # fmt: skip
        s.add_all(communities)
        s.commit()
    monitor_only(engine, [c.id for c in communities], due)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DB_NAME": settings.db_name,
        "DB_HOST": "127.0.0.1",
        "DB_IAM_AUTH": "0",
        "DB_SSL": "0",
        "STAGE": "test",
    }
    root = Path(__file__).resolve().parents[2]
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_TICK, due.isoformat()], cwd=root, env=env, capture_output=True, timeout=120
    )
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    ids = [c.id for c in communities]
    with Session(engine) as s:
        jobs = dict(s.execute(select(Job.id, Job.enqueued_at).where(Job.community_id.in_(ids))).all())
    assert len(jobs) == 30  # claimed and committed, then the process died
    assert set(jobs.values()) == {None}

    queues = [RecordingQueue(), RecordingQueue()]
    outcomes = race(engine, [lambda s, q=q: resend_lost_jobs(s, q, JOBS, after_grace()) for q in queues])
    with Session(engine, expire_on_commit=False) as s:
        next_tick = queue_due_monitoring(s, RecordingQueue(), due)  # the communities are not due twice

    assert outcomes.errors == []
    assert {j: n for j, n in sent_ids(*queues).items() if j in jobs} == dict.fromkeys(jobs, 1)
    assert next_tick["claimed"] == 0
