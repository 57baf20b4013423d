"""The outbox sweep: webhook events whose delivery message was lost are queued again.

An event and its delivery message can't be written atomically (PostgreSQL and SQS): the message is
sent after the commit (`alerts._flush_outbox`), and that send can fail or the Lambda can die right
after the commit. Such an event stays `pending` with nobody holding it. Every round of a delivery
refreshes the event's heartbeat, and a failed round is redelivered by SQS within the queue's
visibility timeout; so a pending event whose heartbeat is older than `webhook_requeue_after_s` has no
message left, and the scheduler (once a minute) sends it a new one. A duplicate (a message that was
only late) is harmless: the event's lease stops two rounds from sending at once, and a delivered
event is never sent again.

An event without a job to run under (its job was deleted, or a ping whose API call died) can't be
queued: it is marked failed with the reason instead of staying pending for ever.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.db.models_webhooks import WebhookEvent
from vkc.jobs.ports import TaskQueue
from vkc.webhooks.alerts import DELIVER_TASK, DELIVERY_PRIORITY, DELIVERY_WORKER, delivery_message
from vkc.webhooks.schemas import EventStatus

log = logging.getLogger(__name__)

#: events re-queued per sweep: a backlog drains over a few ticks instead of one long tick
SWEEP_LIMIT = 500
ORPHANED = "its delivery message was lost and it has no job to be delivered under"


def requeue_stalled_events(
    session: Session, queue: TaskQueue, now: datetime, *, stale_after: timedelta, limit: int = SWEEP_LIMIT
) -> dict[str, Any]:
    """Queue again the pending events nobody has touched for `stale_after`; counts of what was done."""
    cutoff = now - stale_after
    with session.begin():
        stalled = session.execute(
            select(WebhookEvent.id, WebhookEvent.workspace_id, WebhookEvent.job_id, Job.correlation_id)
            .outerjoin(Job, Job.id == WebhookEvent.job_id)
            .where(
                WebhookEvent.status == EventStatus.PENDING.value,
                WebhookEvent.heartbeat_at < cutoff,
                or_(WebhookEvent.lease_until.is_(None), WebhookEvent.lease_until < now),
            )
            .order_by(WebhookEvent.heartbeat_at)
            .limit(limit)
            .with_for_update(of=WebhookEvent, skip_locked=True)
        ).all()
        orphans = [row.id for row in stalled if row.job_id is None]
        if orphans:
            session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id.in_(orphans), WebhookEvent.status == EventStatus.PENDING.value)
                .values(status=EventStatus.FAILED.value, last_error=ORPHANED, finished_at=now)
            )
        queued = [row for row in stalled if row.job_id is not None]
        if queued:
            # the heartbeat moves first: if a send below fails, that event waits one more period
            session.execute(
                update(WebhookEvent).where(WebhookEvent.id.in_([r.id for r in queued])).values(heartbeat_at=now)
            )
    sent = failed = 0
    for row in queued:
        try:
            queue.send(
                DELIVERY_WORKER,
                DELIVERY_PRIORITY,
                delivery_message(row.id, row.job_id),
                correlation_id=row.correlation_id or "",
                workspace_id=str(row.workspace_id),
                job_type=DELIVER_TASK,
            )
            sent += 1
        except Exception:
            failed += 1
            log.exception("could not re-queue a webhook delivery", extra={"event_id": str(row.id)})
    if stalled:
        log.warning(
            "webhook events without a queue message",
            extra={"requeued": sent, "requeue_failed": failed, "abandoned": len(orphans)},
        )
    return {"requeued": sent, "requeue_failed": failed, "abandoned": len(orphans)}
