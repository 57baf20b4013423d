"""Viewed / archived flags, one comment at a time or for every comment a filter selects.

A flag is a timestamp: setting keeps the first time it was set (marking twice does not move it),
clearing makes it null. Viewed and archived are independent: archiving does not mark viewed.
Bulk moderation is one UPDATE whose WHERE is the search filter plus "the flag would change", so
the work is bounded by the statement, not by a loop over ids, and `changed` counts only real changes.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, func, null, or_, update
from sqlalchemy.orm import Session

from vkc.comments.detail import get_row
from vkc.comments.filters import filter_conditions
from vkc.comments.schemas import BulkModeration, CommentView, ModerationSet
from vkc.comments.views import views_of
from vkc.db.models_collection import Comment
from vkc.errors import NotFound


def _changes(flags: ModerationSet) -> tuple[dict[str, Any], list[ColumnElement[bool]]]:
    """SET values and the predicate "at least one flag would change"."""
    values: dict[str, Any] = {}
    would_change: list[ColumnElement[bool]] = []
    for name, wanted, column in (
        ("viewed_at", flags.viewed, Comment.viewed_at),
        ("archived_at", flags.archived, Comment.archived_at),
    ):
        if wanted is None:
            continue
        values[name] = func.coalesce(column, func.now()) if wanted else null()
        would_change.append(column.is_(None) if wanted else column.is_not(None))
    return values, would_change


def set_flags(session: Session, workspace_id: uuid.UUID, comment_id: int, flags: ModerationSet) -> CommentView:
    """Set or clear flags of one comment; answers the comment as it now is (404 if not in the workspace)."""
    values, _ = _changes(flags)
    result = session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.workspace_id == workspace_id)
        .values(**values)
        .returning(Comment.id)
        .execution_options(synchronize_session=False)
    )
    if result.scalar() is None:
        raise NotFound(f"Comment {comment_id} does not exist.")
    session.expire_all()
    return views_of(session, workspace_id, [get_row(session, workspace_id, comment_id)])[0]


def bulk_set_flags(session: Session, workspace_id: uuid.UUID, request: BulkModeration) -> int:
    """One UPDATE over every comment the filters select whose flags differ; returns how many changed."""
    values, would_change = _changes(request.set)
    result = session.execute(
        update(Comment)
        .where(*filter_conditions(workspace_id, request.filters), or_(*would_change))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
