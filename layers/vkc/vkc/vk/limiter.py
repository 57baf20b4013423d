"""One request-rate limit per token, shared by every worker through Redis.

Algorithm: a sliding-window log (a sorted set of grant times per token), checked and updated by one
Lua script so concurrent Lambdas cannot both take the last slot. Why not GCRA or a token bucket: VK
counts requests in a sliding one-second window (3 for user/service tokens, 20 for community ones), and a
bucket that lets 3 go at once and then refills one every 333 ms would put 4 requests inside one second.
The log reproduces VK's own rule, with a safety margin added to the window for the jitter between our
grant and VK's arrival stamp (what matters is how much later request n arrives than it was granted,
compared with request n+3: the difference of two delays, not the latency itself). Time comes from Redis
(`TIME`), so the workers' clocks never have to agree.

The margin adapts, per token and shared by every worker through Redis: it starts at `MARGIN_START_S`,
narrows by `CREEP_S` with each grant down to `MARGIN_FLOOR_S`, and when VK answers 6 anyway
(`back_off`, called by the pool) it doubles plus `BACK_OFF_STEP_S`, up to `MARGIN_MAX_S`, at most
once per window. So a quiet
network runs near VK's ceiling and a jittery one pays with a wider window, not with repeated errors 6.
A fixed 0.1 s margin held 0.90 of the ceiling.

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

#: The margin a token starts with, the least it creeps down to, the most error 6 pushes it to.
MARGIN_START_S = 0.03
MARGIN_FLOOR_S = 0.02
MARGIN_MAX_S = 0.3
#: how much each grant narrows the margin, and what an error 6 adds on top of doubling it
CREEP_S = 0.0005
BACK_OFF_STEP_S = 0.02

# KEYS: (log, margin) per candidate. ARGV: window µs, nonce, start margin µs, floor µs, creep µs, limits...
# A grant shrinks that token's margin by `creep` (down to `floor`): the rate creeps up while VK agrees.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local base = tonumber(ARGV[1])
local nonce = ARGV[2]
local start, floor, creep = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local best = -1
for i = 1, #KEYS / 2 do
  local key, mkey = KEYS[2 * i - 1], KEYS[2 * i]
  local limit = tonumber(ARGV[i + 5])
  local margin = tonumber(redis.call('GET', mkey) or start)
  local window = base + margin
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then
    local member = nonce .. ':' .. now
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, math.floor(window / 1000) + 1000)
    if margin > floor then
      redis.call('SET', mkey, math.max(floor, margin - creep), 'EX', 86400)
    end
    return {i, 0, member}
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if best < 0 or wait < best then best = wait end
end
return {0, best}
"""

# KEYS[1] the log, ARGV[1] a granted member: move its stamp to now (the moment the request really leaves).
_RESTAMP = """
local t = redis.call('TIME')
return redis.call('ZADD', KEYS[1], 'XX', 'CH', tonumber(t[1]) * 1000000 + tonumber(t[2]), ARGV[1])
"""

# KEYS[1] margin, KEYS[2] when it was last widened. ARGV: start µs, max µs, step µs, base window µs.
# VK said 6: double the margin and add a step, once per window: requests already granted when the first
# 6 came back were paced by the old margin, and one stall that bunched them can fail several of them.
_BACK_OFF = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local margin = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local last = tonumber(redis.call('GET', KEYS[2]) or 0)
if now - last < tonumber(ARGV[4]) + margin then return margin end
margin = math.min(tonumber(ARGV[2]), margin * 2 + tonumber(ARGV[3]))
redis.call('SET', KEYS[1], margin, 'EX', 86400)
redis.call('SET', KEYS[2], now, 'EX', 86400)
return margin
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True, slots=True)
class Slot:
    """Which candidate got a slot (index into the list passed in), or how long to wait for one.
    `member` names the grant in the token's log (for `restamp`)."""

    index: int | None
    wait_s: float
    member: str | None = None


class RateLimiter:
    """Per-token sliding-window limiter. Thread-safe: it holds no state besides the Redis client."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str,
        window_s: float = 1.0,
        margin_s: float = MARGIN_START_S,
        margin_floor_s: float | None = None,
        margin_max_s: float = MARGIN_MAX_S,
        creep_s: float = CREEP_S,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self.base_s = window_s
        self.margin_s = margin_s
        self.margin_floor_s = min(margin_s, MARGIN_FLOOR_S if margin_floor_s is None else margin_floor_s)
        self.margin_max_s = max(margin_max_s, margin_s)
        self.creep_s = creep_s
        self.window_s = window_s + margin_s  # the starting window (a retry after error 6 waits at least this)
        self._script = client.register_script(_ACQUIRE)
        self._back_off = client.register_script(_BACK_OFF)
        self._restamp = client.register_script(_RESTAMP)
        self._nonce = uuid.uuid4().hex[:8]

    def key(self, token_id: str) -> str:
        return f"{self._prefix}:rate:{token_id}"

    def restamp(self, token_id: str, member: str) -> None:
        """Stamp a grant with the moment its request is sent. Time between the grant and the send (a
        thread waiting for the GIL while another parses a page, a descheduled process) would otherwise
        shift VK's arrival stamp against ours; stamped late, the next grants wait for the real send."""
        self._restamp(keys=[self.key(token_id)], args=[member])

    def margin_key(self, token_id: str) -> str:
        return f"{self._prefix}:margin:{token_id}"

    def margin(self, token_id: str) -> float:
        """The token's current safety margin in seconds (shared by every worker)."""
        raw = self._redis.get(self.margin_key(token_id))
        return float(raw) / 1_000_000 if raw is not None else self.margin_s

    def back_off(self, token_id: str) -> float:
        """VK answered 6 for this token: widen its window for every worker (once per window: later 6s
        answer requests granted under the old margin); returns the margin now in force."""
        mkey = self.margin_key(token_id)
        us = self._back_off(
            keys=[mkey, f"{mkey}:widened"],
            args=[
                int(self.margin_s * 1e6),
                int(self.margin_max_s * 1e6),
                int(BACK_OFF_STEP_S * 1e6),
                int(self.base_s * 1e6),
            ],
        )
        return float(us) / 1_000_000

    def try_acquire_any(self, candidates: Sequence[tuple[str, int]]) -> Slot:
        """One atomic attempt over (token_id, requests per window) candidates, best first."""
        if not candidates:
            return Slot(None, float("inf"))
        keys = [k for tid, _ in candidates for k in (self.key(tid), self.margin_key(tid))]
        args: list[str | int] = [int(self.base_s * 1_000_000), f"{self._nonce}{uuid.uuid4().hex[:6]}"]
        args += [int(self.margin_s * 1e6), int(self.margin_floor_s * 1e6), int(self.creep_s * 1e6)]
        args += [limit for _, limit in candidates]
        index, wait_us, *member = self._script(keys=keys, args=args)
        if int(index) > 0:
            return Slot(int(index) - 1, 0.0, _text(member[0]))
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
        window_us = (self.base_s + self.margin(token_id)) * 1_000_000
        return int(self._redis.zcount(self.key(token_id), now_us - window_us, "+inf"))
