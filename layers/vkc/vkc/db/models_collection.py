"""Tables of the collection pipeline: tokens, posts, comments, authors, tasks, runs (and, re-exported,
communities, whose table lives in vkc.db.models_community so that a community listing builds only its mapper).

Identity follows VK: posts by (owner_id, post_id), comments by (owner_id, comment_id), authors by VK id
(users positive, communities negative), each scoped to a workspace so workspaces never see each
other's data. Every write to these tables is an upsert on that identity.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
from sqlalchemy.orm import Mapped, mapped_column

from vkc.db.base import TIMESTAMPTZ, Base
from vkc.db.models_community import Community as Community  # re-exported: its importers predate the split


class VkTokenRow(Base):
    """A VK access token of a workspace. The secret lives in Secrets Manager; here only its reference."""

    __tablename__ = "vk_tokens"
    __table_args__ = (
        UniqueConstraint("workspace_id", "token_id"),
        CheckConstraint("type IN ('user', 'service', 'community')", name="type_valid"),
        CheckConstraint("state IN ('active', 'revoked')", name="state_valid"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    token_id: Mapped[str] = mapped_column(String(32), nullable=False)  # stable hash, used by limiter/breaker
    secret_name: Mapped[str] = mapped_column(String(512), nullable=False)
    hint: Mapped[str] = mapped_column(String(32), nullable=False)
    label: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    state_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now(), onupdate=func.now())


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("workspace_id", "owner_id", "post_id"),
        Index("ix_posts_community_date", "community_id", "date"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), nullable=False)
    owner_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    post_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    from_id: Mapped[int | None] = mapped_column(BigInteger)
    date: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    is_pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    post_type: Mapped[str | None] = mapped_column(String(16))
    marked_as_ads: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    comments_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # VK's count, replies included
    comments_closed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    likes_count: Mapped[int | None] = mapped_column(Integer)
    reposts_count: Mapped[int | None] = mapped_column(Integer)
    views_count: Mapped[int | None] = mapped_column(Integer)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # cursors: how far the top level of this post has been read (sort=asc keeps offsets stable)
    top_level_offset: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    comments_count_collected: Mapped[int | None] = mapped_column(Integer)  # VK's count when last fully read
    comments_collected_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    first_seen_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now(), onupdate=func.now())


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("workspace_id", "owner_id", "comment_id"),
        Index("ix_comments_post", "workspace_id", "owner_id", "post_id"),
        Index("ix_comments_author", "workspace_id", "from_id"),
        Index("ix_comments_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_comments_workspace_id", "workspace_id", "id"),  # keyset walks of re-analysis
        # room on each page for the analysis' new row versions: a HOT update (migration 0013)
        {"postgresql_with": {"fillfactor": "50"}},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), nullable=False)
    owner_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    post_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    comment_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    from_id: Mapped[int | None] = mapped_column(BigInteger)
    date: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    root_comment_id: Mapped[int | None] = mapped_column(BigInteger)  # null for top level
    reply_to_comment: Mapped[int | None] = mapped_column(BigInteger)
    reply_to_user: Mapped[int | None] = mapped_column(BigInteger)
    thread_count: Mapped[int | None] = mapped_column(Integer)
    likes_count: Mapped[int | None] = mapped_column(Integer)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    is_deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    first_seen_job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    first_seen_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    # analysis (written by the analyze step; analyzed_hash = content_hash it analyzed)
    analyzed_hash: Mapped[str | None] = mapped_column(String(64))
    analyzed_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    analyzed_rules: Mapped[str | None] = mapped_column(String(32))  # version of the keyword rules applied
    sentiment: Mapped[str | None] = mapped_column(String(8))  # positive | neutral | negative
    sentiment_score: Mapped[float | None] = mapped_column(Float)
    is_spam: Mapped[bool | None] = mapped_column(Boolean)
    spam_reasons: Mapped[list[str] | None] = mapped_column(JSONB)
    has_profanity: Mapped[bool | None] = mapped_column(Boolean)
    language: Mapped[str | None] = mapped_column(String(8))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    lemmas: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    match_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # computed by PostgreSQL when the text is stored or changed, never by the analysis (migration 0013)
    search_vector: Mapped[Any | None] = mapped_column(
        TSVECTOR, Computed("to_tsvector('russian'::regconfig, text)", persisted=True)
    )
    # analyst corrections: sentiment / is_spam / has_profanity above are the effective labels;
    # *_manual is the correction (null: none), *_model the model's label while a correction hides it
    sentiment_manual: Mapped[str | None] = mapped_column(String(8))
    sentiment_model: Mapped[str | None] = mapped_column(String(8))
    spam_manual: Mapped[bool | None] = mapped_column(Boolean)
    spam_model: Mapped[bool | None] = mapped_column(Boolean)
    profanity_manual: Mapped[bool | None] = mapped_column(Boolean)
    profanity_model: Mapped[bool | None] = mapped_column(Boolean)
    # moderation
    viewed_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    archived_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)


#: Duplicate-text lookups (`vkc.analysis_store.duplicates`) by one key no other index serves (migration 0014).
FINGERPRINT_KEY = Index("ix_comments_fingerprint_key", Comment.fingerprint.concat(cast(Comment.workspace_id, Text)))


class Author(Base):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("workspace_id", "vk_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    vk_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # users > 0, communities < 0
    name: Mapped[str] = mapped_column(String(512), nullable=False, default="")
    screen_name: Mapped[str | None] = mapped_column(String(128))
    photo_url: Mapped[str | None] = mapped_column(Text)
    deactivated: Mapped[str | None] = mapped_column(String(32))
    is_closed: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())


class CollectionTask(Base):
    """One fanned-out piece of a job. `done` flips exactly once; that flip advances the job's fan-in."""

    __tablename__ = "collection_tasks"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'done', 'skipped')", name="status_valid"),
        Index("ix_collection_tasks_job_status", "job_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)


class SkippedObject(Base):
    """Something VK would not give us, and why (closed comments, deleted post, private wall…)."""

    __tablename__ = "skipped_objects"
    __table_args__ = (
        UniqueConstraint("job_id", "object_type", "object_ref"),
        Index("ix_skipped_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False)
    object_type: Mapped[str] = mapped_column(String(32), nullable=False)
    object_ref: Mapped[str] = mapped_column(String(128), nullable=False)
    error_code: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())


class MonitoringRun(Base):
    """One scheduled collection of a community: recorded when it starts and when it finishes."""

    __tablename__ = "monitoring_runs"
    __table_args__ = (Index("ix_monitoring_runs_community_started", "community_id", "queued_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), nullable=False)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False, unique=True)
    queued_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    finished_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    outcome: Mapped[str | None] = mapped_column(String(16))
    totals: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
