"""Analysis: keyword rules, keyword matches, per-comment scores, moderation flags, search vector.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:46:36.230790
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "keywords",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("case_sensitive", sa.Boolean(), nullable=False),
        sa.Column("whole_word", sa.Boolean(), nullable=False),
        sa.Column("phrase_mode", sa.String(length=16), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("negatives", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("fuzzy", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_keywords_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keywords")),
    )
    op.create_index("ix_keywords_workspace_category", "keywords", ["workspace_id", "category"], unique=False)
    op.create_index(
        "uq_keywords_workspace_kind_lower_text",
        "keywords",
        ["workspace_id", "kind", sa.literal_column("lower(text)")],
        unique=True,
    )
    op.create_table(
        "keyword_matches",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("comment_id", sa.BigInteger(), nullable=False),
        sa.Column("keyword_id", sa.UUID(), nullable=False),
        sa.Column("matched_text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("lemmas", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("fuzzy", sa.Boolean(), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("highlight_start", sa.Integer(), nullable=False),
        sa.Column("highlight_end", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_keyword_matches_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["keyword_id"], ["keywords.id"], name=op.f("fk_keyword_matches_keyword_id_keywords"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_keyword_matches_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_keyword_matches")),
    )
    op.create_index(
        "ix_keyword_matches_workspace_keyword",
        "keyword_matches",
        ["workspace_id", "keyword_id", "comment_id"],
        unique=False,
    )
    op.create_index(
        "uq_keyword_matches_comment_keyword_start",
        "keyword_matches",
        ["comment_id", "keyword_id", "start"],
        unique=True,
    )
    op.add_column("comments", sa.Column("analyzed_hash", sa.String(length=64), nullable=True))
    op.add_column("comments", sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("comments", sa.Column("sentiment", sa.String(length=8), nullable=True))
    op.add_column("comments", sa.Column("sentiment_score", sa.Float(), nullable=True))
    op.add_column("comments", sa.Column("is_spam", sa.Boolean(), nullable=True))
    op.add_column("comments", sa.Column("spam_reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("comments", sa.Column("has_profanity", sa.Boolean(), nullable=True))
    op.add_column("comments", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column("comments", sa.Column("fingerprint", sa.String(length=64), nullable=True))
    op.add_column("comments", sa.Column("lemmas", postgresql.ARRAY(sa.Text()), nullable=True))
    op.add_column("comments", sa.Column("match_count", sa.Integer(), server_default="0", nullable=False))
    op.add_column("comments", sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True))
    op.add_column("comments", sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("comments", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_comments_search_vector", "comments", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index("ix_comments_workspace_fingerprint", "comments", ["workspace_id", "fingerprint"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_comments_workspace_fingerprint", table_name="comments")
    op.drop_index("ix_comments_search_vector", table_name="comments", postgresql_using="gin")
    op.drop_column("comments", "archived_at")
    op.drop_column("comments", "viewed_at")
    op.drop_column("comments", "search_vector")
    op.drop_column("comments", "match_count")
    op.drop_column("comments", "lemmas")
    op.drop_column("comments", "fingerprint")
    op.drop_column("comments", "language")
    op.drop_column("comments", "has_profanity")
    op.drop_column("comments", "spam_reasons")
    op.drop_column("comments", "is_spam")
    op.drop_column("comments", "sentiment_score")
    op.drop_column("comments", "sentiment")
    op.drop_column("comments", "analyzed_at")
    op.drop_column("comments", "analyzed_hash")
    op.drop_index("uq_keyword_matches_comment_keyword_start", table_name="keyword_matches")
    op.drop_index("ix_keyword_matches_workspace_keyword", table_name="keyword_matches")
    op.drop_table("keyword_matches")
    op.drop_index("uq_keywords_workspace_kind_lower_text", table_name="keywords")
    op.drop_index("ix_keywords_workspace_category", table_name="keywords")
    op.drop_table("keywords")
