"""A Redis GCRA (generic cell rate algorithm) limiter: N requests per W seconds, smooth.

A full budget of N may be spent at once; it then refills continuously at N/W per second. State is
one key per (subject, class) holding the "theoretical arrival time" in ms, updated atomically by a
Lua script that takes the time from Redis itself (no clock skew between Lambdas). A denied request
changes nothing. The key expires when the budget is full again.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import redis

from vkc.cache.guard import RedisGuard

log = logging.getLogger(__name__)

# KEYS[1] the TAT key; ARGV[1] emission interval (ms per request), ARGV[2] burst (N), ARGV[3] cost
# returns {allowed (0/1), remaining, retry_after_ms, reset_ms}
GCRA_LUA = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tolerance = interval * burst
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - tolerance
if allow_at > now then
  return {0, math.floor((now + tolerance - tat) / interval), allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.max(1, new_tat - now))
return {1, math.floor((now + tolerance - new_tat) / interval), 0, new_tat - now}
"""


@dataclass(frozen=True, slots=True)
class Limit:
    """`requests` per `window_s` seconds."""

    requests: int
    window_s: int

    def __post_init__(self) -> None:
        if self.requests < 1 or self.window_s < 1:
            raise ValueError("a rate limit needs at least 1 request per at least 1 second")

    @property
    def interval_ms(self) -> int:
        """Milliseconds one request costs (rounded up: never more than N per W)."""
        return max(1, math.ceil(self.window_s * 1000 / self.requests))


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: Limit
    remaining: int
    retry_after_s: int  # 0 when allowed; else whole seconds until one request fits (at least 1)
    reset_s: int  # whole seconds until the budget is full again

    def headers(self) -> dict[str, str]:
        """IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers) and Retry-After when denied."""
        out = {
            "RateLimit-Limit": str(self.limit.requests),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
            "RateLimit-Policy": f"{self.limit.requests};w={self.limit.window_s}",
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after_s)
        return out


class RateLimiter:
    def __init__(self, client: redis.Redis, guard: RedisGuard, *, prefix: str = "vkc:rl:") -> None:
        self._redis = client
        self._guard = guard
        self._prefix = prefix
        self._script = client.register_script(GCRA_LUA)

    def key(self, subject: str, route_class: str) -> str:
        return f"{self._prefix}{subject}:{route_class}"

    def hit(self, subject: str, route_class: str, limit: Limit, cost: int = 1) -> Decision | None:
        """Spend `cost` of the subject's budget for this class; None when Redis is unavailable
        (callers fail open: a dead Redis must not take the API down)."""
        if not self._guard.available:
            return None
        try:
            raw = self._script(keys=[self.key(subject, route_class)], args=[limit.interval_ms, limit.requests, cost])
        except redis.RedisError as exc:
            self._guard.failed("rate limiting", exc)
            return None
        allowed, remaining, retry_ms, reset_ms = (int(v) for v in raw)
        return Decision(
            allowed=bool(allowed),
            limit=limit,
            remaining=max(0, remaining),
            retry_after_s=max(1, math.ceil(retry_ms / 1000)) if not allowed else 0,
            reset_s=max(0, math.ceil(reset_ms / 1000)),
        )
