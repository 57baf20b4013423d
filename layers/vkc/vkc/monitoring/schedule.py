"""The monitoring duty of the scheduled tick: queue a collection for every community that is due.

At 50,000 communities every 30 minutes a tick queues thousands of collections, so the work is
set-based: one statement per batch claims, advances, creates the jobs and records the runs; the
messages go out in SendMessageBatch requests of ten, and are sent and recorded on a second connection
while the next batch is claimed (`_Pipeline`).

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
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Row, text, update
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
    SELECT claimed.id::text AS community_id, claimed.workspace_id::text AS workspace_id, queued.id AS job_id,
           queued.priority, queued.correlation_id
    FROM claimed LEFT JOIN queued ON queued.community_id = claimed.id
    """
)


def queue_due_monitoring(
    session: Session, queue: BatchTaskQueue, now: datetime, *, batch: int = BATCH, budget_s: float = BUDGET_S
) -> dict[str, Any]:
    """Claim and queue what is due, batch after batch; a summary of counts (and a few job ids).

    While one batch is claimed on `session`, the previous one is sent and recorded on a second
    connection of the same engine (`_Pipeline`): a tick of 50,000 is 25 claims of ~0.1 s and 5,000
    SendMessageBatch requests, and neither has to wait for the other.
    """
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
    params = {"now": now, "batch": batch, "payload": json.dumps(template)}
    started = time.monotonic()
    claimed = skipped = batches = 0
    more_due = False
    with closing(_Pipeline(session, queue, now)) as pipeline:
        while True:
            rows = session.execute(_CLAIM, params).all()
            session.commit()  # the claim: other ticks now see these as not due; locks released together
            batches += 1
            jobs = [r for r in rows if r.job_id is not None]
            claimed += len(rows)
            skipped += len(rows) - len(jobs)
            more_due = len(rows) == batch and time.monotonic() - started >= budget_s
            refused = pipeline.wait()  # the previous batch, sent while this one was claimed
            if len(rows) < batch or more_due or refused:
                pipeline.send_now(jobs)  # the last batch: nothing left to overlap it with
                break
            pipeline.send_behind(jobs)
    summary = {
        "claimed": claimed,
        "queued": pipeline.queued,
        "queued_jobs": pipeline.sample,
        "skipped_active": skipped,
        "enqueue_failed": pipeline.failed,
        "batches": batches,
        "more_due": more_due,
    }
    if pipeline.failed:
        log.error("monitoring runs could not be queued; they are due again", extra=summary)
    return summary


class _Pipeline:
    """Sends a claimed batch and records its sends, on a second connection in one background thread,
    while the caller claims the next batch on its own.

    At most one batch is in flight; `wait` returns its outcome before the next is handed over, so a
    refused message still stops the tick after one more batch. The order of each batch's steps is
    unchanged (claim committed, then sent, then its sends recorded), so a tick killed anywhere leaves
    at most two batches of jobs with no recorded send, which the outbox sweep re-sends. A tick of one
    batch (the steady state: 1,667 due per minute at 50,000) uses neither the thread nor the second
    connection.
    """

    def __init__(self, session: Session, queue: BatchTaskQueue, now: datetime) -> None:
        self._session, self._queue, self._now = session, queue, now
        self._pool: ThreadPoolExecutor | None = None
        self._recorder: Session | None = None
        self._pending: tuple[list[Row[Any]], Future[set[uuid.UUID]]] | None = None
        self.queued = self.failed = 0
        self.sample: list[str] = []

    def send_now(self, jobs: list[Row[Any]]) -> None:
        """Send and record on the claiming session, in this thread."""
        self._count(jobs, _send(self._session, self._queue, jobs, self._now))

    def send_behind(self, jobs: list[Row[Any]]) -> None:
        """Send and record in the background; the caller goes on claiming."""
        bind = self._session.get_bind()
        if not isinstance(bind, Engine):  # a session bound to one connection has no second one to lend
            self.send_now(jobs)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitoring-send")
            self._recorder = Session(bind, expire_on_commit=False)
        assert self._recorder is not None
        self._pending = (jobs, self._pool.submit(_send, self._recorder, self._queue, jobs, self._now))

    def wait(self) -> bool:
        """Wait for the batch in flight (its errors are raised here); whether SQS refused any of it."""
        if self._pending is None:
            return False
        jobs, future = self._pending
        self._pending = None
        unsent = future.result()
        self._count(jobs, unsent)
        return bool(unsent)

    def _count(self, jobs: list[Row[Any]], unsent: set[uuid.UUID]) -> None:
        self.failed += len(unsent)
        self.queued += len(jobs) - len(unsent)
        if len(self.sample) < SAMPLE:
            self.sample += [str(r.job_id) for r in jobs[:SAMPLE] if r.job_id not in unsent][: SAMPLE - len(self.sample)]

    def close(self) -> None:
        """A batch still in flight (the caller raised) finishes before its session is closed."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._recorder is not None:
            self._recorder.close()


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
                workspace_id=r.workspace_id,  # text already: 50,000 uuids parsed and printed cost 0.1 s
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
        again = [uuid.UUID(r.community_id) for r in unsent]  # the claim returns them as text
        session.execute(update(Community).where(Community.id.in_(again)).values(next_monitoring_at=now))
    unsent_ids = {r.job_id for r in unsent}
    mark_sent(session, [r.job_id for r in jobs if r.job_id not in unsent_ids])  # the outbox marker, one statement
    session.commit()
    return unsent_ids
