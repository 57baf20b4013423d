"""A circuit breaker per token whose state lives in Redis, so every Lambda (and the health endpoint) sees it.

States: `closed` (in use) → `open` (cooling down until `open_until`) → `half_open` (one probe call is let
through; success closes, failure reopens with a doubled cooldown) and `retired` (VK said the token is
invalid or of the wrong type: 5, 17, 27, 28; out of rotation until an operator replaces it or the
record expires). A token opens at once on flood control or captcha (9, 14) and after
`failure_threshold` consecutive transient failures (5xx, timeouts, 1/10/36). Transitions are Lua scripts,
so two workers can never both take the half-open probe. Times are Redis' (`TIME`), in epoch ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import redis

_TTL_MS = 7 * 24 * 3600 * 1000

_PEEK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i, key in ipairs(KEYS) do
  local h = redis.call('HMGET', key, 'state', 'open_until', 'probe_until')
  local state = h[1]
  if (not state) or state == 'closed' then out[i] = 1
  elseif state == 'retired' then out[i] = 0
  elseif state == 'open' then
    if now >= tonumber(h[2] or 0) then out[i] = 2 else out[i] = 0 end
  else
    if now >= tonumber(h[3] or 0) then out[i] = 2 else out[i] = 0 end
  end
end
return out
"""

_CLAIM_PROBE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'state', 'open_until', 'probe_until')
local state = h[1]
if (not state) or state == 'closed' then return 1 end
if state == 'retired' then return 0 end
if state == 'open' and now < tonumber(h[2] or 0) then return 0 end
if state == 'half_open' and now < tonumber(h[3] or 0) then return 0 end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe_until', now + tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 2
"""

_SUCCESS = """
local h = redis.call('HMGET', KEYS[1], 'state', 'failures')
if h[1] == 'retired' then return 0 end
if h[1] == 'half_open' or h[1] == 'open' or (h[2] and tonumber(h[2]) > 0) then
  redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', 0, 'cooldown_ms', 0, 'open_until', 0)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
  return 1
end
return 0
"""

_FAILURE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local h = redis.call('HMGET', KEYS[1], 'state', 'cooldown_ms')
local state = h[1] or 'closed'
if state == 'retired' then return 'retired' end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local base = tonumber(ARGV[1])
local immediate = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])
local max_cd = tonumber(ARGV[4])
local cooldown = -1
if state == 'half_open' then
  cooldown = math.min(math.max(tonumber(h[2] or 0) * 2, base), max_cd)
elseif immediate == 1 or failures >= threshold then
  cooldown = base
end
if cooldown >= 0 then
  redis.call('HSET', KEYS[1], 'state', 'open', 'open_until', now + cooldown, 'cooldown_ms', cooldown,
    'reason', ARGV[5], 'opened_at', now)
  state = 'open'
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[6]))
return state
"""


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"
    RETIRED = "retired"


class Gate(StrEnum):
    """What `peek` says about a token right now."""

    DENY = "deny"
    ALLOW = "allow"
    PROBE = "probe"  # open or half-open with the cooldown over: one caller may claim a probe


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    state: BreakerState
    failures: int
    open_until: datetime | None
    reason: str | None


def _s(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class CircuitBreaker:
    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str,
        cooldown_s: float = 30.0,
        max_cooldown_s: float = 1800.0,
        failure_threshold: int = 5,
        probe_timeout_s: float = 30.0,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self.cooldown_s = cooldown_s
        self.max_cooldown_s = max_cooldown_s
        self.failure_threshold = failure_threshold
        self.probe_timeout_s = probe_timeout_s
        self._peek = client.register_script(_PEEK)
        self._claim = client.register_script(_CLAIM_PROBE)
        self._success = client.register_script(_SUCCESS)
        self._failure = client.register_script(_FAILURE)

    def key(self, token_id: str) -> str:
        return f"{self._prefix}:breaker:{token_id}"

    def peek(self, token_ids: Sequence[str]) -> list[Gate]:
        if not token_ids:
            return []
        codes = self._peek(keys=[self.key(t) for t in token_ids])
        return [(Gate.DENY, Gate.ALLOW, Gate.PROBE)[int(c)] for c in codes]

    def claim_probe(self, token_id: str) -> bool:
        """Become the one half-open probe (True) or learn someone else is probing (False)."""
        return int(self._claim(keys=[self.key(token_id)], args=[int(self.probe_timeout_s * 1000), _TTL_MS])) > 0

    def record_success(self, token_id: str) -> None:
        self._success(keys=[self.key(token_id)], args=[_TTL_MS])

    def record_failure(
        self, token_id: str, reason: str, *, immediate: bool = False, cooldown_s: float | None = None
    ) -> BreakerState:
        """Count a failure; open the breaker if it is immediate, repeated, or a failed probe."""
        state = self._failure(
            keys=[self.key(token_id)],
            args=[
                int((cooldown_s or self.cooldown_s) * 1000),
                1 if immediate else 0,
                self.failure_threshold,
                int(self.max_cooldown_s * 1000),
                reason[:100],
                _TTL_MS,
            ],
        )
        return BreakerState(_s(state) or BreakerState.CLOSED.value)

    def retire(self, token_id: str, reason: str) -> None:
        key = self.key(token_id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(key, mapping={"state": BreakerState.RETIRED.value, "reason": reason[:100]})
        pipe.pexpire(key, _TTL_MS)
        pipe.execute()

    def reset(self, token_id: str) -> None:
        """Operator action: forget everything about the token (e.g. after replacing it)."""
        self._redis.delete(self.key(token_id))

    def reopens_at(self, token_ids: Sequence[str]) -> float | None:
        """The earliest moment (epoch seconds) one of these tokens may let a call through again; None when
        every one is retired (waiting cannot help) or there are none. A half-open token is being probed
        right now: it counts as available at once (the probe's answer decides within a request's time)."""
        pipe = self._redis.pipeline(transaction=False)
        for tid in token_ids:
            pipe.hmget(self.key(tid), ["state", "open_until"])
        times: list[float] = []
        for state, open_until in pipe.execute():
            name = _s(state) or BreakerState.CLOSED.value
            if name == BreakerState.RETIRED.value:
                continue
            times.append(float(_s(open_until) or 0) / 1000 if name == BreakerState.OPEN.value else 0.0)
        return min(times) if times else None

    def snapshot(self, token_id: str) -> BreakerSnapshot:
        raw = {_s(k): _s(v) for k, v in self._redis.hgetall(self.key(token_id)).items()}
        state = BreakerState(raw.get("state") or BreakerState.CLOSED.value)
        open_until_ms = int(float(raw.get("open_until") or 0))
        open_until = (
            datetime.fromtimestamp(open_until_ms / 1000, UTC)
            if state in (BreakerState.OPEN, BreakerState.HALF_OPEN) and open_until_ms
            else None
        )
        return BreakerSnapshot(state, int(raw.get("failures") or 0), open_until, raw.get("reason"))
