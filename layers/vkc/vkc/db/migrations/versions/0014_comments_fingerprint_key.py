"""Duplicate-text lookups by one key, `fingerprint || workspace_id`, that no other index can serve.

Revision ID: 0014_comments_fingerprint_key
Revises: 0013_comments_hot_analysis
Create Date: 2026-12-05

The analysis asks, per chunk of comments, how many analyzed comments of the workspace share each of
the chunk's fingerprints (`vkc.analysis_store.duplicates`). With `(workspace_id, fingerprint)` the
query's `workspace_id = …` could also be served by the five search indexes that lead with the
workspace, and a workspace the statistics do not know yet (a new one, or one whose first large
collection has not been analyzed by autovacuum) is estimated at a few dozen rows. The planner then
scanned the whole workspace through `ix_comments_search_ws_match_count` for every chunk: the work grew
with the workspace (measured: 6,544 rows read to find 42, 2 ms per chunk of 180 at 6.5k comments).

The expression key names the workspace and the fingerprint together, so the lookup has one index to
use, and the statistics of the expression (a distinct key per text and workspace) carry over to new
workspaces. The table is analyzed once here so the expression has statistics from the start.

Plain CREATE INDEX: it takes a SHARE lock on `comments` while it builds (writes wait, reads go on).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_comments_fingerprint_key"
down_revision = "0013_comments_hot_analysis"
branch_labels = None
depends_on = None

#: The key as the queries write it (the planner matches index expressions structurally).
KEY = sa.text("(fingerprint || workspace_id::text)")


def upgrade() -> None:
    op.create_index("ix_comments_fingerprint_key", "comments", [KEY])
    op.drop_index("ix_comments_workspace_fingerprint", table_name="comments")
    op.execute("ANALYZE comments")


def downgrade() -> None:
    op.create_index("ix_comments_workspace_fingerprint", "comments", ["workspace_id", "fingerprint"])
    op.drop_index("ix_comments_fingerprint_key", table_name="comments")
