"""Close a collection job: totals from the data, a completeness report against VK's counts.

Totals come from what is stored (not from counters that could drift): posts in the job's window,
comments and replies stored under them, distinct authors, the comments this job stored first; plus
what the tasks recorded exactly once (VK requests spent, changed comments) and the skipped objects
grouped by reason.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from vkc.collection.schemas import CollectPayload
from vkc.db.models import Job
from vkc.db.models_collection import Comment, Community, Post, SkippedObject
from vkc.jobs.context import TaskContext
from vkc.jobs.fanout import task_totals
from vkc.jobs.schemas import JobStatus
from vkc.jobs.service import finish_job

MAX_MISMATCHES_LISTED = 50


def _post_filter(workspace_id: uuid.UUID, owner_id: int, payload: CollectPayload) -> list[Any]:
    conds: list[Any] = [Post.workspace_id == workspace_id, Post.owner_id == owner_id]
    if payload.since:
        conds.append(Post.date >= payload.since)
    if payload.until:
        conds.append(Post.date <= payload.until)
    return conds


def completeness(session: Session, workspace_id: uuid.UUID, owner_id: int, payload: CollectPayload) -> dict[str, Any]:
    """Per post: VK's `comments.count` (replies included) against the comments stored for it."""
    stored = (
        select(Comment.post_id, func.count().label("stored"))
        .where(Comment.workspace_id == workspace_id, Comment.owner_id == owner_id)
        .group_by(Comment.post_id)
        .subquery()
    )
    query = (
        select(
            Post.post_id, Post.comments_count, func.coalesce(stored.c.stored, 0).label("stored"), Post.comments_closed
        )
        .outerjoin(stored, stored.c.post_id == Post.post_id)
        .where(and_(*_post_filter(workspace_id, owner_id, payload)))
        .order_by(Post.date.desc())
    )
    if payload.max_posts:
        query = query.limit(payload.max_posts)
    rows = session.execute(query).all()
    expected = sum(r.comments_count for r in rows)
    stored_total = sum(r.stored for r in rows)
    mismatches = [
        {
            "post_id": r.post_id,
            "vk_count": r.comments_count,
            "stored": r.stored,
            "difference": r.stored - r.comments_count,
        }
        for r in rows
        if r.stored != r.comments_count
    ]
    return {
        "posts": len(rows),
        "vk_comments_count": expected,
        "stored_comments": stored_total,
        "missing": sum(max(0, -m["difference"]) for m in mismatches),
        "extra": sum(max(0, m["difference"]) for m in mismatches),
        "posts_with_differences": len(mismatches),
        "differences": sorted(mismatches, key=lambda m: -abs(m["difference"]))[:MAX_MISMATCHES_LISTED],
        "note": (
            "VK's count includes replies; deleted comments and comments added during the run explain small gaps."
            if payload.include_threads
            else "Replies were not requested (include_threads=false): VK's counts include them."
        ),
    }


def collection_totals(session: Session, job: Job, community: Community, payload: CollectPayload) -> dict[str, Any]:
    ws, owner = job.workspace_id, -community.vk_id
    posts_in_window = select(Post.post_id).where(and_(*_post_filter(ws, owner, payload))).scalar_subquery()
    base = [Comment.workspace_id == ws, Comment.owner_id == owner, Comment.post_id.in_(posts_in_window)]
    # new comments come from the data too: a task redelivered (or delivered twice at once) after it
    # wrote pages finds them stored and counts them as old, so the tasks' own counts undercount
    comments, replies, authors, comments_new = session.execute(
        select(
            func.count(),
            func.count().filter(Comment.root_comment_id.is_not(None)),
            func.count(func.distinct(Comment.from_id)),
            func.count().filter(Comment.first_seen_job_id == job.id),
        ).where(*base)
    ).one()
    skipped = session.execute(
        select(SkippedObject.error_code, SkippedObject.reason, func.count())
        .where(SkippedObject.job_id == job.id)
        .group_by(SkippedObject.error_code, SkippedObject.reason)
    ).all()
    tasks = task_totals(session, job.id)
    started = job.started_at or job.created_at
    return {
        "community_id": str(community.id),
        "posts": tasks.get("posts", 0),
        "posts_new": tasks.get("posts_new", 0),
        "comments": comments,
        "replies": replies,
        "authors": authors,
        "comments_new": comments_new,
        "comments_changed": tasks.get("comments_changed", 0),
        "skipped": [{"code": c, "reason": r, "count": n} for c, r, n in skipped],
        "skipped_total": sum(n for _, _, n in skipped),
        "vk_requests": tasks.get("vk_requests", 0),
        "vk_calls": tasks.get("vk_calls", 0),
        "tasks": job.tasks_total,
        "duration_s": round((datetime.now(UTC) - started).total_seconds(), 3),
        "completeness": completeness(session, ws, owner, payload),
    }


def queue_unanalyzed(ctx: TaskContext, community: Community) -> int:
    """Send analysis for the community's comments whose analysis is missing or stale.

    Each task queues analysis for what it wrote before it is marked done, and a redelivered task
    re-queues what it finds written but unanalyzed, so an ordinary run needs no sweep. Sweeping every
    run used to send every comment of a first run twice (they were still waiting in the analyze queue)
    and scanned the community's comments every 30 minutes. A retry (`origin=retry`) follows a failed
    job, whose dead deliveries may have written pages no task ever fetches again: it still sweeps
    before it closes. Returns how many comments were queued.
    """
    from vkc.analysis_store.task import queue_analysis

    with ctx.deps.sessions() as session:
        ids = session.scalars(
            select(Comment.id).where(
                Comment.workspace_id == ctx.workspace_id,
                Comment.owner_id == -community.vk_id,
                Comment.analyzed_hash.is_distinct_from(Comment.content_hash),
            )
        ).all()
    queue_analysis(ctx, list(ids))
    return len(ids)


def finalize_collection(ctx: TaskContext) -> None:
    payload = CollectPayload.model_validate(ctx.payload)
    with ctx.deps.sessions(expire_on_commit=False) as session:
        community = session.get(Community, payload.community_id)
    if community is not None and payload.origin == "retry":
        queue_unanalyzed(ctx, community)  # before the job closes: a redelivered closer sweeps again
    with ctx.deps.sessions() as session, session.begin():
        job = session.get(Job, ctx.job_id)
        community = session.get(Community, payload.community_id)
        if job is None or community is None:
            return
        totals = collection_totals(session, job, community, payload)
        if not finish_job(session, job.id, JobStatus.SUCCEEDED, result=totals):
            return  # cancelled meanwhile: its state stays as the user set it
        session.execute(update(Community).where(Community.id == community.id).values(last_collected_at=func.now()))
