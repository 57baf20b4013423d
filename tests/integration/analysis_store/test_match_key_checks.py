"""Storing a match checks its keyword with one index probe, not by reading the workspace's keywords.

Regression: PostgreSQL checks the key `(workspace_id, keyword_id) → keywords` with
`workspace_id = $1 AND id = $2`. While `keywords` had no statistics (a new database, or before
autovacuum analyzed it), the planner took `ix_keywords_workspace_category`, which serves the workspace
only, and each stored match read its workspace's keywords (here 4,125 rows for 50 matches; in the
analysis benchmark a fifth of the match write's time). Migration 0016 dropped that index.
"""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from vkc.analysis_store import apply

from tests.integration.analysis_store.conftest import Space
from tests.support.reads import rows_read

KEYWORDS = 400  # the workspace's keywords, none of them analyzed by the statistics
MATCHES = 50


def test_each_stored_match_reads_its_own_keyword_not_the_workspaces(space: Space) -> None:
    comment_ids = space.comments(*(f"доставка номер {n}" for n in range(MATCHES)))
    # a new connection: PostgreSQL keeps a key check's plan per connection once made
    fresh = create_engine(space.engine.url, poolclass=NullPool)
    try:
        with Session(fresh) as session:  # never committed: statistics cannot know these keywords
            keyword_ids = list(
                session.execute(
                    text(
                        """
                        INSERT INTO keywords (id, workspace_id, text, category, kind, case_sensitive, whole_word,
                                              phrase_mode, negatives, fuzzy, active)
                        SELECT gen_random_uuid(), :ws, 'слово ' || i, 'категория ' || mod(i, 7), 'word', false, true,
                               'exact', '[]', false, true
                        FROM generate_series(1, :n) AS i
                        RETURNING CAST(id AS text)
                        """
                    ),
                    {"ws": space.workspace_id, "n": KEYWORDS},
                ).scalars()
            )
            rows = [
                {
                    "comment_id": c,
                    "keyword_id": keyword_ids[n * 7 % KEYWORDS],
                    "matched_text": "доставка",
                    "start": 0,
                    "end": 8,
                    "lemmas": ["доставка"],
                    "fuzzy": False,
                    "snippet": f"доставка номер {n}",
                    "highlight_start": 0,
                    "highlight_end": 8,
                }
                for n, c in enumerate(comment_ids)
            ]
            wanted: dict[tuple[int, str, int], apply.MatchRow] = {
                (r["comment_id"], r["keyword_id"], 0): (
                    r["keyword_id"],
                    0,
                    8,
                    "доставка",
                    ("доставка",),
                    False,
                    r["snippet"],
                    0,
                    8,
                )
                for r in rows
            }
            before = rows_read(session, "keywords")

            new = apply._write_matches(
                session,
                space.workspace_id,
                comment_ids,
                json.dumps(rows, ensure_ascii=False),
                wanted,
                "collection",
                {},
            )

            assert len(new) == MATCHES
            read = rows_read(session, "keywords") - before
            assert read <= 2 * MATCHES  # one keyword per match (4,125 rows before)
            session.rollback()
    finally:
        fresh.dispose()
