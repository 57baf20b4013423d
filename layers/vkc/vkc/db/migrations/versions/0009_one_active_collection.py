"""At most one queued or running collection per community, kept by a partial unique index.

A collection job now names its community in `jobs.community_id` from the moment it is queued (it was
set only when the job started), and a CHECK keeps every collection job naming one, so none can slip
past the index with a NULL. Rows from before are backfilled from the payload; if concurrent requests
had already queued two collections of one community, the newer ones are cancelled so the index can
be built (their workers see the cancellation and stop).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE jobs SET community_id = (payload ->> 'community_id')::uuid "
        "WHERE type = 'collect' AND community_id IS NULL"
    )
    op.execute(
        """
        WITH duplicate AS (
            UPDATE jobs SET status = 'cancelled', finished_at = now(), cancel_requested_at = now(),
                   error = '{"code": "duplicate_collection",
                             "message": "Another collection of this community was already active."}'::jsonb
            WHERE id IN (
                SELECT id FROM (
                    SELECT id, row_number() OVER (PARTITION BY community_id ORDER BY created_at, id) AS nth
                    FROM jobs WHERE type = 'collect' AND status IN ('queued', 'running')
                ) AS active
                WHERE nth > 1
            )
            RETURNING id
        )
        UPDATE monitoring_runs SET finished_at = now(), outcome = 'cancelled'
        WHERE job_id IN (SELECT id FROM duplicate) AND finished_at IS NULL
        """
    )
    op.create_check_constraint(
        op.f("ck_jobs_collect_names_community"), "jobs", "type <> 'collect' OR community_id IS NOT NULL"
    )
    op.create_index(
        "uq_jobs_one_active_collection",
        "jobs",
        ["community_id"],
        unique=True,
        postgresql_where=sa.text("type = 'collect' AND status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index("uq_jobs_one_active_collection", table_name="jobs")
    op.drop_constraint(op.f("ck_jobs_collect_names_community"), "jobs", type_="check")
