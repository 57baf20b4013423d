"""Duplicate counting stays an index lookup in a young workspace, whatever the table's statistics say.

A workspace that had a handful of comments at the last ANALYZE and thousands now is what every new
community looks like during its first collection. Written as a filter on the workspace's rows, the
duplicate query was planned as a scan of all of them, for every chunk of every analyze task.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session
from vkc.analysis_store import duplicates

from tests.integration.analysis_store.conftest import Space


def _plans_of(session: Session, run: Any) -> list[str]:
    """EXPLAIN of every statement ``run(session)`` sends, with its own parameters."""
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        sent.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        run(session)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    cursor = session.connection().connection.cursor()
    plans = []
    for statement, parameters in sent:
        cursor.execute("EXPLAIN " + statement, parameters)
        plans.append("\n".join(r[0] for r in cursor.fetchall()))
    return plans


def _young_workspace(space: Space, n: int) -> list[int]:
    ids = space.comments(*(f"комментарий номер {i} под постом про доставку и сервис" for i in range(n)))
    with Session(space.engine) as s, s.begin():  # analysed, with fingerprints, as after a first analysis
        s.execute(
            text("UPDATE comments SET analyzed_hash = content_hash, fingerprint = md5(text) WHERE id = ANY(:ids)"),
            {"ids": ids},
        )
    return ids


def test_counting_and_flagging_look_fingerprints_up_in_the_index(space: Space) -> None:
    with Session(space.engine) as s, s.begin():
        s.execute(text("ANALYZE comments"))  # the statistics see this workspace empty
    ids = _young_workspace(space, 1500)
    batch = [(i, -1001, 1, f"{i:016x}") for i in ids[:50]]
    with Session(space.engine) as s, s.begin():
        plans = _plans_of(s, lambda session: duplicates.duplicated(session, space.workspace_id, batch))
        plans += _plans_of(
            s, lambda session: duplicates.flag_earlier(session, space.workspace_id, {"a" * 16, "b" * 16}, ids[:50])
        )
    assert len(plans) == 2
    for plan in plans:
        assert "ix_comments_workspace_fingerprint" in plan, plan
