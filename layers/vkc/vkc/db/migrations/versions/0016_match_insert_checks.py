"""A stored match costs its foreign-key checks one index probe each: the keyword's, the comment's.

Revision ID: 0016_match_insert_checks
Revises: 0015_keyword_matches_keyword_fk
Create Date: 2026-12-06

Every row the analysis inserts into `keyword_matches` runs one check per foreign key. Two changes:

- `ix_keywords_workspace_category` is dropped. PostgreSQL checks the keyword key with
  `workspace_id = $1 AND id = $2`; while `keywords` had no statistics (a new database, or one that
  autovacuum had not analyzed yet) the planner rated this index, which serves only `workspace_id`, as
  good as `uq_keywords_workspace_id_id`, and took it: each match row then read its workspace's
  keywords (regression test: 4,125 rows for 50 matches, against at most 100 now). No query needs the index: the keyword
  list filters on `lower(category)`, which it cannot serve, and `uq_keywords_workspace_id_id` serves
  the workspace's keywords.
- `fk_keyword_matches_workspace_id_workspaces` is dropped: the key to `keywords (workspace_id, id)`
  already says the workspace exists, and deleting a workspace still deletes its matches (through its
  keywords and its comments).

Measured on the benchmark's 5,829 comments (3,700 matches) with six workspaces' keywords, writes
replayed statement by statement: the match write went from 49.2 to 36.4 µs per comment (median of 4).
"""

from __future__ import annotations

from alembic import op

revision = "0016_match_insert_checks"
down_revision = "0015_keyword_matches_keyword_fk"
branch_labels = None
depends_on = None

WORKSPACE_FK = "fk_keyword_matches_workspace_id_workspaces"


def upgrade() -> None:
    op.drop_constraint(WORKSPACE_FK, "keyword_matches", type_="foreignkey")
    op.drop_index("ix_keywords_workspace_category", table_name="keywords")


def downgrade() -> None:
    op.create_index("ix_keywords_workspace_category", "keywords", ["workspace_id", "category"], unique=False)
    op.create_foreign_key(
        WORKSPACE_FK,
        "keyword_matches",
        "workspaces",
        ["workspace_id"],
        ["id"],
        ondelete="CASCADE",
        postgresql_not_valid=True,
    )
    op.execute(f"ALTER TABLE keyword_matches VALIDATE CONSTRAINT {WORKSPACE_FK}")
