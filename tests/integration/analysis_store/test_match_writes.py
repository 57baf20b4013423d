"""A chunk's match write reads the chunk's own matches, not the table.

Regression: the delete of vanished matches was ``comment_id = ANY(:ids)``. On a table the planner's
statistics did not know yet (a new database, a first large collection that autovacuum had not
analyzed), the chunk's ids looked like half the table, and every chunk's write read all of
``keyword_matches``: the analysis slowed down as the matches grew (146 µs per comment at 170,000
matches against 48 µs at 6,000), and a re-analysis of a million comments read a million rows a chunk.
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.orm import Session
from vkc.analysis_store import apply

from tests.integration.analysis_store.conftest import Space
from tests.support.reads import rows_read

STORED = 3_000  # analyzed comments of the workspace, one stored match each
CHUNK = 50  # the chunk being written: its first comment's match vanished, the others stay


def test_a_chunks_match_write_reads_its_own_matches_not_the_table(space: Space) -> None:
    keyword = space.keyword("доставка")
    kw = str(keyword.id)
    with Session(space.engine) as session:  # never committed: statistics cannot know these rows
        ids = list(
            session.execute(
                text(
                    """
                    INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, text,
                                          attachments, is_deleted, content_hash, analyzed_hash, spam_reasons)
                    SELECT :ws, :community, -1, 1, i, 'доставка ' || i, '[]', false, 'h' || i, 'h' || i, '[]'
                    FROM generate_series(1, :n) AS i
                    RETURNING id
                    """
                ),
                {"ws": space.workspace_id, "community": space.community_id, "n": STORED},
            ).scalars()
        )
        session.execute(
            text(
                """
                INSERT INTO keyword_matches (workspace_id, comment_id, keyword_id, matched_text, start, "end",
                                             lemmas, fuzzy, snippet, highlight_start, highlight_end)
                SELECT :ws, id, :kw, 'доставка', 0, 8, ARRAY['доставка'], false, text, 0, 8
                FROM comments WHERE id = ANY(:ids)
                """
            ),
            {"ws": space.workspace_id, "kw": keyword.id, "ids": ids},
        )
        chunk = ids[:CHUNK]
        kept = chunk[1:]  # the same match again: nothing to write for them
        objects = [
            {
                "comment_id": c,
                "keyword_id": kw,
                "matched_text": "доставка",
                "start": 0,
                "end": 8,
                "lemmas": ["доставка"],
                "fuzzy": False,
                "snippet": f"доставка {n}",
                "highlight_start": 0,
                "highlight_end": 8,
            }
            for n, c in enumerate(kept, start=2)
        ]
        wanted = {
            (c, kw, 0): (kw, 0, 8, "доставка", ("доставка",), False, f"доставка {n}", 0, 8)
            for n, c in enumerate(kept, start=2)
        }
        before = rows_read(session, "keyword_matches")

        new = apply._write_matches(
            session, space.workspace_id, chunk, json.dumps(objects, ensure_ascii=False), wanted, "collection", {}
        )

        assert new == []  # nothing new, nothing rewritten
        assert rows_read(session, "keyword_matches") - before <= 3 * CHUNK  # the chunk's matches, not the 3,000 stored
        left = session.execute(
            text("SELECT comment_id FROM keyword_matches WHERE comment_id = ANY(:ids) ORDER BY comment_id"),
            {"ids": chunk},
        ).scalars()
        assert list(left) == kept  # the vanished match is deleted, the others kept
        assert (
            session.execute(
                text("SELECT count(*) FROM keyword_matches WHERE workspace_id = :ws"), {"ws": space.workspace_id}
            ).scalar_one()
            == STORED - 1
        )
        session.rollback()
