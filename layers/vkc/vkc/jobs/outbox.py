"""The job outbox: a queued job whose root message was never confirmed sent gets it sent again.

A job row and its SQS message can't be written atomically. Every creator commits the job first (a
worker must never see a message for a job that does not exist yet), sends its root task, and then
records the send (`jobs.enqueued_at`, set-based for a batch). A creator killed between the commit and
that record (the monitoring tick after claiming a batch of 2,000, an API call inside `create_job`)
leaves a queued job that may have no message: it would stay queued for ever, and a collection would
block its community (one active collection per community).

The scheduler's sweep looks for jobs still queued with no recorded send after `RESEND_AFTER`, longer
than any creator lives (the scheduler Lambda's timeout is 50 s, the API's 29 s), and sends their root
task again. The marker is what tells "lost" from "waiting in a backlog": a job whose message was
accepted is never re-sent, however long it waits for a worker.

- Rows are claimed `FOR NO KEY UPDATE SKIP LOCKED` and kept locked until their send is recorded, so
  overlapping ticks never both re-send a job; a sweep killed mid-send releases them (its transaction
  rolls back) and the next tick tries again. A worker that receives a re-sent message before the
  sweep commits waits that long (one SendMessageBatch round) to start the job.
- A duplicate is possible only when a creator died after SQS accepted its message but before it
  recorded that; it is harmless: the root task's id is deterministic (`<job>:root`) and every root
  handler tolerates a second delivery, as SQS's at-least-once delivery already demands (the collect
  root re-inserts its one harvest task `ON CONFLICT DO NOTHING`, and the harvest task flips once).
- A message SQS refuses stays unrecorded: the next tick tries it again.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from vkc.db.models import Job
from vkc.jobs.ports import BatchTaskQueue, Outgoing
from vkc.jobs.schemas import JobStatus, TaskMessage
from vkc.jobs.service import ROOT_TASK
from vkc.jobs.spec import JobSpec
from vkc.settings import Priority, WorkerKind

log = logging.getLogger(__name__)

#: how long a queued job may go without a recorded send before it counts as lost (> any creator's life)
RESEND_AFTER = timedelta(minutes=2)
#: jobs re-sent per sweep (the monitoring tick's batch): a larger loss drains over a few ticks
SWEEP_LIMIT = 2000
#: how many job ids the summary names
SAMPLE = 20


# The ids travel as one comma-separated string: pg8000 escapes a list parameter character by character
# in Python (2,000 uuids: 13 ms of CPU per batch at load 5; the join takes 0.01 ms).
_MARK_SENT = text(
    "UPDATE jobs SET enqueued_at = now() "
    "WHERE id = ANY (CAST(string_to_array(:ids, ',') AS uuid[])) AND enqueued_at IS NULL"
)


def root_message(job_id: uuid.UUID) -> TaskMessage:
    """A job's first task; its id is deterministic, so a re-sent one is the same task."""
    return TaskMessage(job_id=job_id, task=ROOT_TASK, task_id=f"{job_id}:root")


def mark_sent(session: Session, job_ids: Iterable[uuid.UUID]) -> None:
    """Record that SQS accepted these jobs' root messages (in the caller's transaction)."""
    ids = ",".join(map(str, job_ids))
    if ids:  # one parameter: 2,000 ids as 2,000 bind parameters cost as much as the update itself
        session.execute(_MARK_SENT, {"ids": ids})


def resend_lost_jobs(
    session: Session,
    queue: BatchTaskQueue,
    specs: Mapping[str, JobSpec],
    now: datetime,
    *,
    after: timedelta = RESEND_AFTER,
    limit: int = SWEEP_LIMIT,
) -> dict[str, Any]:
    """Send again the root task of every queued job with no recorded send for `after`; counts."""
    try:  # one transaction: the claimed rows stay locked until their sends are recorded
        lost = session.execute(
            select(Job.id, Job.type, Job.priority, Job.workspace_id, Job.correlation_id)
            .where(
                Job.status == JobStatus.QUEUED.value,
                Job.enqueued_at.is_(None),
                Job.created_at < now - after,
                Job.type.in_(list(specs)),  # a type no worker runs can't be sent anywhere
            )
            .order_by(Job.created_at)
            .limit(limit)
            .with_for_update(key_share=True, skip_locked=True)  # FOR NO KEY UPDATE: held until recorded
        ).all()
        by_queue: dict[tuple[WorkerKind, Priority], list[Any]] = defaultdict(list)
        for row in lost:
            by_queue[(specs[row.type].worker, Priority(row.priority))].append(row)
        sent: list[uuid.UUID] = []
        for (worker, priority), rows in by_queue.items():
            messages = [Outgoing(root_message(r.id), r.correlation_id or "", str(r.workspace_id), r.type) for r in rows]
            try:
                refused = set(queue.send_batch(worker, priority, messages))
            except Exception:
                log.exception("re-sending lost jobs failed", extra={"worker": worker.value, "jobs": len(rows)})
                refused = set(range(len(rows)))
            sent += [r.id for i, r in enumerate(rows) if i not in refused]
        mark_sent(session, sent)
        session.commit()
    except BaseException:
        session.rollback()  # the claim is released: the next tick tries these again
        raise
    summary = {
        "resent": len(sent),
        "resend_failed": len(lost) - len(sent),
        "resent_jobs": [str(j) for j in sent[:SAMPLE]],
    }
    if lost:
        log.warning("queued jobs whose message was lost were sent again", extra=summary)
    return summary
