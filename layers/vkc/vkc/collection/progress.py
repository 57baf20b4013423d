"""Live progress of a collection, from what is stored: honest, and it only moves forward.

`expected` is the sum of VK's comment counts over the posts stored so far in the job's window,
`stored` the comments stored under them; the rate is this job's newly stored comments per second,
and the ETA follows from it. Since `expected` grows while the wall is being walked, the reported
percentage is kept monotonic (the highest value reported so far is remembered in Redis).

While every pending task waits for VK tokens (all cooling down or out of daily quota), `waiting` says
why and until when, and the ETA is at least the rest of that wait; otherwise `waiting` is null. Job
lists carry the `waiting` part alone (`with_waits`, one query a page).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import redis
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from vkc.collection.schemas import COLLECT_JOB, CollectPayload
from vkc.collection.waiting import Wait, iso
from vkc.db.models import Job
from vkc.db.models_collection import CollectionTask, Comment, Community, Post
from vkc.jobs.schemas import JobPage, JobStatus

_KEY = "vkc:progress:{job_id}"
_TTL_S = 7 * 24 * 3600


def collection_progress(session: Session, job: Job, client: redis.Redis | None) -> dict[str, Any]:
    payload = CollectPayload.model_validate(job.payload)
    community = session.get(Community, payload.community_id)
    if community is None:
        return {}
    owner = -community.vk_id
    conds: list[Any] = [Post.workspace_id == job.workspace_id, Post.owner_id == owner]
    if payload.since:
        conds.append(Post.date >= payload.since)
    if payload.until:
        conds.append(Post.date <= payload.until)
    posts, expected = session.execute(
        select(func.count(), func.coalesce(func.sum(Post.comments_count), 0)).where(and_(*conds))
    ).one()
    in_window = select(Post.post_id).where(and_(*conds)).scalar_subquery()
    stored, new = session.execute(
        select(func.count(), func.count().filter(Comment.first_seen_job_id == job.id)).where(
            Comment.workspace_id == job.workspace_id, Comment.owner_id == owner, Comment.post_id.in_(in_window)
        )
    ).one()
    finished = job.status in ("succeeded", "failed", "cancelled")
    elapsed = ((job.finished_at or datetime.now(UTC)) - job.started_at).total_seconds() if job.started_at else 0.0
    rate = new / elapsed if elapsed > 0 else 0.0
    percent = 100.0 if job.status == "succeeded" else min(99.0, 100.0 * stored / expected) if expected else 0.0
    percent = _monotonic(client, str(job.id), round(percent, 1))
    remaining = max(0, expected - stored)
    eta_s = None if finished or rate <= 0 else round(remaining / rate)
    waiting = None if finished else _waiting(session, job)
    if waiting is not None:  # nothing moves before the tokens are back
        eta_s = max(eta_s or 0, waiting.pop("_seconds"))
    return {
        "percent": percent,
        "posts_planned": posts,
        "comments_expected": int(expected),
        "comments_stored": stored,
        "comments_new": new,
        "rate_per_s": round(rate, 1),
        "eta_s": eta_s,
        "tasks_total": job.tasks_total,
        "tasks_done": job.tasks_done,
        "waiting": waiting,
    }


def _waiting(session: Session, job: Job) -> dict[str, Any] | None:
    """`{code, reason, until, since}` while every pending task waits for VK tokens (see
    `vkc.collection.waiting`), with `until` the end of the longest wait; None while any task can run.
    `code` ("cooldown" or "quota") is what a client translates; `reason` is the English sentence."""
    rows = session.scalars(
        select(CollectionTask.params["wait"]).where(CollectionTask.job_id == job.id, CollectionTask.status == "pending")
    ).all()
    return _wait_of(list(rows), time.time())


def _wait_of(rows: list[Any], now: float) -> dict[str, Any] | None:
    """The job's wait from its pending tasks' `wait` parameters (null for a task that can run)."""
    waits = [Wait.model_validate(w) for w in rows if w]
    if not rows or len(waits) < len(rows) or all(w.until <= now for w in waits):
        return None
    last = max(waits, key=lambda w: w.until)
    return {
        "code": last.reason,
        "reason": last.describe(),
        "until": iso(last.until),
        "since": iso(min(w.since for w in waits)),
        "_seconds": max(0, round(last.until - now)),
    }


def with_waits(session: Session, page: JobPage) -> JobPage:
    """A list page whose running collections that wait for VK tokens say so: their `progress` is
    `{"waiting": …}` (the rest of the progress costs queries per job; only a job's own page has it).
    One query for the whole page."""
    running = [j.id for j in page.items if j.type == COLLECT_JOB.name and j.status is JobStatus.RUNNING]
    if not running:
        return page
    pending: dict[uuid.UUID, list[Any]] = {}
    for job_id, wait in session.execute(
        select(CollectionTask.job_id, CollectionTask.params["wait"]).where(
            CollectionTask.job_id.in_(running), CollectionTask.status == "pending"
        )
    ):
        pending.setdefault(job_id, []).append(wait)
    now = time.time()
    items = []
    for view in page.items:
        waiting = _wait_of(pending.get(view.id, []), now)
        if waiting is not None:
            waiting.pop("_seconds")
            view = view.model_copy(update={"progress": {"waiting": waiting}})
        items.append(view)
    return page.model_copy(update={"items": items})


def _monotonic(client: redis.Redis | None, job_id: str, percent: float) -> float:
    if client is None:
        return percent
    try:
        key = _KEY.format(job_id=job_id)
        previous = client.get(key)
        best = max(percent, float(str(previous))) if previous is not None else percent
        if previous is None or best > float(str(previous)):
            client.set(key, best, ex=_TTL_S)
        return best
    except redis.RedisError:
        return percent  # progress still answers, only without the monotonic guard
