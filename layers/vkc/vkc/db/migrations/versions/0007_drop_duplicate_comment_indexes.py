"""Drop two comment indexes the search indexes (0006) made redundant: each costs every insert.

ix_comments_workspace_date and ix_comments_community_date are covered by ix_comments_search_ws_date
and ix_comments_search_community_date (same leading columns, date key, id).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_comments_workspace_date", table_name="comments")
    op.drop_index("ix_comments_community_date", table_name="comments")


def downgrade() -> None:
    op.create_index("ix_comments_community_date", "comments", ["community_id", "date", "id"])
    op.create_index("ix_comments_workspace_date", "comments", ["workspace_id", "date", "id"])
