"""One request-rate limit per token, shared by every worker through Redis.

Algorithm: a sliding-window log (a sorted set of grant times per token), checked and updated by one
Lua script so concurrent Lambdas cannot both take the last slot. Why not GCRA or a token bucket: VK
counts requests in a sliding one-second window (3 for user/service tokens, 20 for community ones), and a
bucket that lets 3 go at once and then refills one every 333 ms would put 4 requests inside one second.
The log reproduces VK's own rule, with a safety margin added to the window (`margin_s`) for clock and
network jitter between our grant and VK's arrival stamp. Time comes from Redis (`TIME`), so the workers'
clocks never have to agree.

`acquire_any` takes several candidate tokens in preference order and grants the first with a free slot
in one round trip; if none has one it returns how long until the earliest slot frees up.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from vkc.vk.deadline import Deadline
from vkc.vk.errors import VkDeadlineError

log = logging.getLogger(__name__)

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local nonce = ARGV[2]
local best = -1
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i + 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then
    redis.call('ZADD', key, now, nonce .. ':' .. now)
    redis.call('PEXPIRE', key, math.floor(window / 1000) + 1000)
    return {i, 0}
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if best < 0 or wait < best then best = wait end
end
return {0, best}
"""


@dataclass(frozen=True, slots=True)
class Slot:
    """Which candidate got a slot (index into the list passed in), or how long to wait for one."""

    index: int | None
    wait_s: float


class RateLimiter:
    """Per-token sliding-window limiter. Thread-safe: it holds no state besides the Redis client."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str,
        window_s: float = 1.0,
        margin_s: float = 0.1,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self.window_s = window_s + margin_s
        self._script = client.register_script(_ACQUIRE)
        self._nonce = uuid.uuid4().hex[:8]

    def key(self, token_id: str) -> str:
        return f"{self._prefix}:rate:{token_id}"

    def try_acquire_any(self, candidates: Sequence[tuple[str, int]]) -> Slot:
        """One atomic attempt over (token_id, requests per window) candidates, best first."""
        if not candidates:
            return Slot(None, float("inf"))
        keys = [self.key(tid) for tid, _ in candidates]
        args: list[str | int] = [int(self.window_s * 1_000_000), f"{self._nonce}{uuid.uuid4().hex[:6]}"]
        args += [limit for _, limit in candidates]
        index, wait_us = self._script(keys=keys, args=args)
        if int(index) > 0:
            return Slot(int(index) - 1, 0.0)
        return Slot(None, max(int(wait_us), 0) / 1_000_000)

    def acquire_any(self, candidates: Sequence[tuple[str, int]], deadline: Deadline) -> int:
        """Block until one candidate has a slot; return its index. Raises `VkDeadlineError`."""
        while True:
            slot = self.try_acquire_any(candidates)
            if slot.index is not None:
                return slot.index
            wait = slot.wait_s + 0.002
            if wait > deadline.remaining():
                raise VkDeadlineError("deadline before a rate-limit slot frees up")
            time.sleep(wait)

    def usage(self, token_id: str) -> int:
        """Requests granted in the current window (for health output)."""
        sec, usec = self._redis.time()
        now_us = int(sec) * 1_000_000 + int(usec)
        return int(self._redis.zcount(self.key(token_id), now_us - self.window_s * 1_000_000, "+inf"))
