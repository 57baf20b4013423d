"""The job-outbox migration counts every existing job as sent, so the deploy re-sends nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session
from vkc.db.engine import make_engine
from vkc.jobs.outbox import resend_lost_jobs
from vkc.settings import Settings
from vkc.wiring.catalogue import JOBS

from devtools.recording_queue import RecordingQueue
from tests.support.migrations import migrate_to, migration_revisions, scratch

__all__ = ["scratch"]  # the fixture


def test_existing_jobs_count_as_sent_and_new_ones_start_unsent(scratch: Settings) -> None:
    this, before = migration_revisions("_job_outbox.py")
    migrate_to(scratch, before)
    ws = uuid.uuid4()
    old = {status: uuid.uuid4() for status in ("queued", "running", "succeeded")}
    engine = make_engine(scratch)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO workspaces (id, name) VALUES (:ws, 'w')"), {"ws": ws})
            for status, job_id in old.items():
                conn.execute(
                    text(
                        "INSERT INTO jobs (id, workspace_id, type, priority, status, payload, attempts, created_at) "
                        "VALUES (:id, :ws, 'probe', 'normal', :status, '{}'::jsonb, 0, now() - interval '1 day')"
                    ),
                    {"id": job_id, "ws": ws, "status": status},
                )

        migrate_to(scratch, this)

        new = uuid.uuid4()
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO jobs (id, workspace_id, type, priority, status, payload, attempts) "
                    "VALUES (:id, :ws, 'probe', 'normal', 'queued', '{}'::jsonb, 0)"
                ),
                {"id": new, "ws": ws},
            )
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, enqueued_at FROM jobs WHERE workspace_id = :ws"), {"ws": ws})
            enqueued = {r.id: r.enqueued_at for r in rows}
        queue = RecordingQueue()
        with Session(engine) as s:
            summary = resend_lost_jobs(s, queue, JOBS, datetime.now(UTC) + timedelta(days=2))
    finally:
        engine.dispose()
    assert all(enqueued[j] is not None for j in old.values())
    assert enqueued[new] is None
    assert summary["resent"] == 1  # the job queued after the deploy with no recorded send; none of the old
    assert [m.message.job_id for m in queue.sent] == [new]
