"""Analysis: the rules version each comment was analyzed with, and a keyset index for re-analysis.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("analyzed_rules", sa.String(length=32), nullable=True))
    op.create_index("ix_comments_workspace_id", "comments", ["workspace_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_comments_workspace_id", table_name="comments")
    op.drop_column("comments", "analyzed_rules")
