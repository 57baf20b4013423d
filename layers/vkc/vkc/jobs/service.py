"""Creating, reading and moving jobs through their states.

State only moves forward: queued → running → succeeded | failed | cancelled. Every transition is a
conditional UPDATE, so a redelivered message or a killed Lambda can never move a finished job back.

A job whose payload names a community works on it: the row records it in `community_id`, the
community is locked against deletion until the job is committed, and a partial unique index keeps
one queued or running collection per community however many requests race.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vkc import observability
from vkc.db.constraints import violated_constraint
from vkc.db.models import ONE_ACTIVE_COLLECTION, Job
from vkc.db.models_collection import Community, MonitoringRun
from vkc.errors import Conflict, InvalidInput, NotFound
from vkc.jobs.cursor import decode_cursor, encode_cursor
from vkc.jobs.ports import TaskQueue
from vkc.jobs.queries import active_job_on_community
from vkc.jobs.schemas import JobError, JobPage, JobStatus, JobTimings, JobView, TaskMessage
from vkc.jobs.spec import JobSpec
from vkc.settings import Priority

ROOT_TASK = "job.run"


def validate_payload(spec: JobSpec, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate the type-specific payload; field errors come back as InvalidInput with locations."""
    try:
        model = spec.payload_model.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {"loc": ["body", "payload", *exc_loc], "msg": e["msg"], "type": e["type"]}
            for e in exc.errors()
            for exc_loc in [list(e["loc"])]
        ]
        raise InvalidInput(f"The payload of a '{spec.name}' job is not valid.", extra={"errors": errors}) from exc
    return model.model_dump(mode="json")


def create_job(
    session: Session,
    queue: TaskQueue,
    spec: JobSpec,
    *,
    workspace_id: uuid.UUID,
    payload: dict[str, Any],
    correlation_id: str,
    priority: Priority | None = None,
    before_send: Callable[[uuid.UUID], None] | None = None,
) -> JobView:
    """Store the job as queued, commit, then put its root task on the priority's queue.

    The row is committed before sending so a worker never sees a message for a job that does not
    exist yet; once SQS has accepted the message, `enqueued_at` records it (a process killed in
    between leaves a job the scheduler's outbox sweep re-sends, `vkc.jobs.outbox`). If sending fails
    the job is marked failed (nothing half-queued is left behind) and the error propagates for the
    API to answer 503. A collection of a community that already has
    one queued or running is refused with Conflict (the unique index decides, so races lose too);
    a community that is not the workspace's, or is being deleted, is NotFound.
    """
    priority = priority or spec.default_priority
    payload = validate_payload(spec, payload)
    community_id = lock_community(session, workspace_id, payload)
    job = Job(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        type=spec.name,
        priority=priority.value,
        status=JobStatus.QUEUED.value,
        payload=payload,
        attempts=0,
        correlation_id=correlation_id,
        community_id=community_id,
    )
    session.add(job)
    try:
        session.flush()
    except IntegrityError as exc:
        if violated_constraint(exc) != ONE_ACTIVE_COLLECTION or community_id is None:
            raise
        session.rollback()  # the winner is committed: a fresh look names it
        raise already_collecting(session, workspace_id, community_id, spec.name) from None
    if before_send is not None:
        before_send(job.id)  # rows that must exist with the job (e.g. its monitoring run), same commit
    session.commit()
    message = TaskMessage(job_id=job.id, task=ROOT_TASK, task_id=f"{job.id}:root")
    try:
        queue.send(
            spec.worker,
            priority,
            message,
            correlation_id=correlation_id,
            workspace_id=str(workspace_id),
            job_type=job.type,
        )
    except Exception:
        finish_job(
            session,
            job.id,
            JobStatus.FAILED,
            error=JobError(code="enqueue_failed", message="Could not queue."),
        )
        session.commit()
        raise
    # the outbox marker: a job queued without it for long lost its message (`vkc.jobs.outbox` re-sends it)
    session.execute(update(Job).where(Job.id == job.id, Job.enqueued_at.is_(None)).values(enqueued_at=func.now()))
    session.commit()
    session.refresh(job)
    return to_view(job)


