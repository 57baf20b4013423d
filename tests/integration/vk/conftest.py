from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from vkc.vk.client import VkClient
from vkc.vk.limiter import RateLimiter
from vkc.vk.pool import TokenPool
from vkc.vk.tokens import VkToken
from vkc.vk.transport import VkTransport

from tests.support.fakevk import FakeVk

USER, USER2, SERVICE, GROUP = "usr-secret-AAAA1111", "usr-secret-BBBB2222", "svc-secret-CCCC3333", "grp-secret-DDDD4444"
TYPES = {USER: "user", USER2: "user", SERVICE: "service", GROUP: "community"}


@pytest.fixture
def rds() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    client.ping()  # the session fixture started the services: a missing Redis is a failure, not a skip
    yield client
    client.close()


@pytest.fixture
def prefix(rds: redis.Redis) -> Iterator[str]:
    """A key prefix of its own per test; its keys are removed afterwards (SCAN, never KEYS/FLUSHALL)."""
    p = f"test:vk:{uuid.uuid4().hex[:10]}"
    yield p
    keys = list(rds.scan_iter(match=f"{p}:*", count=500))
    if keys:
        rds.delete(*keys)


@pytest.fixture
def fake() -> FakeVk:
    return FakeVk(dict(TYPES))


def make_client(fake: FakeVk, rds: redis.Redis, prefix: str, secrets: list[str], **kw) -> VkClient:
    transport = VkTransport(
        "https://vk.test/method", http_client=httpx.Client(transport=httpx.MockTransport(fake.handler))
    )
    limiter = RateLimiter(rds, prefix=prefix, window_s=kw.pop("window_s", 0.01), margin_s=0.0)
    pool = TokenPool([VkToken(s) for s in secrets], rds, prefix=prefix, limiter=limiter)
    kw.setdefault("backoff_initial_s", 0.01)
    kw.setdefault("backoff_max_s", 0.05)
    client = VkClient(pool, transport, **kw)
    client.detect_token_types()
    return client


@pytest.fixture
def client_factory(fake: FakeVk, rds: redis.Redis, prefix: str) -> Iterator:
    made: list[VkClient] = []

    def factory(secrets: list[str], **kw) -> VkClient:
        c = make_client(fake, rds, prefix, secrets, **kw)
        made.append(c)
        return c

    yield factory
    for c in made:
        c.close()
