"""Limiter, breaker and quota counters against the real Redis (one key prefix per test)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import redis
from vkc.vk.breaker import BreakerState, CircuitBreaker, Gate
from vkc.vk.deadline import Deadline
from vkc.vk.limiter import RateLimiter
from vkc.vk.quota import QuotaBook


def test_sliding_window_grants_limit_per_window_then_tells_the_wait(rds: redis.Redis, prefix: str) -> None:
    lim = RateLimiter(rds, prefix=prefix, window_s=0.5, margin_s=0.0)
    grants = [lim.try_acquire_any([("t1", 3)]) for _ in range(4)]
    assert [g.index for g in grants] == [0, 0, 0, None]
    assert 0.3 < grants[3].wait_s <= 0.5
    # a second token takes over while the first is full
    assert lim.try_acquire_any([("t1", 3), ("t2", 3)]).index == 1
    time.sleep(grants[3].wait_s + 0.01)
    assert lim.try_acquire_any([("t1", 3)]).index == 0
    assert lim.usage("t1") == 1  # the first three left the window together


def test_limiter_holds_across_threads_and_instances(rds: redis.Redis, prefix: str) -> None:
    """Six threads over two limiter instances (as two Lambdas would) never exceed 3 grants per window."""
    window = 0.3
    stamps: list[float] = []
    lock = threading.Lock()

    def worker(lim: RateLimiter) -> None:
        for _ in range(4):
            lim.acquire_any([("shared", 3)], Deadline.after(10))
            with lock:
                stamps.append(time.monotonic())

    limiters = [RateLimiter(rds, prefix=prefix, window_s=window, margin_s=0.0) for _ in range(2)]
    threads = [threading.Thread(target=worker, args=(limiters[i % 2],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert len(stamps) == 24
    for i in range(len(stamps) - 3):
        assert stamps[i + 3] - stamps[i] >= window * 0.8  # any 4 consecutive grants span ~a window (thread skew)


def test_breaker_transitions_are_shared_through_redis(rds: redis.Redis, prefix: str) -> None:
    a = CircuitBreaker(rds, prefix=prefix, cooldown_s=0.2, failure_threshold=3)
    b = CircuitBreaker(rds, prefix=prefix, cooldown_s=0.2, failure_threshold=3)  # another Lambda
    assert a.peek(["tok"]) == [Gate.ALLOW]
    a.record_failure("tok", "ReadTimeout")
    a.record_failure("tok", "ReadTimeout")
    assert b.snapshot("tok").state is BreakerState.CLOSED
    assert b.snapshot("tok").failures == 2
    a.record_success("tok")
    assert b.snapshot("tok").failures == 0
    for _ in range(3):
        a.record_failure("tok", "vk:10")
    snap = b.snapshot("tok")
    assert snap.state is BreakerState.OPEN
    assert snap.reason == "vk:10"
    assert snap.open_until is not None
    assert snap.open_until > datetime.now(UTC)
    assert b.peek(["tok"]) == [Gate.DENY]
    time.sleep(0.25)
    assert b.peek(["tok"]) == [Gate.PROBE]
    assert b.claim_probe("tok") is True
    assert a.claim_probe("tok") is False  # only one probe at a time, whichever worker asks
    assert a.snapshot("tok").state is BreakerState.HALF_OPEN
    b.record_failure("tok", "vk:10")  # failed probe: open again, cooldown doubled
    reopened = a.snapshot("tok")
    assert reopened.state is BreakerState.OPEN
    assert int(rds.hget(a.key("tok"), "cooldown_ms") or 0) == 400
    time.sleep(0.45)
    assert a.claim_probe("tok") is True
    a.record_success("tok")
    assert b.snapshot("tok").state is BreakerState.CLOSED
    assert b.peek(["tok"]) == [Gate.ALLOW]


def test_breaker_opens_at_once_for_flood_and_retires(rds: redis.Redis, prefix: str) -> None:
    br = CircuitBreaker(rds, prefix=prefix)
    assert br.record_failure("t9", "vk:9", immediate=True, cooldown_s=60) is BreakerState.OPEN
    br.retire("t5", "vk:5")
    assert br.peek(["t9", "t5", "fresh"]) == [Gate.DENY, Gate.DENY, Gate.ALLOW]
    assert br.snapshot("t5").state is BreakerState.RETIRED
    br.record_success("t5")
    assert br.snapshot("t5").state is BreakerState.RETIRED  # only an operator brings it back
    assert rds.pttl(br.key("t5")) > 0
    br.reset("t5")
    assert br.snapshot("t5").state is BreakerState.CLOSED


def test_quota_counters_per_token_and_method_expire_at_day_end(rds: redis.Redis, prefix: str) -> None:
    q = QuotaBook(rds, prefix=prefix, daily_limits={"wall.get": 100}, safety=0.9)
    q.record("tok", {"wall.get": 25, "wall.getComments": 3})
    q.record("tok", {"wall.get": 25})
    assert q.usage("tok") == {"wall.get": 50, "wall.getComments": 3}
    ttl = rds.ttl(q.key("tok"))
    now = datetime.now(UTC)
    to_midnight = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
    assert to_midnight <= ttl <= to_midnight + 3600 + 5
    assert q.allows_many(["tok", "other"], {"wall.get": 40}) == [True, True]
    assert q.allows_many(["tok", "other"], {"wall.get": 41}) == [False, True]  # 50 + 41 > 90
    q.mark_exhausted("other", "wall.getComments")
    assert q.allows_many(["other"], {"wall.getComments": 1}) == [False]
    assert q.allows_many(["other"], {"users.get": 1}) == [True]
    assert q.exhausted_methods("other") == {"wall.getComments"}
