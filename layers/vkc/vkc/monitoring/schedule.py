"""The monitoring duty of the scheduled tick: queue a collection for every community that is due.

At 50,000 communities every 30 minutes a tick queues thousands of collections, so the work is
set-based: one statement per batch claims, advances, creates the jobs and records the runs; the
messages go out in SendMessageBatch requests of ten.

- due = monitoring enabled, collectable, `next_monitoring_at <= now`, and no queued or running
  collection (such a community stays due and is looked at again on the next tick; it does not take a
  place in the batch, so a backlog of busy communities cannot starve the others);
- rows are claimed `FOR NO KEY UPDATE SKIP LOCKED`, so overlapping ticks never queue a community
  twice, and a delete waits for the claim's commit and then sees the job (and refuses);
- a user who starts a collection at the same moment wins or loses on the one-active-collection index
  (`ON CONFLICT DO NOTHING`): the claimed community is then skipped, that collection covers the run;
- each run is recorded as a MonitoringRun with its job, in the same statement; its start and finish
  are recorded by the job itself;
- batches of `BATCH` until nothing is due or `BUDGET_S` is spent: the rest waits for the next tick
  (oldest first), and a tick never outlives its Lambda timeout;
- a message SQS refused fails its job (`enqueue_failed`, nothing half-queued) and makes the community
  due again, so the next tick retries it;
- the messages SQS accepted are recorded on their jobs (`enqueued_at`, one statement per batch); a tick
  killed between its claim and that record leaves jobs queued with no recorded send, and the outbox
  sweep (`vkc.jobs.outbox`, run by the same tick) sends their root task again after a grace period;
- a monitoring run re-checks the last `RECHECK_DAYS` of the wall: new posts, and new comments on
  posts whose count changed (the per-post cursors make unchanged posts free).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, text, update
from sqlalchemy.orm import Session

from vkc.collection.schemas import COLLECT_JOB
from vkc.db.models_collection import Community
from vkc.jobs.outbox import mark_sent, root_message
from vkc.jobs.ports import BatchTaskQueue, Outgoing
from vkc.jobs.schemas import JobError, JobStatus
from vkc.jobs.service import finish_job, validate_payload
from vkc.settings import Priority

log = logging.getLogger(__name__)

RECHECK_DAYS = 30
#: communities claimed per statement (one transaction: its row locks are held for about a second)
BATCH = 2000
#: stop claiming after this long; the scheduler Lambda's timeout is 50 s
BUDGET_S = 30.0
#: how many job ids the summary names (the tick's result is logged; 50,000 ids would not be read)
SAMPLE = 20

# The predicate of ON CONFLICT must match the partial unique index `uq_jobs_one_active_collection`.
# `OFFSET 0` keeps NOT EXISTS a per-row probe of that index: as an anti-join the planner, trusting
# statistics taken when few jobs were active, materialised every active job and compared each due
# community against all of them (17 s for the 25th batch of 2,000 at 50,000). `= ANY (ARRAY(...))` makes the UPDATE
# find the claimed rows by primary key instead of hashing the whole table once per batch.
_CLAIM = text(
    """
    WITH due AS (
        SELECT c.id
        FROM communities c
        WHERE c.monitoring_enabled AND c.can_collect AND c.next_monitoring_at <= CAST(:now AS timestamptz)
          AND NOT EXISTS (
              SELECT 1 FROM jobs j
              WHERE j.community_id = c.id AND j.type = 'collect' AND j.status IN ('queued', 'running')
              OFFSET 0)
        ORDER BY c.next_monitoring_at
        LIMIT :batch
        FOR NO KEY UPDATE OF c SKIP LOCKED
    ), claimed AS (
        UPDATE communities c
        SET next_monitoring_at = CAST(:now AS timestamptz) + make_interval(mins => c.monitoring_interval_minutes),
            updated_at = now()
        WHERE c.id = ANY (ARRAY(SELECT id FROM due))
        RETURNING c.id, c.workspace_id, c.monitoring_priority
    ), queued AS (
        INSERT INTO jobs (id, workspace_id, type, priority, status, payload, attempts, correlation_id, community_id)
        SELECT gen_random_uuid(), claimed.workspace_id, 'collect', claimed.monitoring_priority, 'queued',
               CAST(:payload AS jsonb) || jsonb_build_object('community_id', claimed.id::text), 0,
               'monitoring-' || left(md5(random()::text), 12), claimed.id
        FROM claimed
        ON CONFLICT (community_id) WHERE type = 'collect' AND status IN ('queued', 'running') DO NOTHING
        RETURNING id, workspace_id, community_id, priority, correlation_id
    ), runs AS (
        INSERT INTO monitoring_runs (id, workspace_id, community_id, job_id)
        SELECT gen_random_uuid(), workspace_id, community_id, id FROM queued
    )
    SELECT claimed.id AS community_id, claimed.workspace_id, queued.id AS job_id, queued.priority,
           queued.correlation_id
    FROM claimed LEFT JOIN queued ON queued.community_id = claimed.id
    """
)


def queue_due_monitoring(
    session: Session, queue: BatchTaskQueue, now: datetime, *, batch: int = BATCH, budget_s: float = BUDGET_S
) -> dict[str, Any]:
    """Claim and queue what is due, batch after batch; a summary of counts (and a few job ids)."""
    if COLLECT_JOB.name != "collect":  # the statement names the type literally (the index predicate does)
        raise RuntimeError("the claim statement assumes the collect job is named 'collect'")
    template = validate_payload(
        COLLECT_JOB,
        {
            "community_id": str(uuid.UUID(int=0)),
            "since": (now - timedelta(days=RECHECK_DAYS)).isoformat(),
            "origin": "monitoring",
        },
    )
    started = time.monotonic()
    claimed = queued = skipped = failed = batches = 0
    sample: list[str] = []
    more_due = False
    while True:
        rows = session.execute(_CLAIM, {"now": now, "batch": batch, "payload": json.dumps(template)}).all()
        session.commit()  # the claim: other ticks now see these as not due; locks released together
        batches += 1
        jobs = [r for r in rows if r.job_id is not None]
        claimed += len(rows)
        skipped += len(rows) - len(jobs)
        unsent = _send(session, queue, jobs, now)
        failed += len(unsent)
        queued += len(jobs) - len(unsent)
        sample += [str(r.job_id) for r in jobs if r.job_id not in unsent][: SAMPLE - len(sample)]
        if len(rows) < batch or unsent:
            break
        if time.monotonic() - started >= budget_s:
            more_due = True
            break
    summary = {
        "claimed": claimed,
        "queued": queued,
        "queued_jobs": sample,
        "skipped_active": skipped,
        "enqueue_failed": failed,
        "batches": batches,
        "more_due": more_due,
    }
    if failed:
        log.error("monitoring runs could not be queued; they are due again", extra=summary)
    return summary


def _send(session: Session, queue: BatchTaskQueue, jobs: Sequence[Row[Any]], now: datetime) -> set[uuid.UUID]:
    """Send the root task of every job (by priority); record the sends SQS accepted and fail the jobs
    whose message it refused."""
    by_priority: dict[Priority, list[Row[Any]]] = defaultdict(list)
    for row in jobs:
        by_priority[Priority(row.priority)].append(row)
    unsent: list[Row[Any]] = []
    for priority, rows in by_priority.items():
        messages = [
            Outgoing(
                root_message(r.job_id),
                correlation_id=r.correlation_id,
                workspace_id=str(r.workspace_id),
                job_type=COLLECT_JOB.name,
            )
            for r in rows
        ]
        try:
            refused = queue.send_batch(COLLECT_JOB.worker, priority, messages)
        except Exception:
            log.exception("sending monitoring runs failed", extra={"priority": priority.value, "jobs": len(rows)})
            refused = list(range(len(rows)))
        unsent += [rows[i] for i in refused]
    for row in unsent:
        finish_job(
            session, row.job_id, JobStatus.FAILED, error=JobError(code="enqueue_failed", message="Could not queue.")
        )
    if unsent:
        session.execute(
            update(Community).where(Community.id.in_([r.community_id for r in unsent])).values(next_monitoring_at=now)
        )
    unsent_ids = {r.job_id for r in unsent}
    mark_sent(session, [r.job_id for r in jobs if r.job_id not in unsent_ids])  # the outbox marker, one statement
    session.commit()
    return unsent_ids
