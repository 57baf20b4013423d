"""Write pages of comments while the next pages are being fetched.

A page is upserted in its own short transaction (upserts are idempotent, so a page written twice is
harmless); PostgreSQL, not Python, is the bottleneck of ingest, so a couple of connections writing
side by side nearly double throughput. Cursors advance only after the pages they cover are committed:
`flush()` waits for every submitted page and re-raises the first error.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from vkc.collection.store import UpsertResult, upsert_authors, upsert_comments
from vkc.observability import ContextThreadPool


class PageWriter:
    def __init__(self, engine: Engine, *, connections: int = 2) -> None:
        self._engine = engine
        self._pool = ContextThreadPool(max_workers=connections, thread_name_prefix="db-writer")
        self._pending: list[Future[UpsertResult]] = []
        self.total = UpsertResult()

    def submit(self, comments: Sequence[dict[str, Any]], authors: Sequence[dict[str, Any]] = ()) -> None:
        self._pending.append(self._pool.submit(self._write, list(comments), list(authors)))

    def _write(self, comments: list[dict[str, Any]], authors: list[dict[str, Any]]) -> UpsertResult:
        with Session(self._engine) as session, session.begin():
            if authors:
                upsert_authors(session, authors)
            return upsert_comments(session, comments)

    def flush(self) -> UpsertResult:
        """Wait for every submitted page; the totals of everything written so far."""
        pending, self._pending = self._pending, []
        errors = []
        for future in pending:
            try:
                result = future.result()
            except Exception as exc:  # keep waiting for the others, then raise the first
                errors.append(exc)
                continue
            self.total.inserted += result.inserted
            self.total.changed += result.changed
            self.total.touched_ids.extend(result.touched_ids)
            self.total.unanalyzed_ids.extend(result.unanalyzed_ids)
        if errors:
            raise errors[0]
        return self.total

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> PageWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
