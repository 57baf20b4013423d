"""Jobs record when their root message was confirmed sent, so a message lost to a killed creator is re-sent.

Revision ID: 0011_job_outbox
Revises: 0010
Create Date: 2026-12-05

`jobs.enqueued_at` is set once SQS has accepted the job's root task; a queued job without it, older
than a grace period, lost its message (the scheduler's outbox sweep, `vkc.jobs.outbox`). Every job
that exists at migration time counts as sent, so nothing is re-sent by the deploy: the column is
added with `DEFAULT now()`, which PostgreSQL stores once in the catalogue instead of rewriting the
table (a STABLE default is evaluated once), and the default is then dropped so new rows start unsent.
The rows of those jobs carry the migration's time, not their send's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_job_outbox"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "jobs", sa.Column("enqueued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=True)
    )
    op.alter_column("jobs", "enqueued_at", server_default=None)
    op.create_index(
        "ix_jobs_queued_unsent",
        "jobs",
        ["created_at"],
        postgresql_where=sa.text("status = 'queued' AND enqueued_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_queued_unsent", table_name="jobs")
    op.drop_column("jobs", "enqueued_at")
