"""The duplicate-text lookup reads the rows of the batch's fingerprints, not the workspace.

Regression: with `(workspace_id, fingerprint)` a workspace the planner's statistics did not know yet
(a new one, or one whose first large collection autovacuum had not analyzed) looked a few dozen rows
large, and each chunk's lookup scanned all of it through a search index: the analysis of a large
first collection slowed down with every chunk (migration 0014).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session
from vkc.analysis_store import duplicates

from tests.integration.analysis_store.conftest import Space
from tests.support.reads import rows_read

STORED = 3_000  # analyzed comments of the workspace, none sharing the batch's fingerprints but one
TWICE = "ab12cd34ef56ab78"  # stored twice, under two posts: the batch's third copy makes it a duplicate


def test_the_lookup_reads_the_fingerprints_rows_not_the_workspace(space: Space) -> None:
    with Session(space.engine) as session:  # never committed: statistics cannot know these rows
        stored = session.execute(
            text(
                """
                INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, text, attachments,
                                      is_deleted, content_hash, analyzed_hash, fingerprint, spam_reasons)
                SELECT :ws, :community, -1, 1 + mod(i, 2), i, 'текст ' || i, '[]', false, 'h' || i, 'h' || i,
                       CASE WHEN i <= 2 THEN :twice ELSE substr(md5(i::text), 1, 16) END, '[]'
                FROM generate_series(1, :n) AS i
                RETURNING id, fingerprint
                """
            ),
            {"ws": space.workspace_id, "community": space.community_id, "twice": TWICE, "n": STORED},
        ).all()
        earlier = sorted(r.id for r in stored if r.fingerprint == TWICE)
        batch = [(10_000_000 + n, -1, 3, f"{n:016x}") for n in range(200)] + [(10_000_999, -1, 3, TWICE)]
        before = rows_read(session, "comments")

        found = duplicates.duplicated(session, space.workspace_id, batch)

        assert found == duplicates.Duplicates({TWICE}, earlier)
        assert rows_read(session, "comments") - before <= 10  # the two stored copies, not the 3,000 rows
        assert duplicates.flag_earlier(session, found) == 2
        session.rollback()
