"""List a workspace's dead letters with the reason, and redrive them once the cause is fixed.

A dead message carries the `workspace_id` attribute the API set when it queued the work, so one
workspace never sees another's. Redriving reopens the job the last delivery had marked failed
(`retries_exhausted`), so it can finish truthfully, and sends the message back to its queue.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vkc.db.constraints import violated_constraint
from vkc.db.models import ONE_ACTIVE_COLLECTION, Job
from vkc.db.models_collection import Community
from vkc.deadletters.ports import DeadLetterQueues, DeadMessage
from vkc.jobs.schemas import JobStatus, TaskMessage


class DeadLetter(BaseModel):
    message_id: str
    queue: str
    job_id: uuid.UUID | None
    job_type: str | None
    task: str | None
    receive_count: int
    first_received_at: datetime | None
    job_status: str | None
    reason: str


class RedriveResult(BaseModel):
    redriven: int
    reopened_jobs: list[uuid.UUID]


def _parse(message: DeadMessage) -> TaskMessage | None:
    try:
        return TaskMessage.model_validate(json.loads(message.body))
    except (ValueError, ValidationError):
        return None


def _mine(messages: list[DeadMessage], workspace_id: uuid.UUID) -> list[DeadMessage]:
    return [m for m in messages if m.attributes.get("workspace_id") == str(workspace_id)]


def list_dead_letters(session: Session, dlq: DeadLetterQueues, workspace_id: uuid.UUID) -> list[DeadLetter]:
    held = dlq.hold_all()
    try:
        out = []
        for message in _mine(held, workspace_id):
            task = _parse(message)
            job = session.get(Job, task.job_id) if task else None
            if job is not None and job.workspace_id != workspace_id:
                job = None
            reason = (
                "unreadable message body"
                if task is None
                else (job.error or {}).get("message", "")
                if job and job.error
                else "retries exhausted"
            )
            out.append(
                DeadLetter(
                    message_id=message.message_id,
                    queue=f"{message.worker.value}-{message.priority.value}",
                    job_id=task.job_id if task else None,
                    job_type=message.attributes.get("job_type"),
                    task=task.task if task else None,
                    receive_count=message.receive_count,
                    first_received_at=message.first_received_at,
                    job_status=job.status if job else None,
                    reason=reason,
                )
            )
        return sorted(out, key=lambda d: (d.first_received_at is None, d.first_received_at), reverse=True)
    finally:
        dlq.release(held)


def redrive(
    session: Session, dlq: DeadLetterQueues, workspace_id: uuid.UUID, *, job_id: uuid.UUID | None
) -> RedriveResult:
    held = dlq.hold_all()
    moved: list[DeadMessage] = []
    reopened: set[uuid.UUID] = set()
    try:
        for message in _mine(held, workspace_id):
            task = _parse(message)
            if task is None or (job_id is not None and task.job_id != job_id):
                continue
            job = session.get(Job, task.job_id)
            if job is None or job.workspace_id != workspace_id:
                continue
            if _reopen(session, job):
                reopened.add(job.id)
            session.commit()  # the job is open again before its task can run
            dlq.move_back(message)
            moved.append(message)
        return RedriveResult(redriven=len(moved), reopened_jobs=sorted(reopened))
    finally:
        dlq.release([m for m in held if m not in moved])


def _reopen(session: Session, job: Job) -> bool:
    """A job failed only because its retries ran out becomes active again; others stay as they are.

    A collection stays failed when its community is gone (locked against deletion otherwise, as when a
    job is created) or has another collection active by now (the one-active-collection index refuses
    the reopening): that collection resumes from the same cursors.
    """
    if job.status != JobStatus.FAILED.value or (job.error or {}).get("code") != "retries_exhausted":
        return False
    if job.community_id is not None and not _community_held(session, job.community_id):
        return False
    status = JobStatus.RUNNING.value if job.started_at else JobStatus.QUEUED.value
    try:
        with session.begin_nested():
            reopened = session.scalar(
                update(Job)
                .where(Job.id == job.id, Job.status == JobStatus.FAILED.value)
                .values(status=status, error=None, finished_at=None)
                .returning(Job.id)
            )
    except IntegrityError as exc:
        if violated_constraint(exc) != ONE_ACTIVE_COLLECTION:
            raise
        return False
    return reopened is not None


def _community_held(session: Session, community_id: uuid.UUID) -> bool:
    """Whether the community exists, held FOR KEY SHARE until commit so a delete waits for the reopened job."""
    found = session.scalar(
        select(Community.id).where(Community.id == community_id).with_for_update(read=True, key_share=True)
    )
    return found is not None
