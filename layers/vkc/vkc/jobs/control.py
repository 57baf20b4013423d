"""What users do to jobs besides creating them: cancel, retry, and read statistics and failures."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, cast, func, literal_column, select, text, update
from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.db.models_collection import SkippedObject
from vkc.errors import Conflict, NotFound
from vkc.jobs.ports import TaskQueue
from vkc.jobs.queries import OPEN
from vkc.jobs.schemas import (
    FailureGroup,
    FailureSummary,
    JobError,
    JobStats,
    JobStatus,
    JobTypeStats,
    JobView,
)
from vkc.jobs.service import create_job, finish_job, get_job
from vkc.jobs.spec import JobSpec
from vkc.settings import Priority


def _owned(session: Session, workspace_id: uuid.UUID, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.workspace_id != workspace_id:
        raise NotFound(f"Job {job_id} does not exist.")
    return job


def cancel_job(session: Session, workspace_id: uuid.UUID, job_id: uuid.UUID) -> JobView:
    """Stop a job: no new tasks start, running ones stop at their next check; stored data stays.

    The move to cancelled is the conditional UPDATE of `finish_job`: a job that finishes while the
    request is on its way is answered 409 with its real outcome, never 200 for a cancel that did not happen.
    Commits: running tasks check the job's state from their own transactions and must see it cancelled.
    """
    job = _owned(session, workspace_id, job_id)
    if job.status not in OPEN:
        raise _finished(job_id, job.status)
    if not finish_job(
        session, job_id, JobStatus.CANCELLED, error=JobError(code="cancelled", message="Cancelled by the user.")
    ):
        session.rollback()
        raise _finished(job_id, _owned(session, workspace_id, job_id).status)
    session.execute(update(Job).where(Job.id == job_id).values(cancel_requested_at=datetime.now(UTC)))
    session.commit()
    return get_job(session, workspace_id, job_id)


def _finished(job_id: uuid.UUID, status: str) -> Conflict:
    return Conflict(f"Job {job_id} already finished ({status}); there is nothing to cancel.")


def retry_job(
    session: Session,
    queue: TaskQueue,
    specs: Mapping[str, JobSpec],
    workspace_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    correlation_id: str,
) -> JobView:
    """A failed or cancelled job runs again as a new job with the same request.

    A job type may prepare the new payload (`JobSpec.on_retry`): a collection resumes from the per-post
    cursors its predecessor saved, so nothing is fetched twice. The old job keeps its outcome, so the
    history stays true.
    """
    job = _owned(session, workspace_id, job_id)
    if job.status not in (JobStatus.FAILED.value, JobStatus.CANCELLED.value):
        raise Conflict(f"Only failed or cancelled jobs can be retried; job {job_id} is {job.status}.")
    spec = specs.get(job.type)
    if spec is None:
        raise Conflict(f"Job {job_id} is of type '{job.type}', which this version can no longer run.")
    payload: dict[str, Any] = dict(job.payload)
    if spec.on_retry is not None:
        payload = spec.on_retry(session, workspace_id, payload)
    return create_job(
        session,
        queue,
        spec,
        workspace_id=workspace_id,
        payload=payload,
        priority=Priority(job.priority),
        correlation_id=correlation_id,
    )


def job_stats(session: Session, workspace_id: uuid.UUID, *, since: datetime | None, until: datetime | None) -> JobStats:
    conds: list[Any] = [Job.workspace_id == workspace_id]
    if since:
        conds.append(Job.created_at >= since)
    if until:
        conds.append(Job.created_at < until)
    counts = session.execute(select(Job.type, Job.status, func.count()).where(*conds).group_by(Job.type, Job.status))
    by_type: dict[str, dict[str, int]] = {}
    for job_type, status, n in counts:
        by_type.setdefault(job_type, {})[status] = n
    run_ms = cast(func.extract("epoch", Job.finished_at - Job.started_at) * 1000, Float)
    durations = session.execute(
        select(
            Job.type,
            func.count(),
            func.avg(run_ms),
            func.percentile_cont(0.5).within_group(run_ms),
            func.percentile_cont(0.95).within_group(run_ms),
        )
        .where(*conds, Job.finished_at.is_not(None), Job.started_at.is_not(None))
        .group_by(Job.type)
    )
    timing = {t: (n, avg, p50, p95) for t, n, avg, p50, p95 in durations}
    types = []
    for job_type in sorted(by_type):
        n, avg, p50, p95 = timing.get(job_type, (0, None, None, None))
        types.append(
            JobTypeStats(
                type=job_type,
                by_status=by_type[job_type],
                finished=n,
                run_ms_avg=round(avg, 1) if avg is not None else None,
                run_ms_p50=round(p50, 1) if p50 is not None else None,
                run_ms_p95=round(p95, 1) if p95 is not None else None,
            )
        )
    return JobStats(since=since, until=until, types=types)


def failure_summary(
    session: Session, workspace_id: uuid.UUID, *, since: datetime | None, job_id: uuid.UUID | None
) -> FailureSummary:
    """Skipped objects and failed jobs grouped by reason, and per day: what went wrong, how often."""
    if job_id is not None:
        _owned(session, workspace_id, job_id)
    skip_conds: list[Any] = [SkippedObject.workspace_id == workspace_id]
    job_conds: list[Any] = [Job.workspace_id == workspace_id, Job.status == JobStatus.FAILED.value]
    if since:
        skip_conds.append(SkippedObject.created_at >= since)
        job_conds.append(Job.finished_at >= since)
    if job_id:
        skip_conds.append(SkippedObject.job_id == job_id)
        job_conds.append(Job.id == job_id)
    groups: list[FailureGroup] = []
    for code, reason, n, first, last, refs in session.execute(
        select(
            SkippedObject.error_code,
            SkippedObject.reason,
            func.count(),
            func.min(SkippedObject.created_at),
            func.max(SkippedObject.created_at),
            func.array_agg(SkippedObject.object_ref),
        )
        .where(*skip_conds)
        .group_by(SkippedObject.error_code, SkippedObject.reason)
    ):
        groups.append(
            FailureGroup(
                kind="skipped_object",
                code=None if code is None else f"vk:{code}",
                reason=reason,
                count=n,
                first_at=first,
                last_at=last,
                example_refs=list(refs[:5]),
            )
        )
    code_expr = Job.error["code"].astext
    message_expr = Job.error["message"].astext
    for code, message, n, first, last, ids in session.execute(
        select(
            code_expr,
            message_expr,
            func.count(),
            func.min(Job.finished_at),
            func.max(Job.finished_at),
            func.array_agg(Job.id),
        )
        .where(*job_conds)
        .group_by(text("1"), text("2"))  # positional: bound JSON keys would not match the SELECT's
    ):
        groups.append(
            FailureGroup(
                kind="job_failure",
                code=code,
                reason=message or "",
                count=n,
                first_at=first,
                last_at=last,
                example_refs=[str(i) for i in ids[:5]],
            )
        )
    groups.sort(key=lambda g: -g.count)
    day = func.date_trunc(literal_column("'day'"), SkippedObject.created_at)  # literal: GROUP BY must match
    by_day = [
        {"day": d.date().isoformat(), "skipped_objects": n}
        for d, n in session.execute(select(day, func.count()).where(*skip_conds).group_by(day).order_by(day))
    ]
    job_day = func.date_trunc(literal_column("'day'"), Job.finished_at)
    failed_by_day = {
        d.date().isoformat(): n
        for d, n in session.execute(select(job_day, func.count()).where(*job_conds).group_by(job_day))
    }
    days = {row["day"]: row for row in by_day}
    for d, n in failed_by_day.items():
        days.setdefault(d, {"day": d, "skipped_objects": 0})["failed_jobs"] = n
    merged = [{"failed_jobs": 0, **days[d]} for d in sorted(days)]
    return FailureSummary(since=since, job_id=job_id, groups=groups, by_day=merged)
