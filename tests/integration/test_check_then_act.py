"""Read-then-write paths that concurrent requests could break, each forced into its bad interleaving.

The pattern: one transaction does its write and stays open; the racing call runs in another thread on
its own connection until it finishes or waits for a lock; then the first commits. Without a lock or a
conditional write, the racer acts on what it read before the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from vkc.collection.schemas import COLLECT_JOB
from vkc.db.models import ApiKey, Job
from vkc.deadletters.ports import DeadMessage
from vkc.deadletters.service import redrive
from vkc.errors import Conflict
from vkc.jobs import control, service
from vkc.jobs.schemas import JobError, JobStatus, JobView, TaskMessage
from vkc.probe.schemas import PROBE_JOB
from vkc.settings import Priority, WorkerKind
from vkc.workspaces.service import (
    add_api_key,
    create_workspace,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
)

from devtools.recording_queue import RecordingQueue
from tests.support.factories import make_community
from tests.support.racing import Outcomes, backend_pid, in_background, racing_engine, wait_until_done_or_blocked

__all__ = ["racing_engine"]


def while_open(engine: Engine, first: Session, racer_call: Callable[[Session], Any]) -> Outcomes:
    """Run `racer_call(session)` in another thread until it finishes or waits for a lock; then commit `first`."""
    outcomes = Outcomes()
    pid: list[int] = []

    def racer() -> None:
        with Session(engine, expire_on_commit=False) as session:
            pid.append(backend_pid(session))
            outcomes.run(lambda: racer_call(session))

    thread = in_background(racer)
    wait_until_done_or_blocked(engine, thread, pid)
    first.commit()
    thread.join()
    return outcomes


# --------------------------------------------------------------------------- jobs: cancel vs finish


def test_a_cancel_that_loses_to_the_finish_is_409_not_200(racing_engine: Engine) -> None:
    workspace_id, _ = make_community(racing_engine)
    with Session(racing_engine, expire_on_commit=False) as s:
        job = service.create_job(
            s, RecordingQueue(), PROBE_JOB, workspace_id=workspace_id, payload={}, correlation_id="c"
        )

    with Session(racing_engine) as worker:
        service.finish_job(worker, job.id, JobStatus.SUCCEEDED, result={"ok": True})  # not committed yet
        cancel = while_open(racing_engine, worker, lambda s: control.cancel_job(s, workspace_id, job.id))

    assert cancel.results == []
    [refused] = cancel.errors
    assert isinstance(refused, Conflict)
    assert "already finished (succeeded)" in refused.detail
    with Session(racing_engine) as s:
        row = s.get(Job, job.id)
        assert row is not None
        assert (row.status, row.cancel_requested_at) == ("succeeded", None)


# --------------------------------------------------------------------------- API keys


def test_two_rotations_of_one_key_make_one_successor(racing_engine: Engine) -> None:
    with Session(racing_engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"rot-{uuid.uuid4().hex[:6]}")
        old = s.scalars(select(ApiKey.id).where(ApiKey.workspace_id == ws.id)).one()

    with Session(racing_engine) as first:
        rotate_api_key(first, ws.id, old)
        second = while_open(racing_engine, first, lambda s: rotate_api_key(s, ws.id, old))

    assert [type(e) for e in second.errors] == [Conflict]
    with Session(racing_engine) as s:
        keys = list_api_keys(s, ws.id)
    assert len(keys) == 2  # the old key and exactly one successor


def test_two_keys_revoking_each_other_at_once_leave_one_active(racing_engine: Engine) -> None:
    with Session(racing_engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"rev-{uuid.uuid4().hex[:6]}")
        add_api_key(s, ws.id, name="second")
        one, two = s.scalars(select(ApiKey.id).where(ApiKey.workspace_id == ws.id)).all()

    def revoke_own(s: Session) -> None:
        revoke_api_key(s, ws.id, two, caller_key_id=two)
        s.commit()

    with Session(racing_engine) as first:
        revoke_api_key(first, ws.id, one, caller_key_id=one)
        other = while_open(racing_engine, first, revoke_own)

    assert [type(e) for e in other.errors] == [Conflict]
    with Session(racing_engine) as s:
        assert [k.id for k in list_api_keys(s, ws.id) if k.active] == [two]


# --------------------------------------------------------------------------- dead letters


@dataclass
class HeldDeadLetters:
    """Dead letters as the broker holds them (the broker is an adapter; the database here is real)."""

    messages: list[DeadMessage]
    moved: list[DeadMessage] = field(default_factory=list)

    def hold_all(self) -> list[DeadMessage]:
        return list(self.messages)

    def release(self, messages: list[DeadMessage]) -> None:
        pass

    def move_back(self, message: DeadMessage) -> None:
        self.moved.append(message)


def dead_letter(workspace_id: uuid.UUID, job_id: uuid.UUID) -> DeadMessage:
    task = TaskMessage(job_id=job_id, task="job.run", task_id=f"{job_id}:root")
    return DeadMessage(
        worker=WorkerKind.PARSE,
        priority=Priority.HIGH,
        message_id=str(uuid.uuid4()),
        handle="h",
        body=task.model_dump_json(),
        receive_count=5,
        first_received_at=None,
        attributes={"workspace_id": str(workspace_id)},
    )


def collect(engine: Engine, workspace_id: uuid.UUID, community_id: uuid.UUID) -> JobView:
    with Session(engine, expire_on_commit=False) as s:
        payload = {"community_id": str(community_id)}
        return service.create_job(
            s, RecordingQueue(), COLLECT_JOB, workspace_id=workspace_id, payload=payload, correlation_id="c"
        )


def test_redriving_a_collection_while_another_is_active_leaves_it_failed(engine: Engine) -> None:
    workspace_id, community_id = make_community(engine)
    old = collect(engine, workspace_id, community_id)
    with Session(engine) as s, s.begin():
        error = JobError(code="retries_exhausted", message="Gave up after 5 attempts")
        service.finish_job(s, old.id, JobStatus.FAILED, error=error)
    current = collect(engine, workspace_id, community_id)
    dlq = HeldDeadLetters([dead_letter(workspace_id, old.id)])

    with Session(engine) as s:
        result = redrive(s, dlq, workspace_id, job_id=None)

    assert result.reopened_jobs == []
    with Session(engine) as s:
        statuses = dict(s.execute(select(Job.id, Job.status).where(Job.workspace_id == workspace_id)).all())
        active = s.scalar(
            select(func.count()).select_from(Job).where(Job.community_id == community_id, Job.status == "queued")
        )
    assert statuses == {old.id: "failed", current.id: "queued"}
    assert active == 1


def test_redriving_a_collection_reopens_it_when_the_community_is_free(engine: Engine) -> None:
    workspace_id, community_id = make_community(engine)
    old = collect(engine, workspace_id, community_id)
    with Session(engine) as s, s.begin():
        s.execute(update(Job).where(Job.id == old.id).values(started_at=func.now()))
        error = JobError(code="retries_exhausted", message="Gave up after 5 attempts")
        service.finish_job(s, old.id, JobStatus.FAILED, error=error)

    with Session(engine) as s:
        result = redrive(s, HeldDeadLetters([dead_letter(workspace_id, old.id)]), workspace_id, job_id=None)

    assert result.reopened_jobs == [old.id]
    with Session(engine) as s:
        assert s.scalar(select(Job.status).where(Job.id == old.id)) == "running"
