"""Run alembic migrations programmatically (MigrateFunction, the local stack, tests).

The migration scripts ship inside the package, so the deployed MigrateFunction can run them
from the layer without an alembic.ini.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from vkc.db.engine import make_engine
from vkc.settings import Settings

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_to_head(settings: Settings) -> str:
    """Bring the schema to the newest revision; returns that revision id. Safe to run twice."""
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
        return current_revision(settings) or ""
    finally:
        engine.dispose()


def current_revision(settings: Settings) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
