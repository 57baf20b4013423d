"""One active collection per community, and no deleted community with an active job, under concurrency.

Each racer has its own connection: the database, not the order in which Python runs, keeps the
invariants.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from vkc.collection.schemas import COLLECT_JOB
from vkc.communities import service as communities
from vkc.db.models import Job
from vkc.db.models_collection import Community
from vkc.errors import Conflict, NotFound
from vkc.jobs import service
from vkc.jobs.schemas import JobStatus, JobView, TaskMessage
from vkc.monitoring.schedule import queue_due_monitoring
from vkc.settings import Priority, WorkerKind

from devtools.recording_queue import RecordingQueue
from tests.support.factories import make_community
from tests.support.racing import (
    RACERS,
    Outcomes,
    backend_pid,
    in_background,
    race,
    racing_engine,
    wait_until_done_or_blocked,
)

__all__ = ["racing_engine"]


def start_in(session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID, **kw: Any) -> JobView:
    """What every door that starts a collection does (the API's routes, retry, POST /v1/jobs)."""
    payload = {"community_id": str(community_id)}
    return service.create_job(
        session, RecordingQueue(), COLLECT_JOB, workspace_id=workspace_id, payload=payload, correlation_id="race", **kw
    )


def start_collection(engine: Engine, workspace_id: uuid.UUID, community_id: uuid.UUID) -> JobView:
    with Session(engine, expire_on_commit=False) as session:
        return start_in(session, workspace_id, community_id)


def delete_in(session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID) -> None:
    communities.delete_community(session, workspace_id, community_id)
    session.commit()


def active_collections(engine: Engine, community_id: uuid.UUID) -> int:
    with Session(engine) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Job)
                .where(
                    Job.type == COLLECT_JOB.name,
                    Job.status.in_(["queued", "running"]),
                    Job.payload["community_id"].astext == str(community_id),
                )
            )
            or 0
        )


def community_exists(engine: Engine, community_id: uuid.UUID) -> bool:
    with Session(engine) as session:
        return session.get(Community, community_id) is not None


def test_twenty_concurrent_starts_queue_exactly_one_collection(racing_engine: Engine) -> None:
    workspace_id, community_id = make_community(racing_engine)

    outcomes = race(racing_engine, [lambda s: start_in(s, workspace_id, community_id)] * RACERS)

    assert len(outcomes.results) == 1
    assert [type(e) for e in outcomes.errors] == [Conflict] * (RACERS - 1)
    winner = str(outcomes.results[0].id)
    for conflict in outcomes.errors:
        assert isinstance(conflict, Conflict)
        assert conflict.detail == f"A collection of this community is already active: job {winner}."
        assert conflict.extra == {"job_id": winner}
    assert active_collections(racing_engine, community_id) == 1


def test_a_finished_collection_frees_the_community(engine: Engine) -> None:
    workspace_id, community_id = make_community(engine)
    first = start_collection(engine, workspace_id, community_id)
    with pytest.raises(Conflict):
        start_collection(engine, workspace_id, community_id)
    with Session(engine) as session, session.begin():
        service.finish_job(session, first.id, JobStatus.SUCCEEDED, result={})
    second = start_collection(engine, workspace_id, community_id)
    assert second.id != first.id


def test_a_collection_of_another_workspaces_community_is_not_found(engine: Engine) -> None:
    _, community_id = make_community(engine)
    stranger, _ = make_community(engine, vk_id=1002)
    with pytest.raises(NotFound):
        start_collection(engine, stranger, community_id)
    assert active_collections(engine, community_id) == 0


class CollectsOnSend(RecordingQueue):
    """A queue that, when the first job is sent, lets a user start a collection of another community."""

    def __init__(self, engine: Engine, workspace_id: uuid.UUID, community_id: uuid.UUID) -> None:
        super().__init__()
        self._user = lambda: start_collection(engine, workspace_id, community_id)
        self.user_job: JobView | None = None

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
        if self.user_job is None:
            self.user_job = self._user()
        return super().send(
            worker,
            priority,
            message,
            correlation_id=correlation_id,
            workspace_id=workspace_id,
            job_type=job_type,
            delay_s=delay_s,
        )


def due(engine: Engine, community_id: uuid.UUID, at: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(Community)
            .where(Community.id == community_id)
            .values(monitoring_enabled=True, can_collect=True, next_monitoring_at=at)
        )


