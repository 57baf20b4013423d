"""The monitoring duty of the scheduled tick: queue a collection for every community that is due.

- due = monitoring enabled, collectable, `next_monitoring_at <= now`;
- never a second run while one is active: a community with a queued or running collection is skipped
  (and looked at again on the next tick);
- rows are claimed with `FOR UPDATE SKIP LOCKED`, so overlapping ticks never queue a community twice;
- each run is recorded as a MonitoringRun when queued; its start and finish are recorded by the job
  itself (when it starts and when it finishes), not here;
- a monitoring run re-checks the last `RECHECK_DAYS` of the wall: new posts, and new comments on
  posts whose count changed (the per-post cursors make unchanged posts free).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vkc.collection.schemas import COLLECT_JOB
from vkc.db.models_collection import Community, MonitoringRun
from vkc.jobs.ports import TaskQueue
from vkc.jobs.queries import active_job_on_community
from vkc.jobs.service import create_job
from vkc.settings import Priority

RECHECK_DAYS = 30
BATCH = 200


def queue_due_monitoring(session: Session, queue: TaskQueue, now: datetime) -> dict[str, Any]:
    due = list(
        session.scalars(
            select(Community)
            .where(
                Community.monitoring_enabled.is_(True),
                Community.can_collect.is_(True),
                Community.next_monitoring_at <= now,
            )
            .order_by(Community.next_monitoring_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    claimed: list[Community] = []
    busy: list[str] = []
    for community in due:
        if active_job_on_community(session, community.workspace_id, community.id, job_type=COLLECT_JOB.name):
            busy.append(str(community.id))
            continue
        community.next_monitoring_at = now + timedelta(minutes=community.monitoring_interval_minutes)
        claimed.append(community)
    session.commit()  # the claim: another tick now sees them as not due, locks released together

    queued: list[str] = []
    for community in claimed:
        payload = {
            "community_id": str(community.id),
            "since": (now - timedelta(days=RECHECK_DAYS)).isoformat(),
            "origin": "monitoring",
        }

        def record_run(job_id: uuid.UUID, c: Community = community) -> None:
            session.add(MonitoringRun(workspace_id=c.workspace_id, community_id=c.id, job_id=job_id))

        view = create_job(
            session,
            queue,
            COLLECT_JOB,
            workspace_id=community.workspace_id,
            payload=payload,
            priority=Priority(community.monitoring_priority),
            correlation_id=f"monitoring-{uuid.uuid4().hex[:12]}",
            before_send=record_run,
        )
        queued.append(str(view.id))
    return {"due": len(due), "queued_jobs": queued, "skipped_active": busy}
