"""Throwaway PostgreSQL databases for tests, benchmarks and the local stack (trust auth on 127.0.0.1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from vkc.db.engine import dispose_engines
from vkc.db.migrate import upgrade_to_head
from vkc.settings import Settings

ADMIN_URL = "postgresql+pg8000://postgres@127.0.0.1:5432/postgres"
_SAFE = re.compile(r"^[a-z0-9_]{1,63}$")


def _admin() -> Engine:
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def _checked(name: str) -> str:
    if not _SAFE.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    return name


def create_database(name: str, *, drop_existing: bool = True) -> None:
    engine = _admin()
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if exists and drop_existing:
                conn.execute(text(f'DROP DATABASE "{_checked(name)}" WITH (FORCE)'))
                exists = None
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{_checked(name)}"'))
    finally:
        engine.dispose()


def drop_database(name: str) -> None:
    engine = _admin()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)'))
    finally:
        engine.dispose()


@contextmanager
def migrated_database(name: str, *, keep: bool = False) -> Iterator[Settings]:
    """Create, migrate, yield settings pointing at it; drop afterwards unless `keep`."""
    create_database(name)
    settings = Settings(db_name=name)
    upgrade_to_head(settings)
    try:
        yield settings
    finally:
        dispose_engines()
        if not keep:
            drop_database(name)
