"""The HOT-analysis migration fills `search_vector` for every stored comment, and goes back cleanly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from vkc.db.engine import make_engine
from vkc.db.migrate import alembic_config
from vkc.settings import Settings

from devtools.pg import create_database, drop_database
from tests.integration.test_migration_one_active_collection import migrate_to


def migration_revisions() -> tuple[str, str]:
    """(this migration's revision, the one before it), found by file name so renumbering keeps the test."""
    for script in ScriptDirectory.from_config(alembic_config()).walk_revisions():
        if script.path.endswith("_comments_hot_analysis.py"):
            assert isinstance(script.down_revision, str)
            return script.revision, script.down_revision
    raise AssertionError("the comments-hot-analysis migration is missing")


def downgrade_to(settings: Settings, revision: str) -> None:
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


@pytest.fixture
def scratch(run_id: str, settings: Settings) -> Iterator[Settings]:
    name = f"vkc_t_{run_id}_h{uuid.uuid4().hex[:6]}"
    create_database(name)
    yield settings.model_copy(update={"db_name": name})
    drop_database(name)


_VECTORS = text("SELECT comment_id, search_vector::text AS v FROM comments ORDER BY comment_id")
_EXPECTED = text("SELECT comment_id, to_tsvector('russian', text)::text AS v FROM comments ORDER BY comment_id")


def test_every_comment_gets_its_search_vector_and_the_downgrade_restores_the_analyzed_ones(scratch: Settings) -> None:
    this, before = migration_revisions()
    migrate_to(scratch, before)
    ws, community = uuid.uuid4(), uuid.uuid4()
    engine = make_engine(scratch)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO workspaces (id, name) VALUES (:ws, 'w')"), {"ws": ws})
            conn.execute(
                text(
                    "INSERT INTO communities (id, workspace_id, vk_id, name, type, source_input, is_closed, "
                    "can_collect, monitoring_enabled, monitoring_interval_minutes, monitoring_priority) "
                    "VALUES (:c, :ws, 1, 'c', 'group', '1', 0, true, false, 60, 'normal')"
                ),
                {"c": community, "ws": ws},
            )
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
