"""A community's jobs, newest first (keyset-paginated like every list)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.db.models_collection import Community
from vkc.errors import NotFound
from vkc.jobs.schemas import JobPage, JobStatus
from vkc.jobs.service import list_jobs


def community_jobs(
    session: Session,
    workspace_id: uuid.UUID,
    community_id: uuid.UUID,
    *,
    status: JobStatus | None,
    since: datetime | None,
    limit: int,
    cursor: str | None,
) -> JobPage:
    community = session.get(Community, community_id)
    if community is None or community.workspace_id != workspace_id:
        raise NotFound(f"Community {community_id} does not exist.")
    where: list[Any] = [or_(Job.community_id == community_id, Job.payload["community_id"].astext == str(community_id))]
    if since is not None:
        where.append(Job.created_at >= since)
    return list_jobs(session, workspace_id, status=status, limit=limit, cursor=cursor, where=where)
