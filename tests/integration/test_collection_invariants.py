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
from vkc.jobs.schemas import JobStatus, JobView
from vkc.monitoring.schedule import queue_due_monitoring

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


def due(engine: Engine, community_id: uuid.UUID, at: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(Community)
            .where(Community.id == community_id)
            .values(monitoring_enabled=True, can_collect=True, next_monitoring_at=at)
        )


def test_a_collection_a_user_starts_during_the_claim_wins_and_the_tick_skips_it(racing_engine: Engine) -> None:
    """The user's job row is written but not committed when the tick claims the community: the tick
    waits on the one-active-collection index, then leaves the community to the user's collection."""
    engine = racing_engine
    workspace_id, community_id = make_community(engine)
    now = datetime(1990, 1, 1, tzinfo=UTC)  # only this community is due then (the database is the session's)
    due(engine, community_id, now - timedelta(minutes=1))
    ticked = Outcomes()
    pid: list[int] = []
    ticks = []

    def tick() -> None:
        with Session(engine, expire_on_commit=False) as session:
            pid.append(backend_pid(session))
            ticked.run(lambda: queue_due_monitoring(session, RecordingQueue(), now))

    def while_the_users_job_is_uncommitted(_job_id: uuid.UUID) -> None:
        ticks.append(in_background(tick))
        wait_until_done_or_blocked(engine, ticks[0], pid)

    with Session(engine, expire_on_commit=False) as session:
        user_job = start_in(session, workspace_id, community_id, before_send=while_the_users_job_is_uncommitted)
    ticks[0].join()

    assert ticked.errors == []
    [summary] = ticked.results
    assert (summary["claimed"], summary["queued"], summary["skipped_active"]) == (1, 0, 1)
    assert active_collections(engine, community_id) == 1
    assert user_job.status is JobStatus.QUEUED


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