def lock_community(session: Session, workspace_id: uuid.UUID, payload: dict[str, Any]) -> uuid.UUID | None:
    """The community the payload names, locked (FOR KEY SHARE) until the job is committed, or None.

    The lock makes a concurrent delete of the community wait for the job and then see it (and refuse);
    a delete that locked first makes this wait and then find nothing, which is NotFound.
    """
    named = payload.get("community_id")
    if named is None:
        return None
    community_id = uuid.UUID(str(named))
    found = session.scalar(
        select(Community.id)
        .where(Community.id == community_id, Community.workspace_id == workspace_id)
        .with_for_update(read=True, key_share=True)  # FOR KEY SHARE: blocks a delete, not other jobs
    )
    if found is None:
        raise NotFound(f"Community {community_id} does not exist.")
    return community_id


def already_collecting(session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID, job_type: str) -> Conflict:
    """The 409 for a second collection of a community (`ONE_ACTIVE_COLLECTION`), naming the active one."""
    active = active_job_on_community(session, workspace_id, community_id, job_type=job_type)
    if active is None:  # it finished in the meantime: starting again now would succeed
        return Conflict("A collection of this community was active a moment ago; try again.")
    return Conflict(f"A collection of this community is already active: job {active}.", extra={"job_id": str(active)})


def get_job(session: Session, workspace_id: uuid.UUID, job_id: uuid.UUID) -> JobView:
    job = session.get(Job, job_id)
    if job is None or job.workspace_id != workspace_id:
        raise NotFound(f"Job {job_id} does not exist.")
    return to_view(job)


def list_jobs(
    session: Session,
    workspace_id: uuid.UUID,
    *,
    status: JobStatus | None,
    limit: int,
    cursor: str | None,
    where: Sequence[ColumnElement[bool]] = (),
) -> JobPage:
    """Newest first, keyset-paginated on (created_at, id); `where` narrows it (e.g. one community)."""
    query = select(Job).where(Job.workspace_id == workspace_id, *where)
    if status is not None:
        query = query.where(Job.status == status.value)
    if cursor:
        created, row_id = decode_cursor(cursor)
        query = query.where(or_(Job.created_at < created, and_(Job.created_at == created, Job.id < row_id)))
    rows = list(session.scalars(query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return JobPage(items=[to_view(j) for j in rows[:limit]], next_cursor=next_cursor)


def start_job(session: Session, job_id: uuid.UUID, *, count_attempt: bool = True) -> Job | None:
    """Mark the job running; None when it is finished or unknown, so the task is skipped.

    `attempts` counts deliveries of the job's root task (sub-tasks of a fanned-out job do not count).
    """
    now = datetime.now(UTC)
    row = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
        .values(
            status=JobStatus.RUNNING.value,
            attempts=Job.attempts + (1 if count_attempt else 0),
            started_at=func.coalesce(Job.started_at, now),
        )
        .returning(Job.id)
    ).first()
    if row is None:
        return None
    return session.get(Job, job_id, populate_existing=True)


def finish_job(
    session: Session,
    job_id: uuid.UUID,
    status: JobStatus,
    *,
    result: dict[str, Any] | None = None,
    error: JobError | None = None,
) -> bool:
    """Move a job to a terminal state once; False if it had already finished."""
    if not status.terminal:
        raise ValueError(f"{status} is not a terminal status")
    now = datetime.now(UTC)
    updated = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
        .values(
            status=status.value,
            result=result,
            error=error.model_dump() if error else None,
            finished_at=now,
        )
        .returning(Job.id, Job.type)
    ).first()
    if updated is not None:
        observability.count(observability.JOBS, job_type=updated.type, outcome=status.value)
        # a monitoring run is recorded as finished when its job finishes, whatever the outcome
        session.execute(
            update(MonitoringRun)
            .where(MonitoringRun.job_id == job_id, MonitoringRun.finished_at.is_(None))
            .values(finished_at=now, outcome=status.value, totals=result)
        )
    return updated is not None


def to_view(job: Job) -> JobView:
    def ms(a: datetime | None, b: datetime | None) -> int | None:
        return int((b - a).total_seconds() * 1000) if a and b else None

    return JobView(
        id=job.id,
        type=job.type,
        priority=Priority(job.priority),
        status=JobStatus(job.status),
        payload=job.payload,
        result=job.result,
        error=JobError.model_validate(job.error) if job.error else None,
        attempts=job.attempts,
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        timings=JobTimings(
            queued_ms=ms(job.created_at, job.started_at),
            run_ms=ms(job.started_at, job.finished_at),
            total_ms=ms(job.created_at, job.finished_at),
        ),
    )
