"""The API's SnapStart restore hook on the real PostgreSQL and Redis (and moto for the AWS clients).

A restored copy of a snapshot must not talk on a connection opened before the snapshot, must not draw
the snapshot's random numbers, and must rebuild its AWS clients and credentials from the environment
it was restored into. The test builds the API's dependencies and uses them (that is the "before"),
runs the hook exactly as the door registers it, and checks what the next request would use.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from vkc.adapters import aws
from vkc.adapters.secrets import secret_store
from vkc.db.engine import dispose_engines
from vkc.db.iam_token import auth_tokens
from vkc.settings import get_settings
from vkc.wiring import snapstart
from vkc.wiring.api import after_restore, api_deps


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> Iterator[None]:
    monkeypatch.setenv("DB_NAME", "postgres")  # only pg_backend_pid() is asked: nothing is written
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIABEFORESNAPSHOT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "before")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "before-token")
    monkeypatch.setenv("QUEUE_URL_PARSE_HIGH", f"{moto_url}/123456789012/vkc-parse-high")
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


def _backend_pid() -> int:
    with api_deps().transaction() as session:
        return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_the_restore_hook_drops_connections_reseeds_random_and_rebuilds_clients(
    api_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = snapstart.LocalHooks()
    monkeypatch.setattr(snapstart, "LOCAL", hooks)
    snapstart.register(before_snapshot=lambda: None, after_restore=after_restore)  # as app.py does

    deps = api_deps()
    pid = _backend_pid()
    assert _backend_pid() == pid  # the pool reuses its connection while nothing is restored
    redis_id = deps.redis.client_id()
    queue, secrets = deps.queue(), secret_store(deps.settings)
    sqs = aws.client("sqs", deps.settings.aws_region)
    token = auth_tokens(deps.settings.aws_region).token("proxy.example", 5432, "vkc")
    assert "ASIABEFORESNAPSHOT" in token
    random.seed(20261205)
    snapshot_draws = [random.random() for _ in range(4)]
    random.seed(20261205)  # the state the snapshot would carry into every restored copy

    # Lambda restores the snapshot into a new environment, with its own credentials
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAAFTERRESTORE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "after")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "after-token")
    hooks.run_after_restore()

    assert [random.random() for _ in range(4)] != snapshot_draws
    restored = api_deps()
    assert restored is not deps  # rebuilt on the first request after the restore
    assert _backend_pid() != pid  # a new connection, not the snapshot's
    assert restored.redis.client_id() != redis_id
    assert restored.queue() is not queue
    assert aws.client("sqs", restored.settings.aws_region) is not sqs
    assert secret_store(restored.settings) is not secrets
    after = auth_tokens(restored.settings.aws_region).token("proxy.example", 5432, "vkc")
    assert "ASIAAFTERRESTORE" in after
    assert "ASIABEFORESNAPSHOT" not in after


def test_local_hooks_run_in_the_runtimes_order() -> None:
    """Before the snapshot in reverse order of registration, after a restore in order (as Lambda does)."""
    hooks = snapstart.LocalHooks()
    ran: list[str] = []
    hooks.register_before_snapshot(lambda: ran.append("before 1"))
    hooks.register_before_snapshot(lambda: ran.append("before 2"))
    hooks.register_after_restore(lambda: ran.append("after 1"))
    hooks.register_after_restore(lambda: ran.append("after 2"))
    hooks.run_before_snapshot()
    hooks.run_after_restore()
    assert ran == ["before 2", "before 1", "after 1", "after 2"]
