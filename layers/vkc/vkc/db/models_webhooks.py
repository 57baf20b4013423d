"""Tables of webhook alerts: subscriptions, the events owed to them, and every delivery attempt.

Why three tables: an event (one batch of new matches for one subscription) is the unit the receiver
deduplicates on (`X-Vkc-Event-Id`), so its body is frozen when it is created and re-sent unchanged on
every retry; its status says whether it was delivered. Attempts are a separate append-only log, written
one short transaction per attempt, so the log survives a worker that dies mid-retry.
The signing secret is not here: it lives in the secret store under `secret_name`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

# the tables its foreign keys name (workspaces, jobs) are registered with it
from vkc.db import models  # noqa: F401
from vkc.db.base import TIMESTAMPTZ, Base

WEBHOOK_EVENT_STATUSES = ("pending", "delivered", "failed")


class Webhook(Base):
    """A workspace's subscription of an URL to new keyword matches (all keywords when keyword_ids is null)."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_workspace_created", "workspace_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500))
    keyword_ids: Mapped[list[uuid.UUID] | None] = mapped_column(ARRAY(UUID(as_uuid=True)))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    secret_name: Mapped[str] = mapped_column(String(512), nullable=False)
    secret_hint: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now(), onupdate=func.now())


class WebhookEvent(Base):
    """One message owed to one subscription; `id` is the event id the receiver sees."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        CheckConstraint(f"status IN {WEBHOOK_EVENT_STATUSES!r}", name="status_valid"),
        Index("ix_webhook_events_webhook_created", "webhook_id", "created_at"),
        # the outbox sweep: pending events nobody has handled for a while
        Index("ix_webhook_events_pending_heartbeat", "heartbeat_at", postgresql_where="status = 'pending'"),
        # deleting a job (retention) sets its events' job_id to NULL, and the retention sweep keeps a job
        # a pending event still needs: both look events up by job
        Index("ix_webhook_events_job", "job_id", postgresql_where="job_id IS NOT NULL"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    # delivery rounds started (one per queue delivery) and attempts made (several per round)
    rounds: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # a worker holds the event until then, so a duplicate queue message never sends it twice at once
    lease_until: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    # the job whose detached task delivers it (a ping has none: the API delivers it while the caller waits)
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    # last time the event was queued or a round started or ended: the outbox sweep re-queues pending
    # events whose heartbeat is older than any redelivery could be (their queue message was lost)
    heartbeat_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, nullable=False, server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)


class WebhookDelivery(Base):
    """One HTTP attempt to deliver an event, successful or not (append-only)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_webhook_keyset", "webhook_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False)
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
