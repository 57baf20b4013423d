"""Tables of analysis: keyword rules, their matches, and per-comment results.

Per-comment scores and moderation flags are columns of `comments` (search filters on them without a
join). `search_vector` is generated from the text by PostgreSQL when the text is stored or changed,
so the analysis' update leaves every indexed column alone and can be a HOT update (migration 0013).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

# the tables its foreign keys name (workspaces, comments) are registered with it
from vkc.db import models, models_collection  # noqa: F401
from vkc.db.base import TIMESTAMPTZ, Base


class Keyword(Base):
    __tablename__ = "keywords"
    __table_args__ = (
        # duplicates are found case-insensitively, per kind
        Index("uq_keywords_workspace_kind_lower_text", "workspace_id", "kind", text("lower(text)"), unique=True),
        # what the matches reference (``id`` alone is unique; see KeywordMatch)
        UniqueConstraint("workspace_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    text: Mapped[str] = mapped_column(String(500), nullable=False)
    category: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="word")  # word | phrase | regex
    case_sensitive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    whole_word: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    phrase_mode: Mapped[str] = mapped_column(String(16), nullable=False, default="any_order")
    window: Mapped[int | None] = mapped_column(Integer)
    negatives: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    fuzzy: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now(), onupdate=func.now())


class KeywordMatch(Base):
    """One occurrence of a keyword in a comment; offsets index the comment's original text.

    The keyword is referenced by ``(workspace_id, keyword_id)``: deleting a keyword then finds its
    matches through ``ix_keyword_matches_workspace_keyword`` instead of reading the table (migration
    0015). That key also vouches for the workspace, so ``workspace_id`` has no key of its own: each
    stored match pays two checks, not three (migration 0016).
    """

    __tablename__ = "keyword_matches"
    __table_args__ = (
        Index("uq_keyword_matches_comment_keyword_start", "comment_id", "keyword_id", "start", unique=True),
        Index("ix_keyword_matches_workspace_keyword", "workspace_id", "keyword_id", "comment_id"),
        ForeignKeyConstraint(
            ["workspace_id", "keyword_id"], ["keywords.workspace_id", "keywords.id"], ondelete="CASCADE"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), nullable=False)
    keyword_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    matched_text: Mapped[str] = mapped_column(Text, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    lemmas: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    fuzzy: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    snippet: Mapped[str] = mapped_column(Text, nullable=False)
    highlight_start: Mapped[int] = mapped_column(Integer, nullable=False)
    highlight_end: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, server_default=func.now())


class LabelCorrection(Base):
    """One analyst correction of a comment's label (``value`` null: the correction was removed).

    Append-only audit trail; the current correction lives on the comment (``*_manual``). Who is the
    API key's id and name as they were, so the trail survives the key's deletion.
    """

    __tablename__ = "label_corrections"
    __table_args__ = (
        CheckConstraint("label IN ('sentiment', 'spam', 'profanity')", name="label_valid"),
        Index("ix_label_corrections_workspace_comment", "workspace_id", "comment_id", "id"),
        Index("ix_label_corrections_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), nullable=False)
    label: Mapped[str] = mapped_column(String(16), nullable=False)  # sentiment | spam | profanity
    value: Mapped[str | None] = mapped_column(String(8))  # positive/neutral/negative or true/false
    previous: Mapped[str | None] = mapped_column(String(8))  # the effective label before
    model_value: Mapped[str | None] = mapped_column(String(8))  # the model's label at that time
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    api_key_name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(TIMESTAMPTZ, nullable=False, server_default=func.now())
