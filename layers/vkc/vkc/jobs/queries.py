"""Questions about jobs that several places ask."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.jobs.schemas import JobStatus

OPEN = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def active_job_on_community(
    session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID | str, *, job_type: str | None = None
) -> uuid.UUID | None:
    """A queued or running job on the community (of `job_type` if given), or None.

    A job records its community in `community_id` when it is queued (a CHECK keeps collections naming one).
    """
    query = select(Job.id).where(
        Job.workspace_id == workspace_id,
        Job.status.in_(OPEN),
        Job.community_id == uuid.UUID(str(community_id)),
    )
    if job_type is not None:
        query = query.where(Job.type == job_type)
    return session.scalar(query.limit(1))
