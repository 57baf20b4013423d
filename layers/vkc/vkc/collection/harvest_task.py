"""The `collect.harvest` task: run the harvester until the deadline, commit, checkpoint, fan out.

1. Load the community, the posts' cursors and a VK client over the workspace's tokens; a fresh walk
   asks for as many wall pages as the posts stored in its window need (`vkc.collection.wall_pages`).
2. Harvest (a fresh walk of the window, or the persisted units of a parent task) until the Lambda's
   deadline minus a reserve, or until the job is cancelled. Pages are written while fetching.
3. Flush the writer, then save cursors, skipped objects and the newest post id: cursors only ever
   describe committed comments.
4. Queue analysis of the comments it wrote (new, changed, or found unanalyzed).
5. In one transaction: insert continuation tasks for units left pending, flip this task to done and
   advance the job's fan-in. After commit, send the continuations; the last task finalizes the job.
A repeated delivery finds the task done, re-sends any children still pending, and stops (closing
the job first if every task is done but the job is not: the delivery that finished last died).

When no token can take the work (all cooling down or out of daily quota), the task waits on the
queue instead of failing: see `vkc.collection.waiting`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vkc import observability
from vkc.analysis_store.task import queue_analysis
from vkc.cache import invalidate_workspace_reads
from vkc.collection.cursors import load_cursors, save_cursors
from vkc.collection.deadline import CancellableDeadline
from vkc.collection.schemas import CollectPayload
from vkc.collection.sink import DbSink
from vkc.collection.skips import record_skips
from vkc.collection.waiting import MAX_WAIT_S, Wait, delay_for, iso, wait_of
from vkc.collection.wall_pages import first_wall_pages
from vkc.collection.writer import PageWriter
from vkc.db.models import Job
from vkc.db.models_collection import CollectionTask, Community
from vkc.errors import PermanentJobError
from vkc.jobs.context import TaskContext
from vkc.jobs.fanout import (
    NewTask,
    add_tasks,
    complete_task,
    job_unfinished_with_all_tasks_done,
    pending_children,
)
from vkc.jobs.schemas import TaskMessage
from vkc.settings import WorkerKind
from vkc.vk.deadline import Deadline
from vkc.vk.harvest import (
    CommentPageRequest,
    Harvester,
    HarvestReport,
    Unit,
    WallWindow,
    units_from_json,
    units_to_json,
)
from vkc.vk_tokens.service import record_revocations

log = logging.getLogger(__name__)

HARVEST_TASK = "collect.harvest"
RESERVE_S = 30.0  # left for flushing, checkpointing and fan-out before Lambda stops the invocation
MAX_CHILDREN = 4


def root_task_id(job_id: uuid.UUID) -> str:
    return f"{job_id}:h"


def send_tasks(ctx: TaskContext, tasks: list[NewTask]) -> None:
    """Queue tasks; one waiting for tokens is held back by SQS for (up to 15 minutes of) its wait."""
    now = ctx.deps.clock()
    for task in tasks:
        ctx.deps.queue.send(
            WorkerKind.PARSE,
            ctx.priority,
            TaskMessage(job_id=ctx.job_id, task=HARVEST_TASK, task_id=task.id, params=task.params),
            correlation_id=ctx.correlation_id,
            workspace_id=str(ctx.workspace_id),
            job_type=ctx.job_type,
            delay_s=delay_for(task.params, now),
        )


def window_of(payload: CollectPayload) -> WallWindow:
    since, until = payload.unix_window()
    return WallWindow(since=since, until=until, max_posts=payload.max_posts)


def split_units(task_id: str, units: list[Unit], window: WallWindow, *, wait: Wait | None = None) -> list[NewTask]:
    """Continuations for what is left: one post's units stay together; at most MAX_CHILDREN tasks.
    Children that wait for tokens are named `<parent>.w<n>`, the others `<parent>.<n>` (ids stay
    deterministic, so a redelivered parent re-sends the same children instead of new ones)."""
    groups: dict[int, list[Unit]] = {}
    for unit in units:
        key = hash((unit.owner_id, unit.post_id)) if isinstance(unit, CommentPageRequest) else 0
        groups.setdefault(key % MAX_CHILDREN, []).append(unit)
    extra = {"wait": wait.model_dump()} if wait is not None else {}
    mark = "w" if wait is not None else ""
    return [
        NewTask(
            id=f"{task_id}.{mark}{n}",
            kind=HARVEST_TASK,
            params={"units": units_to_json(group), "window": window.model_dump(), **extra},
        )
        for n, group in enumerate(groups[k] for k in sorted(groups))
    ]


class HarvestStalled(RuntimeError):
    """Transient: the task fetched nothing before its deadline; the message is retried."""


def _no_progress(report: HarvestReport) -> bool:
    return not (report.posts or report.comments or report.cursors or report.skipped or report.failed)


def run_harvest_task(ctx: TaskContext) -> None:
    from vkc.collection.finalize import finalize_collection  # the last task closes the job

    deps = ctx.deps
    task_id = ctx.message.task_id
    params = ctx.message.params
    with deps.sessions() as session:
        status = session.scalar(select(CollectionTask.status).where(CollectionTask.id == task_id))
    if status is not None and status != "pending":
        _finished_already(ctx)  # a duplicate delivery: no VK call can change a finished task
        return
    wait = wait_of(params)
    if wait is not None and not wait.due(deps.clock()):
        # the wait is longer than one SQS delay: the next hop, without touching VK or the database
        send_tasks(ctx, [NewTask(task_id, HARVEST_TASK, params)])
        return
    payload = CollectPayload.model_validate(ctx.payload)
    with deps.sessions(expire_on_commit=False) as session:
        community = session.get(Community, payload.community_id)
        if community is None or community.workspace_id != ctx.workspace_id:
            raise PermanentJobError("The community no longer exists.")
        owner_id = -community.vk_id
        cursors = load_cursors(session, ctx.workspace_id, owner_id)
        window = WallWindow.model_validate(params["window"]) if "window" in params else window_of(payload)
        pages = None if "units" in params else first_wall_pages(session, community.id, window)
    if deps.vk_client is None:
        raise PermanentJobError("No VK client is configured for this worker.")

    def cancelled() -> bool:
        with deps.sessions() as s:
            job = s.get(Job, ctx.job_id)
            return job is None or job.status == "cancelled"

    deadline = CancellableDeadline(
        at=Deadline.from_lambda_ms(deps.remaining_ms(), reserve_s=RESERVE_S).at, is_cancelled=cancelled
    )
    with deps.vk_client(ctx.workspace_id) as client, PageWriter(deps.engine) as writer:
        sink = DbSink(deps.engine, writer, workspace_id=ctx.workspace_id, community_id=community.id, job_id=ctx.job_id)
        harvester = Harvester(client, sink, include_threads=payload.include_threads)
        if "units" in params:
            report = harvester.run_units(
                units_from_json(params["units"]), window=window, cursors=cursors, deadline=deadline
            )
        else:
            report = harvester.harvest(
                owner_id, window=window, cursors=cursors, deadline=deadline, first_wall_pages=pages
            )
        sink.flush()
    with deps.sessions() as session, session.begin():
        # tokens VK revoked during the run (errors 5/17) leave the workspace's pool for good
        record_revocations(session, ctx.workspace_id, deps.redis, [t.id for t in client.pool.tokens])
    written = writer.total
    counts: dict[str, Any] = {
        "posts": sink.posts_seen,
        "posts_new": sink.posts_inserted,
        "comments_fetched": sink.comments_seen,
        "replies_fetched": sink.replies_seen,
        "comments_new": written.inserted,
        "comments_changed": written.changed,
        "vk_requests": report.requests,
        "vk_calls": report.calls,
        "skipped": len(report.skipped),
        "failed": len(report.failed),
        "pending": len(report.pending),
    }
    was_cancelled = deadline.was_cancelled
    if not was_cancelled and report.pending and _no_progress(report):
        if report.blocked_until is not None:
            _postpone(ctx, report, window, since=wait.since if wait is not None else deps.clock())
            return
        # VK unreachable: fail this delivery so SQS retries it later (and dead-letters it after
        # maxReceiveCount), instead of re-queueing the same units forever
        raise HarvestStalled(f"no progress: {len(report.pending)} units still pending, nothing fetched")
    children = [] if was_cancelled else _continuations(task_id, report, window, now=deps.clock())
    # new or changed comments → the analyze worker (detached), BEFORE the task is marked done: a delivery
    # that dies before this line is redelivered, fetches the same pages and finds these comments
    # unchanged but unanalyzed (`vkc.collection.store`), so no sweep of the community is needed later
    queue_analysis(ctx, written.to_analyze)
    with deps.sessions() as session, session.begin():
        _checkpoint(session, ctx, community.id, report, save_cursors_=payload.include_threads)
        add_tasks(session, ctx.job_id, children)
        fan = complete_task(session, ctx.job_id, task_id, counts=counts, status="skipped" if was_cancelled else "done")
        if fan is None:
            resend = pending_children(session, task_id)
            unfinished = job_unfinished_with_all_tasks_done(session, ctx.job_id)
    if fan is None:
        log.info("task %s already done: re-sending %d pending children", task_id, len(resend))
        send_tasks(ctx, resend)
        if unfinished:
            # the delivery that flipped the last task died before closing the job: close it now
            finalize_collection(ctx)
        return
    send_tasks(ctx, children)
    observability.count(observability.COMMENTS_COLLECTED, sink.comments_seen + sink.replies_seen)
    observability.count(observability.COMMENTS_NEW, written.inserted + written.changed)
    log.info("harvest task done", extra={"task_id": task_id, **counts, "children": len(children)})
    if fan.last:
        finalize_collection(ctx)
    # the API's cached reads of this workspace (stats, community metadata) now show the new comments
    invalidate_workspace_reads(deps.settings, deps.redis, ctx.workspace_id)


def _finished_already(ctx: TaskContext) -> None:
    """A delivery of a finished task: re-send its children still pending (the delivery that finished it
    may have died before sending them), and close the job if every task is done but the job is not."""
    from vkc.collection.finalize import finalize_collection

    with ctx.deps.sessions() as session:
        resend = pending_children(session, ctx.message.task_id)
        unfinished = job_unfinished_with_all_tasks_done(session, ctx.job_id)
    log.info("task %s already done: re-sending %d pending children", ctx.message.task_id, len(resend))
    send_tasks(ctx, resend)
    if unfinished:
        finalize_collection(ctx)


def _continuations(task_id: str, report: HarvestReport, window: WallWindow, *, now: float) -> list[NewTask]:
    """Children for the units left: those no token could take wait for the tokens, the others go now."""
    blocked = set(report.blocked)
    ready = [u for u in report.pending if u not in blocked]
    waiting = [u for u in report.pending if u in blocked]
    children = split_units(task_id, ready, window)
    if waiting and report.blocked_until is not None:
        wait = Wait.begin(report.blocked_until, since=now, reason=report.blocked_reason or "cooldown", now=now)
        children += split_units(task_id, waiting, window, wait=wait)
    return children


def _postpone(ctx: TaskContext, report: HarvestReport, window: WallWindow, *, since: float) -> None:
    """Nothing could be fetched because no token can take the work until `report.blocked_until`: record
    the wait on this task (progress shows it) and send the task to itself again, held back by SQS.
    The units are unchanged (nothing was fetched), so a redelivery of this message would do the same."""
    assert report.blocked_until is not None
    now = ctx.deps.clock()
    wait = Wait.begin(report.blocked_until, since=since, reason=report.blocked_reason or "cooldown", now=now)
    if now - wait.since > MAX_WAIT_S:
        raise PermanentJobError(
            f"No VK token could collect for {round((now - wait.since) / 3600)} hours: {wait.describe()}. "
            "Add tokens with POST /v1/vk-tokens and retry the job."
        )
    params = {"units": units_to_json(report.pending), "window": window.model_dump(), "wait": wait.model_dump()}
    with ctx.deps.sessions() as session, session.begin():
        session.execute(
            update(CollectionTask)
            .where(CollectionTask.id == ctx.message.task_id, CollectionTask.status == "pending")
            .values(params=params)
        )
    send_tasks(ctx, [NewTask(ctx.message.task_id, HARVEST_TASK, params)])
    log.info(
        "harvest task waits for VK tokens",
        extra={"task_id": ctx.message.task_id, "until": iso(wait.until), "reason": wait.reason},
    )


def _checkpoint(
    session: Session, ctx: TaskContext, community_id: uuid.UUID, report: HarvestReport, *, save_cursors_: bool
) -> None:
    if save_cursors_:  # a run without threads must not mark posts complete: a later full run would skip replies
        save_cursors(session, ctx.workspace_id, report.cursors)
    failed = [
        ("unit", f"{u.owner_id}_{getattr(u, 'post_id', '')}_{getattr(u, 'comment_id', '') or ''}_{u.offset}", why)
        for u, why in report.failed
    ]
    record_skips(session, workspace_id=ctx.workspace_id, job_id=ctx.job_id, skipped=report.skipped, failed=failed)
    for owner, newest in report.newest_post_id.items():
        session.execute(
            update(Community)
            .where(Community.id == community_id, Community.vk_id == -owner)
            .values(newest_post_id=newest)
            .where((Community.newest_post_id.is_(None)) | (Community.newest_post_id < newest))
        )
