"""A community's monitoring status and its run log (one record per run, from queue to finish)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from vkc.db.models_collection import Community, MonitoringRun
from vkc.errors import NotFound


class MonitoringRunView(BaseModel):
    id: uuid.UUID
    job_id: uuid.UUID
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    outcome: str | None
    comments_new: int | None
    vk_requests: int | None


class MonitoringStatus(BaseModel):
    community_id: uuid.UUID
    enabled: bool
    interval_minutes: int
    priority: str
    next_run_at: datetime | None
    last_collected_at: datetime | None
    runs: list[MonitoringRunView]


def monitoring_status(
    session: Session, workspace_id: uuid.UUID, community_id: uuid.UUID, *, limit: int
) -> MonitoringStatus:
    community = session.get(Community, community_id)
    if community is None or community.workspace_id != workspace_id:
        raise NotFound(f"Community {community_id} does not exist.")
    runs = session.scalars(
        select(MonitoringRun)
        .where(MonitoringRun.community_id == community_id)
        .order_by(MonitoringRun.queued_at.desc())
        .limit(limit)
    )

    def total(run: MonitoringRun, key: str) -> int | None:
        totals: dict[str, Any] = run.totals or {}
        value = totals.get(key)
        return value if isinstance(value, int) else None

    return MonitoringStatus(
        community_id=community.id,
        enabled=community.monitoring_enabled,
        interval_minutes=community.monitoring_interval_minutes,
        priority=community.monitoring_priority,
        next_run_at=community.next_monitoring_at,
        last_collected_at=community.last_collected_at,
        runs=[
            MonitoringRunView(
                id=r.id,
                job_id=r.job_id,
                queued_at=r.queued_at,
                started_at=r.started_at,
                finished_at=r.finished_at,
                outcome=r.outcome,
                comments_new=total(r, "comments_new"),
                vk_requests=total(r, "vk_requests"),
            )
            for r in runs
        ],
    )
