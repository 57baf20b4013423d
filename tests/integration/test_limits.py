"""Rate limiter (GCRA on the real Redis), read cache and their fail-open paths, route classes, body
sizes and page-size maxima. Keys use a per-test prefix; nothing else in Redis is touched."""

from __future__ import annotations

import json
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pydantic import BaseModel, TypeAdapter
from vkc.cache import ReadCache
from vkc.cache.guard import RedisGuard
from vkc.ratelimit import Limit, RateLimiter

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "functions" / "api") not in sys.path:  # the API's own modules, as its Lambda sees them
    sys.path.insert(0, str(ROOT / "functions" / "api"))

from api_routes.limits import HEAVY, READ, WRITE, body_size, route_class  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def prefix() -> Iterator[str]:
    value = f"vkc:test:{uuid.uuid4().hex[:10]}:"
    yield value
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{value}*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture
def client() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, decode_responses=True)


def closed_port_client() -> redis.Redis:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return redis.Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5, socket_timeout=0.5)


def test_gcra_spends_the_burst_then_denies_with_retry_after(client: redis.Redis, prefix: str) -> None:
    limiter = RateLimiter(client, RedisGuard("t"), prefix=prefix)
    limit = Limit(requests=3, window_s=60)
    decisions = [limiter.hit("key-a", READ, limit) for _ in range(4)]
    assert [d.allowed for d in decisions if d] == [True, True, True, False]
    assert [d.remaining for d in decisions if d] == [2, 1, 0, 0]
    denied = decisions[3]
    assert denied is not None
    assert 19 <= denied.retry_after_s <= 20  # one request refills every 20 s
    assert denied.headers()["Retry-After"] == str(denied.retry_after_s)
    assert denied.headers()["RateLimit-Policy"] == "3;w=60"
    # another subject and another class have budgets of their own
    other = limiter.hit("key-b", READ, limit)
    assert other is not None
    assert other.allowed
    write = limiter.hit("key-a", WRITE, limit)
    assert write is not None
    assert write.allowed


def test_gcra_refills_smoothly(client: redis.Redis, prefix: str) -> None:
    limiter = RateLimiter(client, RedisGuard("t"), prefix=prefix)
    limit = Limit(requests=5, window_s=1)  # one request per 200 ms
    assert all((d := limiter.hit("k", HEAVY, limit)) and d.allowed for _ in range(5))
    denied = limiter.hit("k", HEAVY, limit)
    assert denied is not None
    assert not denied.allowed
    time.sleep(0.25)
    again = limiter.hit("k", HEAVY, limit)
    assert again is not None
    assert again.allowed
    ttl = client.pttl(limiter.key("k", HEAVY))
    assert 0 < int(ttl) <= 1000  # the key lives only until the budget is full again


def test_limiter_fails_open_and_backs_off_when_redis_is_down() -> None:
    guard = RedisGuard("down", backoff_s=30)
    limiter = RateLimiter(closed_port_client(), guard)
    assert limiter.hit("k", READ, Limit(1, 60)) is None
    assert not guard.available
    started = time.perf_counter()
    assert limiter.hit("k", READ, Limit(1, 60)) is None  # skipped without another connect attempt
    assert time.perf_counter() - started < 0.05


class Thing(BaseModel):
    n: int


def test_read_cache_hit_miss_and_invalidation(client: redis.Redis, prefix: str) -> None:
    cache = ReadCache(client, RedisGuard("t"), prefix=prefix)
    ws = uuid.uuid4()
    loads: list[int] = []

    def load(n: int) -> Thing:
        loads.append(n)
        return Thing(n=n)

    adapter = TypeAdapter(Thing)
    assert cache.get_or_load(ws, "x", {"a": 1}, adapter, 30, lambda: load(1)).n == 1
    assert cache.get_or_load(ws, "x", {"a": 1}, adapter, 30, lambda: load(2)).n == 1  # hit
    assert cache.get_or_load(ws, "x", {"a": 2}, adapter, 30, lambda: load(3)).n == 3  # other params
    assert cache.get_or_load(uuid.uuid4(), "x", {"a": 1}, adapter, 30, lambda: load(4)).n == 4  # other workspace
    assert cache.invalidate(ws)
    assert cache.get_or_load(ws, "x", {"a": 1}, adapter, 30, lambda: load(5)).n == 5  # miss after the write
    assert loads == [1, 3, 4, 5]
    lists = TypeAdapter(list[Thing])
    assert cache.get_or_load(ws, "l", {}, lists, 30, lambda: [Thing(n=7)]) == [Thing(n=7)]
    assert cache.get_or_load(ws, "l", {}, lists, 30, lambda: []) == [Thing(n=7)]


def test_read_cache_serves_from_the_loader_when_redis_is_down() -> None:
    cache = ReadCache(closed_port_client(), RedisGuard("down", backoff_s=30))
    ws = uuid.uuid4()
    assert cache.get_or_load(ws, "x", {}, TypeAdapter(Thing), 30, lambda: Thing(n=1)).n == 1
    assert cache.get_or_load(ws, "x", {}, TypeAdapter(Thing), 30, lambda: Thing(n=2)).n == 2
    assert cache.invalidate(ws) is False  # never raises


@pytest.mark.parametrize(
    ("method", "path", "cls"),
    [
        ("GET", "/v1/communities", READ),
        ("GET", "/v1/stats/totals", READ),
        ("POST", "/v1/communities", WRITE),
        ("PATCH", "/v1/communities/1b4e28ba-2fa1-11d2-883f-0016d3cca427", WRITE),
        ("DELETE", "/v1/keywords/x", WRITE),
        ("POST", "/v1/exports", HEAVY),
        ("POST", "/v1/jobs", HEAVY),
        ("POST", "/v1/communities/import", HEAVY),
        ("POST", "/v1/keywords/import", HEAVY),
        ("POST", "/v1/communities/1b4e28ba-2fa1-11d2-883f-0016d3cca427/collections", HEAVY),
        ("POST", "/v1/jobs/1b4e28ba-2fa1-11d2-883f-0016d3cca427/retry", HEAVY),
        ("POST", "/v1/jobs/1b4e28ba-2fa1-11d2-883f-0016d3cca427/cancel", WRITE),
        ("POST", "/v1/dead-letters/redrive", HEAVY),
    ],
)
def test_route_classes(method: str, path: str, cls: str) -> None:
    assert route_class(method, path) == cls


def test_body_size_counts_bytes_not_characters() -> None:
    assert body_size({"body": "я" * 10}) == 20
    assert body_size({"body": "aGVsbG8=", "isBase64Encoded": True}) == 5
    assert body_size({}) == 0


def test_every_list_route_caps_its_page_size() -> None:
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text())
    capped = 0
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if param["in"] == "query" and param["name"] in ("limit", "page_size", "per_page"):
                    assert "maximum" in param["schema"], f"{method.upper()} {path}: {param['name']} has no maximum"
                    assert param["schema"]["maximum"] <= 200
                    capped += 1
    assert capped >= 10
