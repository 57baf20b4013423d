"""Helpers for tests of one migration: a scratch database, its revision and the one before it, and
an upgrade to any revision (alembic on the test's own connection)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from vkc.db.engine import make_engine
from vkc.db.migrate import alembic_config
from vkc.settings import Settings

from devtools.pg import create_database, drop_database


def migration_revisions(file_suffix: str) -> tuple[str, str]:
    """(the migration's revision, the one before it), found by the end of its file name (say
    "_job_outbox.py"), so that renumbering migrations keeps the tests."""
    for script in ScriptDirectory.from_config(alembic_config()).walk_revisions():
        if script.path.endswith(file_suffix):
            assert isinstance(script.down_revision, str)
            return script.revision, script.down_revision
    raise AssertionError(f"no migration file ends with {file_suffix}")


def migrate_to(settings: Settings, revision: str) -> None:
    """Upgrade the database `settings` names to `revision`."""
    _run(command.upgrade, settings, revision)


def downgrade_to(settings: Settings, revision: str) -> None:
    """Downgrade the database `settings` names to `revision`."""
    _run(command.downgrade, settings, revision)


def _run(step: Callable[[Config, str], None], settings: Settings, revision: str) -> None:
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            step(cfg, revision)
    finally:
        engine.dispose()


def insert_workspace_and_community(conn: Connection, workspace_id: uuid.UUID, community_id: uuid.UUID) -> None:
    """A workspace and one community in it, in plain SQL (the ORM models are of the head revision)."""
    conn.execute(text("INSERT INTO workspaces (id, name) VALUES (:ws, 'w')"), {"ws": workspace_id})
    conn.execute(
        text(
            "INSERT INTO communities (id, workspace_id, vk_id, name, type, source_input, is_closed, "
            "can_collect, monitoring_enabled, monitoring_interval_minutes, monitoring_priority) "
            "VALUES (:c, :ws, 1, 'c', 'group', '1', 0, true, false, 60, 'normal')"
        ),
        {"c": community_id, "ws": workspace_id},
    )


@pytest.fixture
def scratch(run_id: str, settings: Settings) -> Iterator[Settings]:
    """Settings for an empty database of the test's own, dropped after it."""
    name = f"vkc_t_{run_id}_m{uuid.uuid4().hex[:6]}"
    create_database(name)
    yield settings.model_copy(update={"db_name": name})
    drop_database(name)
