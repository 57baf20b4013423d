"""The monitoring duty of the scheduled tick: queue a collection for every community that is due.

- due = monitoring enabled, collectable, `next_monitoring_at <= now`;
- never a second run while one is active: a community with a queued or running collection is skipped
  (and looked at again on the next tick), also when a user started one between the claim and the
  insert (the one-active-collection index refuses it, and the tick goes on quietly);
- rows are claimed with `FOR UPDATE SKIP LOCKED`, so overlapping ticks never queue a community twice;
- each run is recorded as a MonitoringRun when queued; its start and finish are recorded by the job
  itself (when it starts and when it finishes), not here;
- a monitoring run re-checks the last `RECHECK_DAYS` of the wall: new posts, and new comments on
  posts whose count changed (the per-post cursors make unchanged posts free).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vkc.collection.schemas import COLLECT_JOB
from vkc.db.models_collection import Community, MonitoringRun
from vkc.errors import Conflict, NotFound
from vkc.jobs.ports import TaskQueue
from vkc.jobs.queries import active_job_on_community
from vkc.jobs.service import create_job
from vkc.settings import Priority

RECHECK_DAYS = 30
BATCH = 200


@dataclass(frozen=True, slots=True)
class Claimed:
    """What queueing a claimed community needs, read while the claim holds its row."""

    community_id: uuid.UUID
    workspace_id: uuid.UUID
    priority: Priority


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
    claimed: list[Claimed] = []
    busy: list[str] = []
    for community in due:
        if active_job_on_community(session, community.workspace_id, community.id, job_type=COLLECT_JOB.name):
            busy.append(str(community.id))
            continue
        community.next_monitoring_at = now + timedelta(minutes=community.monitoring_interval_minutes)
        claimed.append(Claimed(community.id, community.workspace_id, Priority(community.monitoring_priority)))
    session.commit()  # the claim: another tick now sees them as not due, locks released together

    queued: list[str] = []
    gone: list[str] = []
    for c in claimed:
        payload = {
            "community_id": str(c.community_id),
            "since": (now - timedelta(days=RECHECK_DAYS)).isoformat(),
            "origin": "monitoring",
        }

        def record_run(job_id: uuid.UUID, c: Claimed = c) -> None:
            session.add(MonitoringRun(workspace_id=c.workspace_id, community_id=c.community_id, job_id=job_id))

        try:
            view = create_job(
                session,
                queue,
                COLLECT_JOB,
                workspace_id=c.workspace_id,
                payload=payload,
                priority=c.priority,
                correlation_id=f"monitoring-{uuid.uuid4().hex[:12]}",
                before_send=record_run,
            )
        except Conflict:  # a user started one since the claim: that collection covers this run
            busy.append(str(c.community_id))
            continue
        except NotFound:  # deleted since the claim
            gone.append(str(c.community_id))
            continue
        queued.append(str(view.id))
    return {"due": len(due), "queued_jobs": queued, "skipped_active": busy, "skipped_deleted": gone}
