"""The HOT-analysis migration fills `search_vector` for every stored comment, and goes back cleanly."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from vkc.db.engine import make_engine
from vkc.settings import Settings

from tests.support.migrations import (
    downgrade_to,
    insert_workspace_and_community,
    migrate_to,
    migration_revisions,
    scratch,
)

__all__ = ["scratch"]  # the fixture


_VECTORS = text("SELECT comment_id, search_vector::text AS v FROM comments ORDER BY comment_id")
_EXPECTED = text("SELECT comment_id, to_tsvector('russian', text)::text AS v FROM comments ORDER BY comment_id")


def test_every_comment_gets_its_search_vector_and_the_downgrade_restores_the_analyzed_ones(scratch: Settings) -> None:
    this, before = migration_revisions("_comments_hot_analysis.py")
    migrate_to(scratch, before)
    ws, community = uuid.uuid4(), uuid.uuid4()
    engine = make_engine(scratch)
    try:
        with engine.begin() as conn:
            insert_workspace_and_community(conn, ws, community)
            for n, (body, analyzed) in enumerate([("Банки снова подняли ставки", True), ("Квартиры дорожают", False)]):
                conn.execute(
                    text(
                        "INSERT INTO comments (workspace_id, community_id, owner_id, post_id, comment_id, text, "
                        "attachments, is_deleted, content_hash, analyzed_hash, search_vector) "
                        "VALUES (:ws, :c, -1, 1, :n, :body, '[]', false, 'h', :analyzed, "
                        "CASE WHEN CAST(:analyzed AS text) IS NULL THEN NULL "
                        "ELSE to_tsvector('russian', CAST(:body AS text)) END)"
                    ),
                    {"ws": ws, "c": community, "n": n, "body": body, "analyzed": "h" if analyzed else None},
                )

        migrate_to(scratch, this)
        with engine.connect() as conn:
            vectors = conn.execute(_VECTORS).all()
            expected = conn.execute(_EXPECTED).all()
            found = conn.execute(
                text("SELECT comment_id FROM comments WHERE search_vector @@ to_tsquery('russian', 'квартира')")
            ).scalars()
            options = conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'comments'")).scalar_one()
        assert vectors == expected  # the unanalyzed comment too: found by its words before its analysis
        assert list(found) == [1]
        assert "fillfactor=50" in options

        with engine.begin() as conn:  # an edit recomputes it
            conn.execute(text("UPDATE comments SET text = 'Квартиры дешевеют' WHERE comment_id = 1"))
        with engine.connect() as conn:
            assert conn.execute(_VECTORS).all() == conn.execute(_EXPECTED).all()

        downgrade_to(scratch, before)
        with engine.connect() as conn:
            after = dict(conn.execute(_VECTORS).all())
            options = conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'comments'")).scalar_one()
            generated = conn.execute(
                text(
                    "SELECT attgenerated FROM pg_attribute "
                    "WHERE attrelid = 'comments'::regclass AND attname = 'search_vector'"
                )
            ).scalar_one()
        assert after[0] == dict(expected)[0]  # as the analyze step had left them
        assert after[1] is None
        assert options is None
        assert generated == ""
    finally:
        engine.dispose()
