"""Jobs: created queued and sent to their priority's queue; state only moves forward."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.errors import InvalidInput, NotFound
from vkc.jobs import service
from vkc.jobs.schemas import JobError, JobStatus
from vkc.probe.schemas import PROBE_JOB
from vkc.settings import Priority, WorkerKind
from vkc.workspaces.service import create_workspace

from devtools.recording_queue import RecordingQueue


@pytest.fixture
def workspace_id(engine: Engine) -> uuid.UUID:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        ws, _ = create_workspace(s, f"jobs-{uuid.uuid4().hex[:6]}")
    return ws.id


def _create(
    engine: Engine, ws: uuid.UUID, queue: RecordingQueue, *, payload: dict[str, object] | None = None, priority=None
) -> service.JobView:
    with Session(engine, expire_on_commit=False) as s:
        return service.create_job(
            s, queue, PROBE_JOB, workspace_id=ws, payload=payload or {}, priority=priority, correlation_id="c-1"
        )


def test_create_stores_queued_and_sends_to_default_priority(engine: Engine, workspace_id: uuid.UUID) -> None:
    queue = RecordingQueue()
    view = _create(engine, workspace_id, queue)
    assert view.status is JobStatus.QUEUED
    assert view.priority is Priority.HIGH
    [sent] = queue.sent
    assert (sent.worker, sent.priority) == (WorkerKind.PARSE, Priority.HIGH)
    assert sent.message.job_id == view.id
    assert sent.attributes["correlation_id"] == "c-1"
    assert sent.attributes["workspace_id"] == str(workspace_id)


def test_explicit_priority_routes_to_that_queue(engine: Engine, workspace_id: uuid.UUID) -> None:
    queue = RecordingQueue()
    _create(engine, workspace_id, queue, priority=Priority.LOW)
    assert queue.sent[0].priority is Priority.LOW


def test_invalid_payload_is_refused_with_field_location(engine: Engine, workspace_id: uuid.UUID) -> None:
    with pytest.raises(InvalidInput) as err:
        _create(engine, workspace_id, RecordingQueue(), payload={"checks": []})
    assert err.value.extra["errors"][0]["loc"][:3] == ["body", "payload", "checks"]


def test_failed_send_leaves_a_failed_job_not_a_stuck_one(engine: Engine, workspace_id: uuid.UUID) -> None:
    queue = RecordingQueue(fail_with=ConnectionError("sqs down"))
    with pytest.raises(ConnectionError):
        _create(engine, workspace_id, queue)
    with Session(engine) as s:
        page = service.list_jobs(s, workspace_id, status=None, limit=5, cursor=None)
    assert page.items[0].status is JobStatus.FAILED
    assert page.items[0].error is not None
    assert page.items[0].error.code == "enqueue_failed"


def test_other_workspace_sees_404(engine: Engine, workspace_id: uuid.UUID) -> None:
    view = _create(engine, workspace_id, RecordingQueue())
    with Session(engine) as s, pytest.raises(NotFound):
        service.get_job(s, uuid.uuid4(), view.id)


def test_transitions_only_move_forward(engine: Engine, workspace_id: uuid.UUID) -> None:
    view = _create(engine, workspace_id, RecordingQueue())
    with Session(engine) as s, s.begin():
        assert service.start_job(s, view.id) is not None
        assert service.finish_job(s, view.id, JobStatus.SUCCEEDED, result={"ok": True})
    with Session(engine) as s, s.begin():
        # a redelivered message finds the job finished: nothing moves
        assert service.start_job(s, view.id) is None
        assert not service.finish_job(s, view.id, JobStatus.FAILED, error=JobError(code="x", message="y"))
        final = service.get_job(s, workspace_id, view.id)
    assert final.status is JobStatus.SUCCEEDED
    assert final.attempts == 1
    assert final.timings.total_ms is not None
    assert final.timings.total_ms >= 0


def test_keyset_pagination_walks_every_job_once(engine: Engine, workspace_id: uuid.UUID) -> None:
    created = {_create(engine, workspace_id, RecordingQueue()).id for _ in range(7)}
    seen: list[uuid.UUID] = []
    cursor = None
    with Session(engine) as s:
        while True:
            page = service.list_jobs(s, workspace_id, status=JobStatus.QUEUED, limit=3, cursor=cursor)
            seen += [j.id for j in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert set(seen) == created
    assert len(seen) == len(created)


def test_garbage_cursor_is_invalid_input(engine: Engine, workspace_id: uuid.UUID) -> None:
    with Session(engine) as s, pytest.raises(InvalidInput):
        service.list_jobs(s, workspace_id, status=None, limit=3, cursor="not-a-cursor")
