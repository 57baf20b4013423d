"""GET /v1/comments: one keyset page of a workspace's comments, and the size of a selection."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkc.comments.filters import CommentFilters, filter_conditions
from vkc.comments.keyset import CommentSort
from vkc.comments.query import DEFAULT_PAGE, fetch_page
from vkc.comments.schemas import CommentPage
from vkc.comments.views import views_of
from vkc.db.models_collection import Comment


def search_comments(
    session: Session,
    workspace_id: uuid.UUID,
    filters: CommentFilters,
    sort: CommentSort = CommentSort.DATE_DESC,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE,
) -> CommentPage:
    rows, next_cursor = fetch_page(session, workspace_id, filters, sort, cursor=cursor, limit=limit)
    return CommentPage(items=views_of(session, workspace_id, rows), next_cursor=next_cursor)


def count_comments(session: Session, workspace_id: uuid.UUID, filters: CommentFilters) -> int:
    """SQL COUNT of the selection (never by loading rows, unlike the predecessor)."""
    stmt = select(func.count()).select_from(Comment).where(*filter_conditions(workspace_id, filters))
    return int(session.scalar(stmt) or 0)
