"""ORM tables. Every row a user owns carries `workspace_id`.

The other tables (collection, analysis, search indexes, webhooks) live in their own modules, imported
where they are used: a process builds (and SQLAlchemy configures, on its first query) only the mappers
it needs — the API's first GET /v1/communities needs these and the collection tables, not webhooks' or
keywords'. `vkc.db.all_models` imports every one, for what needs the whole schema (alembic).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from vkc.db.base import TIMESTAMPTZ, Base


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())


class ApiKey(Base):
    """An API key: only its SHA-256 hash and a short display prefix are stored."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="default")
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    revoked_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)


JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
#: the partial unique index that keeps one queued or running collection per community
ONE_ACTIVE_COLLECTION = "uq_jobs_one_active_collection"
#: the partial index of queued jobs whose root message was never confirmed sent (`vkc.jobs.outbox`)
JOBS_UNSENT = "ix_jobs_queued_unsent"
#: the partial index of finished jobs by when they finished (`vkc.jobs.retention`)
JOBS_FINISHED = "ix_jobs_finished"


class Job(Base):
    """A unit of user-visible work; the worker owns its state transitions."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status_valid"),
        CheckConstraint("priority IN ('high', 'normal', 'low')", name="priority_valid"),
        Index("ix_jobs_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_jobs_workspace_status_created", "workspace_id", "status", "created_at", "id"),
        # one active collection per community: concurrent starts cannot both insert (the loser gets a 409)
        CheckConstraint("type <> 'collect' OR community_id IS NOT NULL", name="collect_names_community"),
        Index(
            ONE_ACTIVE_COLLECTION,
            "community_id",
            unique=True,
            postgresql_where=text("type = 'collect' AND status IN ('queued', 'running')"),
        ),
        # the outbox sweep's look-up: rows stay in it only between a job's commit and its send's
        Index(JOBS_UNSENT, "created_at", postgresql_where=text("status = 'queued' AND enqueued_at IS NULL")),
        # the retention sweep's look-up (`vkc.jobs.retention`): finished jobs, oldest first
        Index(JOBS_FINISHED, "finished_at", postgresql_where=text("status IN ('succeeded', 'failed', 'cancelled')")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[str] = mapped_column(String(64), nullable=False)
    priority: Mapped[str] = mapped_column(String(8), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now(), onupdate=func.now())
    started_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    finished_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    cancel_requested_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    # fan-in and progress: tasks_done only moves when a task flips to done/skipped (exactly once)
    tasks_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    tasks_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    progress: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    #: the community a job works on (a collection's, set when it is queued); no foreign key: the job
    #: history outlives a deleted community
    community_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    #: when SQS accepted the job's root message (null: not confirmed yet). The database cannot commit
    #: with SQS, so a creator killed between its commit and its send leaves a queued job with no message;
    #: the scheduler's outbox sweep (`vkc.jobs.outbox`) re-sends the root task of those.
    enqueued_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
