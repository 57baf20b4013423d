"""Collection pipeline: communities, VK tokens, posts, comments, authors, tasks, skips, monitoring runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:36:32.637520
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authors",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("vk_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("screen_name", sa.String(length=128), nullable=True),
        sa.Column("photo_url", sa.Text(), nullable=True),
        sa.Column("deactivated", sa.String(length=32), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_authors_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("workspace_id", "vk_id", name=op.f("uq_authors_workspace_id_vk_id")),
    )
    op.create_table(
        "communities",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("vk_id", sa.BigInteger(), nullable=False),
        sa.Column("screen_name", sa.String(length=128), nullable=True),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("is_closed", sa.SmallInteger(), nullable=False),
        sa.Column("deactivated", sa.String(length=32), nullable=True),
        sa.Column("members_count", sa.Integer(), nullable=True),
        sa.Column("photo_url", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("source_input", sa.Text(), nullable=False),
        sa.Column("can_collect", sa.Boolean(), nullable=False),
        sa.Column("cannot_collect_reason", sa.Text(), nullable=True),
        sa.Column("monitoring_enabled", sa.Boolean(), nullable=False),
        sa.Column("monitoring_interval_minutes", sa.Integer(), nullable=False),
        sa.Column("monitoring_priority", sa.String(length=8), nullable=False),
        sa.Column("next_monitoring_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("newest_post_id", sa.BigInteger(), nullable=True),
        sa.Column("last_collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "monitoring_priority IN ('high', 'normal', 'low')", name=op.f("ck_communities_monitoring_priority_valid")
        ),
        sa.CheckConstraint(
            "monitoring_interval_minutes BETWEEN 5 AND 10080", name=op.f("ck_communities_interval_valid")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_communities_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communities")),
        sa.UniqueConstraint("workspace_id", "vk_id", name=op.f("uq_communities_workspace_id_vk_id")),
    )
    op.create_index("ix_communities_due", "communities", ["monitoring_enabled", "next_monitoring_at"], unique=False)
    op.create_index(
        "ix_communities_workspace_created", "communities", ["workspace_id", "created_at", "id"], unique=False
    )
    op.create_table(
        "vk_tokens",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("secret_name", sa.String(length=512), nullable=False),
        sa.Column("hint", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("state IN ('active', 'revoked')", name=op.f("ck_vk_tokens_state_valid")),
        sa.CheckConstraint("type IN ('user', 'service', 'community')", name=op.f("ck_vk_tokens_type_valid")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_vk_tokens_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vk_tokens")),
        sa.UniqueConstraint("workspace_id", "token_id", name=op.f("uq_vk_tokens_workspace_id_token_id")),
    )
    op.create_table(
        "collection_tasks",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'done', 'skipped')", name=op.f("ck_collection_tasks_status_valid")),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_collection_tasks_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_tasks")),
    )
    op.create_index("ix_collection_tasks_job_status", "collection_tasks", ["job_id", "status"], unique=False)
    op.create_table(
        "comments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("community_id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("post_id", sa.BigInteger(), nullable=False),
        sa.Column("comment_id", sa.BigInteger(), nullable=False),
        sa.Column("from_id", sa.BigInteger(), nullable=True),
        sa.Column("date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("root_comment_id", sa.BigInteger(), nullable=True),
        sa.Column("reply_to_comment", sa.BigInteger(), nullable=True),
        sa.Column("reply_to_user", sa.BigInteger(), nullable=True),
        sa.Column("thread_count", sa.Integer(), nullable=True),
        sa.Column("likes_count", sa.Integer(), nullable=True),
        sa.Column("attachments", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_job_id", sa.UUID(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_comments_community_id_communities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_comments_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint(
            "workspace_id", "owner_id", "comment_id", name=op.f("uq_comments_workspace_id_owner_id_comment_id")
        ),
    )
    op.create_index("ix_comments_author", "comments", ["workspace_id", "from_id"], unique=False)
    op.create_index("ix_comments_community_date", "comments", ["community_id", "date", "id"], unique=False)
    op.create_index("ix_comments_post", "comments", ["workspace_id", "owner_id", "post_id"], unique=False)
    op.create_index("ix_comments_workspace_date", "comments", ["workspace_id", "date", "id"], unique=False)
    op.create_table(
        "monitoring_runs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("community_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("totals", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_monitoring_runs_community_id_communities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_monitoring_runs_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_monitoring_runs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_runs")),
        sa.UniqueConstraint("job_id", name=op.f("uq_monitoring_runs_job_id")),
    )
    op.create_index(
        "ix_monitoring_runs_community_started", "monitoring_runs", ["community_id", "queued_at"], unique=False
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("community_id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("post_id", sa.BigInteger(), nullable=False),
        sa.Column("from_id", sa.BigInteger(), nullable=True),
        sa.Column("date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("post_type", sa.String(length=16), nullable=True),
        sa.Column("marked_as_ads", sa.Boolean(), nullable=False),
        sa.Column("comments_count", sa.Integer(), nullable=False),
        sa.Column("comments_closed", sa.Boolean(), nullable=False),
        sa.Column("likes_count", sa.Integer(), nullable=True),
        sa.Column("reposts_count", sa.Integer(), nullable=True),
        sa.Column("views_count", sa.Integer(), nullable=True),
        sa.Column("attachments", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("top_level_offset", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("comments_count_collected", sa.Integer(), nullable=True),
        sa.Column("comments_collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_posts_community_id_communities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_posts_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
        sa.UniqueConstraint("workspace_id", "owner_id", "post_id", name=op.f("uq_posts_workspace_id_owner_id_post_id")),
    )
    op.create_index("ix_posts_community_date", "posts", ["community_id", "date"], unique=False)
    op.create_table(
        "skipped_objects",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_ref", sa.String(length=128), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_skipped_objects_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_skipped_objects_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_objects")),
        sa.UniqueConstraint(
            "job_id", "object_type", "object_ref", name=op.f("uq_skipped_objects_job_id_object_type_object_ref")
        ),
    )
    op.create_index("ix_skipped_workspace_created", "skipped_objects", ["workspace_id", "created_at"], unique=False)
    op.add_column("jobs", sa.Column("tasks_total", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("jobs", sa.Column("tasks_done", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "jobs", sa.Column("progress", postgresql.JSONB(astext_type=sa.Text()), nullable=False, server_default="{}")
    )
    op.add_column("jobs", sa.Column("community_id", sa.UUID(), nullable=True))
    op.create_index(op.f("ix_jobs_community_id"), "jobs", ["community_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_jobs_community_id"), table_name="jobs")
    op.drop_column("jobs", "community_id")
    op.drop_column("jobs", "progress")
    op.drop_column("jobs", "tasks_done")
    op.drop_column("jobs", "tasks_total")
    op.drop_index("ix_skipped_workspace_created", table_name="skipped_objects")
    op.drop_table("skipped_objects")
    op.drop_index("ix_posts_community_date", table_name="posts")
    op.drop_table("posts")
    op.drop_index("ix_monitoring_runs_community_started", table_name="monitoring_runs")
    op.drop_table("monitoring_runs")
    op.drop_index("ix_comments_workspace_date", table_name="comments")
    op.drop_index("ix_comments_post", table_name="comments")
    op.drop_index("ix_comments_community_date", table_name="comments")
    op.drop_index("ix_comments_author", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ix_collection_tasks_job_status", table_name="collection_tasks")
    op.drop_table("collection_tasks")
    op.drop_table("vk_tokens")
    op.drop_index("ix_communities_workspace_created", table_name="communities")
    op.drop_index("ix_communities_due", table_name="communities")
    op.drop_table("communities")
    op.drop_table("authors")
