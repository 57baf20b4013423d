"""Comments matching `CommentFilters`, in a keyset order: one page, or all of them in batches.

Search pages and exports read through here, so both see the same rows in the same order. The
streaming walk issues one bounded query per batch, each starting after the previous batch's last
row: memory stays flat however many comments match, no server-side cursor is held open (none
would survive RDS Proxy's connection multiplexing), and a walk that stops can resume from the
last position.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, defer

from vkc.comments.filters import CommentFilters, filter_conditions
from vkc.comments.keyset import CommentSort, Position, order_by
from vkc.db.models_collection import Comment

MAX_PAGE = 100
DEFAULT_PAGE = 20
STREAM_BATCH = 1000


def select_comments(
    workspace_id: uuid.UUID,
    filters: CommentFilters,
    sort: CommentSort = CommentSort.DATE_DESC,
    *,
    after: Position | None = None,
    limit: int | None = None,
) -> Select[Comment]:
    """SELECT comments matching `filters` in `sort` order, starting after `after`, at most `limit`."""
    # search_vector is the index's input, never shown: not loading it halves the bytes per row
    stmt = select(Comment).options(defer(Comment.search_vector)).where(*filter_conditions(workspace_id, filters))
    if after is not None:
        stmt = stmt.where(after.after())
    stmt = stmt.order_by(*order_by(sort))
    return stmt if limit is None else stmt.limit(limit)


def fetch_page(
    session: Session,
    workspace_id: uuid.UUID,
    filters: CommentFilters,
    sort: CommentSort = CommentSort.DATE_DESC,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE,
) -> tuple[list[Comment], str | None]:
    """One page and the cursor of the next (None on the last page); a bad cursor is InvalidInput."""
    limit = max(1, min(limit, MAX_PAGE))
    after = Position.decode(cursor, sort) if cursor else None
    rows = list(session.scalars(select_comments(workspace_id, filters, sort, after=after, limit=limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, Position.of(sort, rows[-1]).encode()


def iter_comment_batches(
    session: Session,
    workspace_id: uuid.UUID,
    filters: CommentFilters,
    sort: CommentSort = CommentSort.DATE_DESC,
    *,
    batch_size: int = STREAM_BATCH,
    start_after: Position | None = None,
) -> Iterator[list[Comment]]:
    """Every matching comment in `sort` order, `batch_size` rows per query (enrich a batch at a time)."""
    after = start_after
    while True:
        batch = list(session.scalars(select_comments(workspace_id, filters, sort, after=after, limit=batch_size)))
        if batch:
            yield batch
        if len(batch) < batch_size:
            return
        after = Position.of(sort, batch[-1])


def iter_comments(
    session: Session,
    workspace_id: uuid.UUID,
    filters: CommentFilters,
    sort: CommentSort = CommentSort.DATE_DESC,
    *,
    batch_size: int = STREAM_BATCH,
) -> Iterator[Comment]:
    """`iter_comment_batches`, one comment at a time."""
    for batch in iter_comment_batches(session, workspace_id, filters, sort, batch_size=batch_size):
        yield from batch
