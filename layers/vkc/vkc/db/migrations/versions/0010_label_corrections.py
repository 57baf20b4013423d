"""Analyst corrections of a comment's sentiment, spam and profanity labels, with their audit trail.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

`comments.sentiment`, `is_spam` and `has_profanity` stay the effective labels every reader filters
and counts on. `*_manual` holds a correction (null: none); `*_model` keeps the model's own label
while a correction hides it (null otherwise), so removing a correction restores it and the quality
report compares the two. `label_corrections` is the append-only history: who (API key id and name,
kept even after the key is deleted) and when.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("sentiment_manual", sa.String(length=8), nullable=True))
    op.add_column("comments", sa.Column("sentiment_model", sa.String(length=8), nullable=True))
    op.add_column("comments", sa.Column("spam_manual", sa.Boolean(), nullable=True))
    op.add_column("comments", sa.Column("spam_model", sa.Boolean(), nullable=True))
    op.add_column("comments", sa.Column("profanity_manual", sa.Boolean(), nullable=True))
    op.add_column("comments", sa.Column("profanity_model", sa.Boolean(), nullable=True))
    op.create_table(
        "label_corrections",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("comment_id", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=8), nullable=True),
        sa.Column("previous", sa.String(length=8), nullable=True),
        sa.Column("model_value", sa.String(length=8), nullable=True),
        sa.Column("api_key_id", sa.UUID(), nullable=True),
        sa.Column("api_key_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "label IN ('sentiment', 'spam', 'profanity')", name=op.f("ck_label_corrections_label_valid")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_label_corrections_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_label_corrections_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_corrections")),
    )
    op.create_index("ix_label_corrections_workspace_comment", "label_corrections", ["workspace_id", "comment_id", "id"])
    op.create_index("ix_label_corrections_workspace_created", "label_corrections", ["workspace_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_label_corrections_workspace_created", table_name="label_corrections")
    op.drop_index("ix_label_corrections_workspace_comment", table_name="label_corrections")
    op.drop_table("label_corrections")
    for column in (
        "profanity_model",
        "profanity_manual",
        "spam_model",
        "spam_manual",
        "sentiment_model",
        "sentiment_manual",
    ):
        op.drop_column("comments", column)
