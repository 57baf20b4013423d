"""Deleting a keyword reads that keyword's matches, not every workspace's.

Regression: no index of `keyword_matches` leads with `keyword_id`, and both the service's delete
(`keyword_id = ANY(:ids)`) and the foreign key's cascade (`keyword_id = $1`) read the whole table:
at the scale of an agency's workspaces, a keyword's deletion in an API request read hundreds of
millions of rows (migration 0015).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from vkc.keywords import service
from vkc.keywords.schemas import KeywordCreate

from tests.support.factories import make_community
from tests.support.reads import rows_read

OTHERS = 3_000  # matches of another keyword (and of another workspace's), which the deletion must not read
MINE = 5


def _keyword(engine: Engine, workspace_id: uuid.UUID, word: str) -> uuid.UUID:
    with Session(engine, expire_on_commit=False) as s:
        return service.create_keyword(s, workspace_id, KeywordCreate(text=word), on_change=lambda *_: None).id


def _matches(session: Session, ws: uuid.UUID, community: uuid.UUID, keyword: uuid.UUID, n: int, first: int) -> None:
    """``n`` comments with one match of ``keyword`` each (``match_count`` 1)."""
    session.execute(
        text(
            """
            WITH c AS (
                INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, text, attachments,
                                      is_deleted, content_hash, analyzed_hash, spam_reasons, match_count)
                SELECT :ws, :community, -1, 1, i, 'слово ' || i, '[]', false, 'h' || i, 'h' || i, '[]', 1
                FROM generate_series(CAST(:first AS integer), CAST(:first AS integer) + CAST(:n AS integer) - 1) AS i
                RETURNING id
            )
            INSERT INTO keyword_matches (workspace_id, comment_id, keyword_id, matched_text, start, "end", lemmas,
                                         fuzzy, snippet, highlight_start, highlight_end)
            SELECT :ws, id, :kw, 'слово', 0, 5, ARRAY['слово'], false, 'слово', 0, 5 FROM c
            """
        ),
        {"ws": ws, "community": community, "kw": keyword, "n": n, "first": first},
    )


def test_deleting_a_keyword_reads_its_own_matches_and_lowers_their_comments_counts(engine: Engine) -> None:
    ws, community = make_community(engine)
    other_ws, other_community = make_community(engine)
    gone, kept = _keyword(engine, ws, "доставка"), _keyword(engine, ws, "курьер")
    elsewhere = _keyword(engine, other_ws, "доставка")
    with engine.connect() as conn:
        outer = conn.begin()  # never committed: statistics cannot know these rows
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        _matches(session, ws, community, gone, MINE, 1)
        _matches(session, ws, community, kept, OTHERS, 1_000)
        _matches(session, other_ws, other_community, elsewhere, OTHERS, 10_000)
        before = rows_read(session, "keyword_matches")

        service.delete_keyword(session, ws, gone, on_change=lambda *_: None)

        assert (
            rows_read(session, "keyword_matches") - before <= 4 * MINE
        )  # its matches (twice at most), not the 6,000 others
        left = session.execute(
            text(
                "SELECT keyword_id, count(*) FROM keyword_matches "
                "WHERE workspace_id IN (:ws, :other) GROUP BY keyword_id"
            ),
            {"ws": ws, "other": other_ws},
        ).all()
        assert dict(left) == {kept: OTHERS, elsewhere: OTHERS}
        counts = session.execute(
            text("SELECT match_count, count(*) FROM comments WHERE workspace_id = :ws GROUP BY match_count"),
            {"ws": ws},
        ).all()
        assert dict(counts) == {0: MINE, 1: OTHERS}
        session.close()
        outer.rollback()
