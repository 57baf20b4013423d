"""Live progress of a collection, from what is stored: honest, and it only moves forward.

`expected` is the sum of VK's comment counts over the posts stored so far in the job's window,
`stored` the comments stored under them; the rate is this job's newly stored comments per second,
and the ETA follows from it. Since `expected` grows while the wall is being walked, the reported
percentage is kept monotonic (the highest value reported so far is remembered in Redis).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import redis
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from vkc.collection.schemas import CollectPayload
from vkc.db.models import Job
from vkc.db.models_collection import Comment, Community, Post

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
    return {
        "percent": percent,
        "posts_planned": posts,
        "comments_expected": int(expected),
        "comments_stored": stored,
        "comments_new": new,
        "rate_per_s": round(rate, 1),
        "eta_s": None if finished or rate <= 0 else round(remaining / rate),
        "tasks_total": job.tasks_total,
        "tasks_done": job.tasks_done,
    }


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
