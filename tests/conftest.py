"""Shared fixtures: every test run gets its own throwaway PostgreSQL database, on the real server.

Services are never mocked and a test never skips for a missing service: the session starts
them with scripts/ensure-services.sh when they are not running.
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


@pytest.fixture(scope="session", autouse=True)
def _services() -> None:
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
