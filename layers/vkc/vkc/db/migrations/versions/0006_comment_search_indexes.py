"""Comment search: keyset indexes for date (workspace, community, matched only), likes and match count.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 06:00:00.000000

The keys are the expressions of `vkc.comments.keyset` (an undated comment sorts as -infinity, no
likes as 0), written with the same literal constants so the planner matches them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DATE_KEY = sa.text("COALESCE(date, '-infinity'::timestamptz)")


def upgrade() -> None:
    op.create_index("ix_comments_search_ws_date", "comments", ["workspace_id", DATE_KEY, "id"])
    op.create_index("ix_comments_search_community_date", "comments", ["community_id", DATE_KEY, "id"])
    op.create_index(
        "ix_comments_search_ws_matched_date",
        "comments",
        ["workspace_id", DATE_KEY, "id"],
        postgresql_where=sa.text("match_count > 0"),
    )
    op.create_index(
        "ix_comments_search_ws_likes", "comments", ["workspace_id", sa.text("COALESCE(likes_count, 0)"), "id"]
    )
    op.create_index("ix_comments_search_ws_match_count", "comments", ["workspace_id", "match_count", "id"])


def downgrade() -> None:
    op.drop_index("ix_comments_search_ws_match_count", table_name="comments")
    op.drop_index("ix_comments_search_ws_likes", table_name="comments")
    op.drop_index("ix_comments_search_ws_matched_date", table_name="comments")
    op.drop_index("ix_comments_search_community_date", table_name="comments")
    op.drop_index("ix_comments_search_ws_date", table_name="comments")
