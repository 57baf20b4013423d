"""The communities table, alone: what a community listing or read needs.

Why its own module: vkc.db.models_collection builds seven more mappers (posts and comments with their
computed search vector and indexes among them) that `GET /v1/communities` never queries; building
them and having SQLAlchemy configure them cost ~20 ms of the API's first request. The collection
tables import this module (their foreign keys name `communities.id`) and re-export `Community`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from vkc.db.base import TIMESTAMPTZ, Base


class Community(Base):
    __tablename__ = "communities"
    __table_args__ = (
        UniqueConstraint("workspace_id", "vk_id"),
        CheckConstraint("monitoring_priority IN ('high', 'normal', 'low')", name="monitoring_priority_valid"),
        CheckConstraint("monitoring_interval_minutes BETWEEN 5 AND 10080", name="interval_valid"),
        Index("ix_communities_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_communities_due", "monitoring_enabled", "next_monitoring_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    vk_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # positive group id
    screen_name: Mapped[str | None] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(512), nullable=False)
    type: Mapped[str] = mapped_column(String(16), nullable=False)  # group | page | event
    is_closed: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)  # 0 open, 1 closed, 2 private
    deactivated: Mapped[str | None] = mapped_column(String(32))
    members_count: Mapped[int | None] = mapped_column(Integer)
    photo_url: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    source_input: Mapped[str] = mapped_column(Text, nullable=False)
    can_collect: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    cannot_collect_reason: Mapped[str | None] = mapped_column(Text)
    monitoring_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    monitoring_interval_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    monitoring_priority: Mapped[str] = mapped_column(String(8), nullable=False, default="normal")
    next_monitoring_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    newest_post_id: Mapped[int | None] = mapped_column(BigInteger)
    last_collected_at: Mapped[datetime | None] = mapped_column(TIMESTAMPTZ)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now(), onupdate=func.now())