def test_the_scheduler_skips_a_community_a_user_started_after_the_claim(engine: Engine) -> None:
    workspace_id, first = make_community(engine)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        second = Community(
            id=uuid.uuid4(), workspace_id=workspace_id, vk_id=1003, name="b", type="group", source_input="1003"
        )
        session.add(second)
    due(engine, first, now - timedelta(minutes=2))
    due(engine, second.id, now - timedelta(minutes=1))  # claimed second, so the user is quicker to it
    queue = CollectsOnSend(engine, workspace_id, second.id)

    with Session(engine, expire_on_commit=False) as session:
        summary = queue_due_monitoring(session, queue, now)

    assert queue.user_job is not None
    assert len(summary["queued_jobs"]) == 1
    assert summary["skipped_active"] == [str(second.id)]
    assert active_collections(engine, second.id) == 1
    assert active_collections(engine, first) == 1


def test_overlapping_ticks_and_users_leave_one_collection_per_community(racing_engine: Engine) -> None:
    workspace_id, community_id = make_community(racing_engine)
    now = datetime.now(UTC)
    due(racing_engine, community_id, now - timedelta(minutes=1))

    def tick(session: Session) -> dict[str, Any]:
        return queue_due_monitoring(session, RecordingQueue(), now)

    def user(session: Session) -> JobView:
        return start_in(session, workspace_id, community_id)

    outcomes = race(racing_engine, [tick if i % 2 else user for i in range(RACERS)])

    assert all(isinstance(e, Conflict) for e in outcomes.errors), outcomes.errors  # only users are refused
    assert active_collections(racing_engine, community_id) == 1


# --------------------------------------------------------------------------- delete vs collect


def test_delete_waits_for_a_collection_being_started_and_is_refused(racing_engine: Engine) -> None:
    workspace_id, community_id = make_community(racing_engine)
    deleted = Outcomes()
    pid: list[int] = []
    deleters = []

    def delete() -> None:
        with Session(racing_engine) as session:
            pid.append(backend_pid(session))
            deleted.run(lambda: delete_in(session, workspace_id, community_id))

    def while_the_job_is_uncommitted(_job_id: uuid.UUID) -> None:
        deleters.append(in_background(delete))
        wait_until_done_or_blocked(racing_engine, deleters[0], pid)

    with Session(racing_engine, expire_on_commit=False) as session:
        job = start_in(session, workspace_id, community_id, before_send=while_the_job_is_uncommitted)
    deleters[0].join()

    assert [type(e) for e in deleted.errors] == [Conflict]
    assert community_exists(racing_engine, community_id)
    assert active_collections(racing_engine, community_id) == 1
    assert job.status is JobStatus.QUEUED


def test_a_collection_started_during_a_delete_is_not_found(racing_engine: Engine) -> None:
    workspace_id, community_id = make_community(racing_engine)
    started = Outcomes()
    pid: list[int] = []

    def collect() -> None:
        with Session(racing_engine, expire_on_commit=False) as session:
            pid.append(backend_pid(session))
            started.run(lambda: start_in(session, workspace_id, community_id))

    with Session(racing_engine) as session, session.begin():
        communities.delete_community(session, workspace_id, community_id)
        collector = in_background(collect)
        wait_until_done_or_blocked(racing_engine, collector, pid)
    collector.join()

    assert started.results == []
    assert [type(e) for e in started.errors] == [NotFound]
    assert not community_exists(racing_engine, community_id)
    assert active_collections(racing_engine, community_id) == 0


def test_concurrent_deletes_and_collections_never_leave_an_orphan_job(racing_engine: Engine) -> None:
    for _ in range(10):
        workspace_id, community_id = make_community(racing_engine)

        def delete(session: Session, ws: uuid.UUID = workspace_id, cid: uuid.UUID = community_id) -> None:
            delete_in(session, ws, cid)

        def collect(session: Session, ws: uuid.UUID = workspace_id, cid: uuid.UUID = community_id) -> JobView:
            return start_in(session, ws, cid)

        outcomes = race(racing_engine, [delete if i % 2 else collect for i in range(RACERS)])

        assert all(isinstance(e, (Conflict, NotFound)) for e in outcomes.errors), outcomes.errors
        if not community_exists(racing_engine, community_id):
            assert active_collections(racing_engine, community_id) == 0
