"""Indexes for deleting old finished jobs: finished jobs by when they finished, webhook events by job.

Revision ID: 0012_job_retention
Revises: 0011_job_outbox
Create Date: 2026-12-05

The scheduler's retention duty (`vkc.jobs.retention`) deletes jobs that finished more than
`JOB_RETENTION_DAYS` ago, oldest first, in batches: `ix_jobs_finished` finds them without reading
the jobs still queued or running. Deleting a job sets `webhook_events.job_id` to NULL (ON DELETE SET
NULL), and the sweep keeps a job a pending event still needs: without `ix_webhook_events_job` each
deleted job would scan the whole events table.

Both are plain CREATE INDEX (they take a SHARE lock on their table while they build; the jobs table
holds at most a retention period of jobs).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_job_retention"
down_revision = "0011_job_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_jobs_finished",
        "jobs",
        ["finished_at"],
        postgresql_where=sa.text("status IN ('succeeded', 'failed', 'cancelled')"),
    )
    op.create_index(
        "ix_webhook_events_job", "webhook_events", ["job_id"], postgresql_where=sa.text("job_id IS NOT NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_events_job", table_name="webhook_events")
    op.drop_index("ix_jobs_finished", table_name="jobs")
