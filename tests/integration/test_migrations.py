"""The migrations alone build the schema the models describe (the predecessor's could not)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from vkc.db.all_models import Base  # every table registered
from vkc.db.migrate import upgrade_to_head
from vkc.settings import Settings


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(settings: Settings) -> None:
    first = upgrade_to_head(settings)
    assert upgrade_to_head(settings) == first
