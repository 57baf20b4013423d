"""Comments matching `CommentFilters`, in a keyset order: one page, or all of them in batches.

Search pages and exports read through here, so both see the same rows in the same order. The
streaming walk issues one bounded query per batch, each starting after the previous batch's last
row: memory stays flat however many comments match, no server-side cursor is held open (none
would survive RDS Proxy's connection multiplexing), and a walk that stops can resume from the
last position.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ClauseElement, Executable, Select, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.compiler import SQLCompiler

from vkc.comments.filters import CommentFilters, filter_conditions
from vkc.comments.keyset import CommentSort, Position, order_by, sort_key
from vkc.db.models_collection import Comment

MAX_PAGE = 100
DEFAULT_PAGE = 20
STREAM_BATCH = 1000
#: Full-text selections estimated at or below this many comments are read through the GIN index and
#: sorted (one heap block per hit); above it an ordered index walk meets a page of hits sooner.
FEW_TEXT_HITS = 2000


class _Explain(Executable, ClauseElement):
    """EXPLAIN (FORMAT JSON) of a statement, its parameters still bound (never inlined)."""

    inherit_cache = False

    def __init__(self, stmt: Select[Any]) -> None:
        self.stmt = stmt


@compiles(_Explain)
def _compile_explain(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.stmt, **kw)


def estimated_rows(session: Session, workspace_id: uuid.UUID, filters: CommentFilters) -> float:
    """PostgreSQL's own estimate of how many comments `filters` select (planning only, no execution)."""
    raw: Any = session.execute(_Explain(select(Comment.id).where(*filter_conditions(workspace_id, filters)))).scalar()
    plan: list[dict[str, Any]] = json.loads(raw) if isinstance(raw, str) else raw
    return float(plan[0]["Plan"]["Plan Rows"])


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


def select_text_hits(
    workspace_id: uuid.UUID,
    filters: CommentFilters,
    sort: CommentSort = CommentSort.DATE_DESC,
    *,
    after: Position | None = None,
    limit: int,
) -> Select[Comment]:
    """`select_comments` for a selective full-text query: every hit (GIN bitmap) into a materialized set,
    the page cut from it, then those rows read by primary key.

    PostgreSQL prices `@@` like a cheap comparison, so for a few thousand hits it prefers walking the
    date index and testing each row's tsvector, which reads tens of thousands of rows before a page
    fills; materializing the hits makes the index it has to use the GIN one.
    """
    hits = (
        select(Comment.id.label("id"), sort_key(sort).label("k"))
        .where(*filter_conditions(workspace_id, filters))
        .cte("text_hits")
        .prefix_with("MATERIALIZED")
    )
    page = select(hits.c.id).order_by(*order_by(sort, hits.c.k, hits.c.id)).limit(limit)
    if after is not None:
        page = page.where(after.after(hits.c.k, hits.c.id))
    return select(Comment).options(defer(Comment.search_vector)).where(Comment.id.in_(page)).order_by(*order_by(sort))


def planned_select(
    session: Session,
    workspace_id: uuid.UUID,
    filters: CommentFilters,
    sort: CommentSort,
    *,
    after: Position | None,
    limit: int,
) -> Select[Comment]:
    """The page query with the access path chosen for this selection (see `select_text_hits`)."""
    if filters.q is not None and estimated_rows(session, workspace_id, filters) <= FEW_TEXT_HITS:
        return select_text_hits(workspace_id, filters, sort, after=after, limit=limit)
    return select_comments(workspace_id, filters, sort, after=after, limit=limit)


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
    stmt = planned_select(session, workspace_id, filters, sort, after=after, limit=limit + 1)
    rows = list(session.scalars(stmt))
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
        stmt = planned_select(session, workspace_id, filters, sort, after=after, limit=batch_size)
        batch = list(session.scalars(stmt))
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
