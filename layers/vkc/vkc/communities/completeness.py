"""The last collection's completeness per community, for the list: how much of what VK counts is stored.

A collection job closes with a completeness report (VK's comment counts per post against the comments
stored); the list shows its headline so an analyst sees at a glance which communities are partial.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from vkc.collection.schemas import COLLECT_JOB
from vkc.communities.schemas import CompletenessSummary
from vkc.db.models import Job
from vkc.jobs.schemas import JobStatus


def last_completeness(
    session: Session, workspace_id: uuid.UUID, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CompletenessSummary]:
    """community id → the completeness of its newest succeeded collection (absent when never collected)."""
    if not community_ids:
        return {}
    rows = session.execute(
        select(Job.community_id, Job.id, Job.finished_at, Job.result["completeness"])
        .where(
            Job.workspace_id == workspace_id,
            Job.community_id.in_(community_ids),
            Job.type == COLLECT_JOB.name,
            Job.status == JobStatus.SUCCEEDED.value,
        )
        .order_by(Job.community_id, Job.finished_at.desc(), Job.id.desc())
        .ext(distinct_on(Job.community_id))
    ).all()
    out: dict[uuid.UUID, CompletenessSummary] = {}
    for community_id, job_id, finished_at, report in rows:
        if community_id is not None and isinstance(report, dict):
            out[community_id] = summarize(job_id, finished_at, report)
    return out


def summarize(job_id: uuid.UUID, finished_at: Any, report: dict[str, Any]) -> CompletenessSummary:
    expected = int(report.get("vk_comments_count") or 0)
    missing = int(report.get("missing") or 0)
    return CompletenessSummary(
        job_id=job_id,
        finished_at=finished_at,
        posts=int(report.get("posts") or 0),
        vk_comments_count=expected,
        stored_comments=int(report.get("stored_comments") or 0),
        missing=missing,
        posts_with_differences=int(report.get("posts_with_differences") or 0),
        share=round((expected - missing) / expected, 4) if expected else None,
    )
