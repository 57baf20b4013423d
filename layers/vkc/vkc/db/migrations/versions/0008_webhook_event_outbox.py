"""Webhook events remember their job and a heartbeat, so a lost delivery message is noticed and re-queued.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_events", sa.Column("job_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_webhook_events_job_id_jobs"), "webhook_events", "jobs", ["job_id"], ["id"], ondelete="SET NULL"
    )
    op.add_column(
        "webhook_events",
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_index(
        "ix_webhook_events_pending_heartbeat",
        "webhook_events",
        ["heartbeat_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_events_pending_heartbeat", table_name="webhook_events")
    op.drop_column("webhook_events", "heartbeat_at")
    op.drop_constraint(op.f("fk_webhook_events_job_id_jobs"), "webhook_events", type_="foreignkey")
    op.drop_column("webhook_events", "job_id")
