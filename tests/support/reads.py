"""How many rows a transaction has read from a table: what the plan-regression tests assert on."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def rows_read(session: Session, table: str) -> int:
    """Heap rows this transaction has read from ``table`` so far (sequential and through indexes)."""
    read: int = session.execute(
        text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = :table"
        ),
        {"table": table},
    ).scalar_one()
    return read
