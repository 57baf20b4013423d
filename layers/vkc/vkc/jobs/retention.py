"""Retention: jobs that finished long ago are deleted, with the rows that only describe them.

At 50,000 communities every 30 minutes the monitoring tick creates 2.4 million collection jobs a day,
each with a monitoring run and a harvest task. Nothing else ever deletes them, so the scheduler runs
this sweep on every tick (`vkc.wiring.scheduler`):

- a job is deleted once it finished (succeeded, failed, cancelled) more than the retention period ago
  (`JOB_RETENTION_DAYS`, default 30, at least 15); queued and running jobs are never touched, however
  old;
- its monitoring run, collection tasks and skipped objects go with it (their foreign keys cascade); a
  webhook event keeps its row and loses its job (`SET NULL`), and a job is kept while an event it
  delivers is still pending (the webhook outbox would otherwise take the event for an orphan);
- nothing else can still point at such a job: a dead letter lives 14 days from its first send (the
  DLQs' retention) and an export file 7 days (the bucket's lifecycle rule), both less than the
  shortest retention period allowed; SQS keeps a task message at most 4 days. Comments keep the id of
  the job that first saw them (no foreign key: that history outlives the job);
- oldest first, `BATCH` jobs per statement and transaction (`FOR UPDATE SKIP LOCKED`: overlapping ticks
  delete different jobs, and a redrive reopening a failed job either waits and finds it gone or keeps
  it), until none is left or `BUDGET_S` is spent; the rest waits for the next tick. Deleting is
  idempotent: a job deleted twice is deleted once.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: jobs deleted per statement (with their runs and tasks: ~6,000 rows in one transaction)
BATCH = 2000
#: stop after this long; the tick's monitoring duty may already have spent 30 s of the Lambda's 50 s
BUDGET_S = 5.0

# The status list must match the predicate of `ix_jobs_finished` for the planner to use it.
_DELETE = text(
    """
    WITH doomed AS (
        SELECT j.id
        FROM jobs j
        WHERE j.status IN ('succeeded', 'failed', 'cancelled') AND j.finished_at < CAST(:cutoff AS timestamptz)
          AND NOT EXISTS (
              SELECT 1 FROM webhook_events e WHERE e.job_id = j.id AND e.status = 'pending')
        ORDER BY j.finished_at
        LIMIT :batch
        FOR UPDATE OF j SKIP LOCKED
    )
    DELETE FROM jobs j USING doomed WHERE j.id = doomed.id
    RETURNING j.type
    """
)


def delete_old_jobs(
    session: Session, now: datetime, *, keep: timedelta, batch: int = BATCH, budget_s: float = BUDGET_S
) -> dict[str, Any]:
    """Delete the jobs that finished before `now - keep`, batch after batch; counts by job type."""
    cutoff = now - keep
    started = time.monotonic()
    deleted: Counter[str] = Counter()
    batches = 0
    more = False
    while True:
        try:
            types = session.execute(_DELETE, {"cutoff": cutoff, "batch": batch}).scalars().all()
            session.commit()  # one batch, one transaction: its locks and cascades are held only this long
        except BaseException:
            session.rollback()
            raise
        batches += 1
        deleted.update(types)
        if len(types) < batch:
            break
        if time.monotonic() - started >= budget_s:
            more = True
            break
    summary = {
        "deleted": sum(deleted.values()),
        "deleted_by_type": dict(sorted(deleted.items())),
        "finished_before": cutoff.isoformat(),
        "batches": batches,
        "more_left": more,
    }
    if deleted:
        log.info("old finished jobs deleted", extra=summary)
    return summary
