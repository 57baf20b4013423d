"""The `reanalyze` job: run analysis over every stored comment of a workspace after its rules change.

- Debounced: a keyword change joins the workspace's re-analysis that is still *queued*; when one is
  already running, a new one is queued (it may have passed comments before the change), so at most
  one queued and one running exist per workspace. An advisory lock makes check-and-create atomic.
- The root task cuts the workspace's comments into id ranges of ``COMMENTS_PER_TASK`` (keyset over
  `ix_comments_workspace_id`) fixed at that moment; later comments are analyzed by their collection.
- Each `reanalyze.range` task analyzes its range in batches (each its own transaction; analysis is
  idempotent and skips comments already current), then flips its task row exactly once
  (``complete_task``); the flip that completes the fan-in finishes the job with the totals.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from vkc import observability
from vkc.analysis_store.apply import Scope, analyze_comments
from vkc.analysis_store.hooks import STORING_JOB_KEY
from vkc.analysis_store.schemas import REANALYZE_JOB
from vkc.cache import invalidate_workspace_reads
from vkc.db.models import Job
from vkc.db.models_analysis import KeywordMatch
from vkc.db.models_collection import CollectionTask
from vkc.jobs.context import TaskContext
from vkc.jobs.fanout import NewTask, add_tasks, complete_task, task_totals
from vkc.jobs.outcomes import DEFERRED, Deferred
from vkc.jobs.ports import TaskQueue
from vkc.jobs.schemas import JobStatus, TaskMessage
from vkc.jobs.service import create_job, finish_job
from vkc.settings import WorkerKind

log = logging.getLogger(__name__)

RANGE_TASK = "reanalyze.range"
COMMENTS_PER_TASK = 5_000
#: Comments per transaction within a range: the whole range, for the reason ``task.IDS_PER_MESSAGE`` gives.
BATCH = 5_000


def start_reanalysis(
    session: Session, queue: TaskQueue, workspace_id: uuid.UUID, *, correlation_id: str = ""
) -> uuid.UUID:
    """The id of the workspace's queued re-analysis, created (and queued) if there is none."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended('vkc.reanalyze:' || :ws, 0))"), {"ws": str(workspace_id)}
    )
    queued = session.scalars(
        select(Job.id)
        .where(
            Job.workspace_id == workspace_id,
            Job.type == REANALYZE_JOB.name,
            Job.status == JobStatus.QUEUED.value,
        )
        .order_by(Job.created_at.desc())
        .limit(1)
    ).first()
    if queued is not None:
        session.commit()
        return queued
    view = create_job(  # commits (releasing the lock) before sending
        session,
        queue,
        REANALYZE_JOB,
        workspace_id=workspace_id,
        payload={},
        correlation_id=correlation_id,
    )
    return view.id


def run_reanalysis(ctx: TaskContext) -> dict[str, Any] | Deferred:
    """Root task: fan out one range task per ``COMMENTS_PER_TASK`` comments (or finish at once)."""
    with ctx.deps.sessions() as session, session.begin():
        pending = session.scalars(
            select(CollectionTask).where(CollectionTask.job_id == ctx.job_id, CollectionTask.status == "pending")
        ).all()
        planned = session.scalar(
            select(func.count()).select_from(CollectionTask).where(CollectionTask.job_id == ctx.job_id)
        )
        if planned:  # a redelivered root: the plan stands, re-send what is not done yet
            tasks = [NewTask(t.id, t.kind, t.params) for t in pending]
        else:
            tasks = _plan(session, ctx)
            if not tasks:
                return {"ranges": 0, "comments": 0, "comments_analyzed": 0, "matches": 0, "matches_total": 0}
            add_tasks(session, ctx.job_id, tasks)
    for task in tasks:
        _send(ctx, task)
    log.info("re-analysis fanned out", extra={"job_id": str(ctx.job_id), "ranges": len(tasks)})
    return DEFERRED


def _plan(session: Session, ctx: TaskContext) -> list[NewTask]:
    starts = session.scalars(
        text(
            """
            SELECT id FROM (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM comments WHERE workspace_id = :ws
            ) AS numbered WHERE mod(n, :per) = 1 ORDER BY id
            """
        ),
        {"ws": ctx.workspace_id, "per": COMMENTS_PER_TASK},
    ).all()
    if not starts:
        return []
    last = session.scalar(text("SELECT max(id) FROM comments WHERE workspace_id = :ws"), {"ws": ctx.workspace_id})
    bounds = [*starts, int(last) + 1]
    return [
        NewTask(id=f"{ctx.job_id}:r{n}", kind=RANGE_TASK, params={"lo": int(lo), "hi": int(hi)})
        for n, (lo, hi) in enumerate(itertools.pairwise(bounds))
    ]


def _send(ctx: TaskContext, task: NewTask) -> None:
    ctx.deps.queue.send(
        WorkerKind.ANALYZE,
        ctx.priority,
        TaskMessage(job_id=ctx.job_id, task=RANGE_TASK, task_id=task.id, params=task.params),
        correlation_id=ctx.correlation_id,
        workspace_id=str(ctx.workspace_id),
        job_type=ctx.job_type,
    )


def run_range(ctx: TaskContext) -> None:
    """Analyze comments with lo ≤ id < hi in batches, then count this range into the fan-in once."""
    lo, hi = int(ctx.message.params["lo"]), int(ctx.message.params["hi"])
    totals: dict[str, int] = {}
    cursor = lo
    while True:
        with ctx.deps.sessions() as session, session.begin():
            ids = list(
                session.scalars(
                    text(
                        "SELECT id FROM comments WHERE workspace_id = :ws AND id >= :lo AND id < :hi "
                        "ORDER BY id LIMIT :n"
                    ),
                    {"ws": ctx.workspace_id, "lo": cursor, "hi": hi, "n": BATCH},
                )
            )
            if not ids:
                break
            session.info[STORING_JOB_KEY] = (ctx.job_id, ctx.correlation_id)  # alerts go out under this job
            counts = analyze_comments(
                session, ctx.workspace_id, Scope(ids=ids), source="reanalysis", events=ctx.deps.events
            )
        observability.count(observability.COMMENTS_ANALYZED, counts.analyzed)
        for key, value in counts.as_dict().items():
            totals[key] = totals.get(key, 0) + value
        cursor = ids[-1] + 1
    with ctx.deps.sessions() as session, session.begin():
        fan = complete_task(session, ctx.job_id, ctx.message.task_id, counts=totals)
        if fan is not None and fan.last:
            result: dict[str, Any] = {"ranges": fan.tasks_total, **task_totals(session, ctx.job_id)}
            result["matches_total"] = session.scalar(
                select(func.count()).select_from(KeywordMatch).where(KeywordMatch.workspace_id == ctx.workspace_id)
            )
            finish_job(session, ctx.job_id, JobStatus.SUCCEEDED, result=result)
    if totals.get("comments_analyzed"):  # new scores and matches: the API's cached statistics are stale
        invalidate_workspace_reads(ctx.deps.settings, ctx.deps.redis, ctx.workspace_id)
    log.info("re-analysis range done", extra={"task_id": ctx.message.task_id, **totals})
