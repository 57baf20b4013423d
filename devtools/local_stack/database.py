"""The run's PostgreSQL database and Redis db: services up, database created, migrated, dropped.

Each run gets its own database (`vkc_local` for `make up`, `vkc_t_<run>` for tests) so test runs
never see each other's rows; the schema comes from the lead's alembic migrations, as in AWS.
"""

from __future__ import annotations

import re
import subprocess
import zlib
from typing import TYPE_CHECKING

import pg8000.native
import redis

from devtools.local_stack.template import REPO_ROOT

if TYPE_CHECKING:
    from vkc.settings import Settings

_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def ensure_services() -> None:
    """Start PostgreSQL and Redis if they are down (scripts/ensure-services.sh)."""
    subprocess.run([str(REPO_ROOT / "scripts" / "ensure-services.sh")], check=True)


def database_name(run_id: str) -> str:
    name = re.sub(r"[^a-z0-9_]", "_", f"vkc_t_{run_id}".lower())[:63]
    if not _DB_NAME.match(name):
        raise ValueError(f"cannot build a database name from run id {run_id!r}")
    return name


def redis_db_for(run_id: str, *, persistent: bool) -> int:
    """db 0 for the developer's stack; tests spread over 1..15 by run id."""
    return 0 if persistent else 1 + zlib.crc32(run_id.encode()) % 15


def _admin(host: str, port: int, user: str) -> pg8000.native.Connection:
    return pg8000.native.Connection(user=user, host=host, port=port, database="postgres", timeout=10)


def create_database(name: str, *, host: str = "127.0.0.1", port: int = 5432, user: str = "postgres") -> bool:
    """Create `name` unless it exists; True when it was created now."""
    if not _DB_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    conn = _admin(host, port, user)
    try:
        if conn.run("SELECT 1 FROM pg_database WHERE datname = :name", name=name):
            return False
        conn.run(f'CREATE DATABASE "{name}"')
        return True
    finally:
        conn.close()


def drop_database(name: str, *, host: str = "127.0.0.1", port: int = 5432, user: str = "postgres") -> None:
    if not _DB_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    conn = _admin(host, port, user)
    try:
        conn.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def migrate(settings: Settings) -> None:
    """alembic upgrade head through the domain's own entry point (what MigrateFunction runs)."""
    from vkc.db.migrate import upgrade_to_head

    upgrade_to_head(settings)


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()
