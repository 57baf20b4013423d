"""Shared fixtures, and each test's kind from its directory.

tests/unit needs no service (tests/unit/conftest.py refuses connections to PostgreSQL and Redis);
tests/integration uses the real services; tests/e2e goes through the multi-process local stack. The kind
is also a marker (`-m unit`, `-m integration`, `-m e2e`), set here from the directory, never by hand.

Services are never mocked and a test never skips for a missing service: integration and e2e sessions
start them with scripts/ensure-services.sh when they are not running (their conftest.py). Every run
that asks for a database gets its own throwaway one, on the real server.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from vkc.db.engine import dispose_engines, get_engine
from vkc.db.migrate import upgrade_to_head
from vkc.settings import Settings, get_settings

from devtools.pg import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]
RUN_ID = os.environ.get("VKC_TEST_RUN_ID") or uuid.uuid4().hex[:8]


KINDS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its kind, read from its directory (tests/<kind>/...)."""
    for item in items:
        parts = Path(str(item.path)).resolve().relative_to(ROOT / "tests").parts
        if parts and parts[0] in KINDS:
            item.add_marker(getattr(pytest.mark, parts[0]))


def ensure_services() -> None:
    """Start PostgreSQL and Redis where they are not running (integration and e2e sessions)."""
    subprocess.run([str(ROOT / "scripts" / "ensure-services.sh")], check=True)


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN_ID


@pytest.fixture(scope="session")
def database(run_id: str) -> Iterator[str]:
    """A migrated database for this run, dropped at the end."""
    name = f"vkc_t_{run_id}"
    create_database(name)
    upgrade_to_head(Settings(db_name=name))
    yield name
    dispose_engines()
    drop_database(name)


@pytest.fixture(scope="session")
def settings(database: str) -> Iterator[Settings]:
    """Settings for this run, also installed in the environment so `get_settings()` agrees."""
    env = {"DB_NAME": database, "DB_HOST": "127.0.0.1", "DB_IAM_AUTH": "0", "DB_SSL": "0", "STAGE": "test"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    yield get_settings()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return get_engine(settings)
