"""Matches reference their keyword by `(workspace_id, keyword_id)`, so deleting a keyword reads its own matches.

Revision ID: 0015_keyword_matches_keyword_fk
Revises: 0014_comments_fingerprint_key
Create Date: 2026-12-06

Deleting a keyword cascades to its matches. PostgreSQL finds them with
`DELETE FROM keyword_matches WHERE keyword_id = $1`, and no index of `keyword_matches` leads with
`keyword_id` (its indexes lead with the comment or the workspace, which the search, the statistics and
the analysis need): every keyword deletion read the whole table, all workspaces' matches, twice (the
service's own delete, then the cascade), in an API request. Measured with 1,000,000 matches, 50,000
of them the deleted keyword's: 9.5 s before, 6.9 s after (most of what is left is deleting those
50,000 and lowering their comments' counts); before, the cost grew with every workspace's matches.

Referencing `keywords (workspace_id, id)` instead makes the cascade's lookup
`workspace_id = $1 AND keyword_id = $2`, which `ix_keyword_matches_workspace_keyword` serves, with no
new index to maintain on the table the analysis writes most. `keywords (workspace_id, id)` is unique
because `id` is.

The new key is added `NOT VALID` and validated after: validation reads the table under a lock that
lets reads and writes go on.
"""

from __future__ import annotations

from alembic import op

revision = "0015_keyword_matches_keyword_fk"
down_revision = "0014_comments_fingerprint_key"
branch_labels = None
depends_on = None

NEW = "fk_keyword_matches_workspace_id_keywords"
OLD = "fk_keyword_matches_keyword_id_keywords"


def upgrade() -> None:
    op.create_unique_constraint("uq_keywords_workspace_id_id", "keywords", ["workspace_id", "id"])
    op.create_foreign_key(
        NEW,
        "keyword_matches",
        "keywords",
        ["workspace_id", "keyword_id"],
        ["workspace_id", "id"],
        ondelete="CASCADE",
        postgresql_not_valid=True,
    )
    op.execute(f"ALTER TABLE keyword_matches VALIDATE CONSTRAINT {NEW}")
    op.drop_constraint(OLD, "keyword_matches", type_="foreignkey")


def downgrade() -> None:
    op.create_foreign_key(OLD, "keyword_matches", "keywords", ["keyword_id"], ["id"], ondelete="CASCADE")
    op.drop_constraint(NEW, "keyword_matches", type_="foreignkey")
    op.drop_constraint("uq_keywords_workspace_id_id", "keywords", type_="unique")
