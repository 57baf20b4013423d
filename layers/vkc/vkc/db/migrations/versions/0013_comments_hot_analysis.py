"""The first analysis of a comment can be a HOT update: `search_vector` follows the text, room on each page.

Revision ID: 0013_comments_hot_analysis
Revises: 0012_job_retention
Create Date: 2026-12-05

The analyze step used to set `search_vector` (GIN-indexed) on a comment's first analysis, so that
update changed an indexed column and rewrote the row with an entry in every one of `comments`'
indexes. Now:

- `search_vector` is a stored generated column, `to_tsvector('russian', text)`: PostgreSQL computes
  it when the text is stored or changed and never on an update that leaves the text alone. Adding
  it rewrites the table and fills it for every existing row (backfill), analyzed or not: search
  finds a comment by its words before its analysis.
- `fillfactor = 50`: a page is filled to half on insert, so the analysis' new row versions (about
  1.5 times the stored row: scores, lemmas, hashes) find room on their own page, which a HOT update
  needs. All the rows of a batch are updated in one transaction, so their old versions cannot be
  pruned in between: the room must hold them all.
- `fingerprint` is set at ingest by the collection (see `vkc.collection.store`), so the analysis
  writes the same value; HOT compares values, so an unchanged indexed column does not prevent it.

Downgrade restores the plain column, filled for analyzed comments as the analyze step did.
"""

from __future__ import annotations

from alembic import op

revision = "0013_comments_hot_analysis"
down_revision = "0012_job_retention"
branch_labels = None
depends_on = None

FILLFACTOR = 50


def upgrade() -> None:
    op.drop_index("ix_comments_search_vector", table_name="comments")
    op.drop_column("comments", "search_vector")
    op.execute(
        "ALTER TABLE comments ADD COLUMN search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, text)) STORED"
    )
    op.create_index("ix_comments_search_vector", "comments", ["search_vector"], postgresql_using="gin")
    op.execute(f"ALTER TABLE comments SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    op.execute("ALTER TABLE comments RESET (fillfactor)")
    op.drop_index("ix_comments_search_vector", table_name="comments")
    op.drop_column("comments", "search_vector")
    op.execute("ALTER TABLE comments ADD COLUMN search_vector tsvector")
    op.execute("UPDATE comments SET search_vector = to_tsvector('russian', text) WHERE analyzed_hash IS NOT NULL")
    op.create_index("ix_comments_search_vector", "comments", ["search_vector"], postgresql_using="gin")
