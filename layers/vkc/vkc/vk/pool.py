"""The token pool: which token makes the next call, and what a failure does to that token.

A lease is granted to a token that (1) is of a type allowed to make the call (`tokens.may_call`; an
execute only with user tokens), (2) whose breaker lets it through (`breaker`), (3) whose daily quota
for every method inside the call has room (`quota`; when none has, `VkQuotaError` says when the quota
day ends), (4) has fewer than `max_in_flight` calls running
in this process, and (5) has a free slot in the shared per-token rate window (`limiter`). Among the
eligible tokens the limiter picks the first with a free slot, starting from a rotating offset so the
load spreads. When every such token is cooling down for longer than `max_cooldown_wait_s` (or than the
caller's deadline), `VkTokensCoolingError` says until when, so a harvest can come back then instead of
sleeping through its invocation. All shared state is in Redis under one prefix; `status()` reports it without secrets.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import redis

from vkc.vk.breaker import BreakerState, CircuitBreaker, Gate
from vkc.vk.deadline import Deadline
from vkc.vk.errors import (
    QUOTA_CODE,
    RATE_LIMIT_CODE,
    TOKEN_COOLDOWN_CODES,
    Action,
    VkApiError,
    VkDeadlineError,
    VkError,
    VkNoTokenError,
    VkQuotaError,
    VkTokensCoolingError,
    action_for,
)
from vkc.vk.limiter import RateLimiter
from vkc.vk.quota import QuotaBook
from vkc.vk.tokens import RATE_PER_SECOND, TokenType, VkToken, may_call

log = logging.getLogger(__name__)

_TYPE_TTL_S = 30 * 24 * 3600
_TYPE_RANK = {TokenType.COMMUNITY: 0, TokenType.SERVICE: 1, TokenType.USER: 2}
#: How long a token rests after flood control (9) or a captcha (14).
COOLDOWN_S: dict[int, float] = {9: 60.0, 14: 120.0}


@dataclass(frozen=True, slots=True)
class Lease:
    token: VkToken
    method: str
    calls: Mapping[str, int]
    probe: bool
    slot: str | None = None  # the grant in the token's rate log


@dataclass(frozen=True, slots=True)
class TokenStatus:
    """One token's health, as the health endpoint shows it. Carries the id, never the secret."""

    token_id: str
    type: str | None
    breaker: str
    failures: int
    cooldown_until: datetime | None
    reason: str | None
    usage_today: dict[str, int] = field(default_factory=dict)
    exhausted_methods: list[str] = field(default_factory=list)


def _s(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class TokenPool:
    def __init__(
        self,
        tokens: Sequence[VkToken],
        client: redis.Redis,
        *,
        prefix: str = "vkc:vk",
        limiter: RateLimiter | None = None,
        breaker: CircuitBreaker | None = None,
        quota: QuotaBook | None = None,
        max_in_flight: int = 3,
        cooldowns: Mapping[int, float] | None = None,
        max_cooldown_wait_s: float = 15.0,
    ) -> None:
        if len({t.id for t in tokens}) != len(tokens):
            raise ValueError("duplicate tokens in the pool")
        self.tokens = list(tokens)
        self.redis = client
        self.prefix = prefix
        self.limiter = limiter or RateLimiter(client, prefix=prefix)
        self.breaker = breaker or CircuitBreaker(client, prefix=prefix)
        self.quota = quota or QuotaBook(client, prefix=prefix)
        self.max_in_flight = max_in_flight
        self.cooldowns = dict(COOLDOWN_S if cooldowns is None else cooldowns)
        # when every token is cooling down for longer than this, `acquire` says until when instead of sleeping
        self.max_cooldown_wait_s = max_cooldown_wait_s
        self._in_flight = dict.fromkeys((t.id for t in tokens), 0)
        self._cond = threading.Condition()
        self._rotation = itertools.count()
        self._load_cached_types()

    # --- types ---------------------------------------------------------------------------------
    def type_key(self, token_id: str) -> str:
        return f"{self.prefix}:tokentype:{token_id}"

    def _load_cached_types(self) -> None:
        unknown = [t for t in self.tokens if t.type is None]
        if not unknown:
            return
        cached = self.redis.mget([self.type_key(t.id) for t in unknown])
        for token, value in zip(unknown, cached, strict=True):
            text = _s(value)
            if text is not None:
                token.type = TokenType(text)

    def record_type(self, token: VkToken, token_type: TokenType) -> None:
        token.type = token_type
        self.redis.set(self.type_key(token.id), token_type.value, ex=_TYPE_TTL_S)

    def forget_type(self, token: VkToken) -> None:
        self.redis.delete(self.type_key(token.id))

    @property
    def untyped(self) -> list[VkToken]:
        return [t for t in self.tokens if t.type is None]

    def usable(self, method: str) -> list[VkToken]:
        """Tokens of a type allowed to call `method` that are not retired."""
        return [
            t
            for t in self.tokens
            if t.type is not None
            and may_call(t.type, method)
            and self.breaker.snapshot(t.id).state is not BreakerState.RETIRED
        ]

    # --- leases --------------------------------------------------------------------------------
    def acquire(
        self,
        method: str,
        calls: Mapping[str, int],
        deadline: Deadline,
        *,
        only: VkToken | None = None,
    ) -> Lease:
        """Block until an eligible token has a slot. Raises `VkNoTokenError` or `VkDeadlineError`."""
        while True:
            if deadline.expired:
                raise VkDeadlineError(f"deadline reached before {method} could be sent", method=method)
            if only is not None:
                typed = [only]
            else:
                typed = [t for t in self.tokens if t.type is not None and may_call(t.type, method)]
                typed = [t for t in typed if all(may_call(t.type, m) for m in calls if t.type)]
            if not typed:
                raise VkNoTokenError(f"no token of a type allowed to call {method}", method=method)
            quota_ok = self.quota.allows_many([t.id for t in typed], calls)
            typed = [t for t, ok in zip(typed, quota_ok, strict=True) if ok]
            if not typed:  # quotas free up tomorrow: waiting cannot help
                raise VkQuotaError(
                    f"daily quota spent on every token for {dict(calls)}", method=method, until=self.quota.resets_at()
                )
            gates = self.breaker.peek([t.id for t in typed])
            open_: list[tuple[VkToken, Gate]] = [
                (t, g) for t, g in zip(typed, gates, strict=True) if g is not Gate.DENY
            ]
            if not open_:
                reopens = self.breaker.reopens_at([t.id for t in typed])
                if reopens is None and only is None:
                    raise VkNoTokenError(f"every token for {method} is retired", method=method)
                wait = max(0.0, (reopens or 0.0) - time.time())
                if (
                    reopens is not None
                    and (wait > self.max_cooldown_wait_s or wait > deadline.remaining())
                    and self._resting(typed)
                ):
                    # every token rests longer than is worth sleeping through here: the caller comes back then
                    raise VkTokensCoolingError(
                        f"every token for {method} is cooling down for {wait:.0f} s", method=method, until=reopens
                    )
                why = f"no token for {method} is available before the deadline"
                self._rest(deadline, min(max(wait, 0.05), 0.5), why)
                continue
            with self._cond:
                ready = [(t, g) for t, g in open_ if self._in_flight[t.id] < self.max_in_flight]
            if not ready:
                with self._cond:
                    if deadline.remaining() <= 0:
                        raise VkDeadlineError("deadline while waiting for an in-flight slot", method=method)
                    self._cond.wait(timeout=min(deadline.remaining(), 0.5))
                continue
            ready = self._order(ready)
            candidates = [(t.id, self._limit(t)) for t, _ in ready]
            slot = self.limiter.try_acquire_any(candidates)
            if slot.index is None:
                self._rest(deadline, min(slot.wait_s + 0.002, 0.5), "deadline before a rate-limit slot frees up")
                continue
            token, gate = ready[slot.index]
            probe = gate is Gate.PROBE
            if probe and not self.breaker.claim_probe(token.id):
                continue  # another worker is probing this token; its slot is spent, try again
            with self._cond:
                self._in_flight[token.id] += 1
            # as little as possible between the grant and the send; `sending` restamps the grant when the
            # request leaves, so a thread that waited for the GIL here delays the next grants, not VK's count
            return Lease(token, method, calls, probe, slot.member)

    def sending(self, lease: Lease) -> None:
        """Right before the request leaves: stamp its rate-limit grant with the real send time."""
        if lease.slot is not None:
            try:
                self.limiter.restamp(lease.token.id, lease.slot)
            except redis.RedisError as exc:  # the grant's own stamp stays: the usual margin covers it
                log.warning("could not restamp a rate-limit grant: %s", type(exc).__name__)

    def _order(self, ready: list[tuple[VkToken, Gate]]) -> list[tuple[VkToken, Gate]]:
        """Closed breakers before probes; the scarcest capability last (user tokens are the only ones
        that can execute, so a call any token may make goes to community, then service tokens first);
        within a type, a rotating start spreads the load."""
        shift = next(self._rotation)
        n = len(ready)
        ranked = [
            ((g is Gate.PROBE), _TYPE_RANK[t.type or TokenType.USER], (i - shift) % n, i)
            for i, (t, g) in enumerate(ready)
        ]
        return [ready[r[-1]] for r in sorted(ranked)]

    def _limit(self, token: VkToken) -> int:
        return RATE_PER_SECOND[token.type or TokenType.USER]

    @staticmethod
    def _rest(deadline: Deadline, seconds: float, why: str) -> None:
        if deadline.remaining() < seconds:
            raise VkDeadlineError(why)
        time.sleep(seconds)

    def release(self, lease: Lease, error: BaseException | None = None) -> None:
        """Return the lease and apply the policy's consequences for the token (not for the call)."""
        with self._cond:
            self._in_flight[lease.token.id] -= 1
            self._cond.notify_all()
        token = lease.token
        self.quota.record(token.id, lease.calls)  # the request was sent: it counts, whatever came back
        if error is None:
            self.breaker.record_success(token.id)
            return
        action = action_for(error)
        code = error.code if isinstance(error, VkApiError) else None
        if action is Action.RETRY:
            if code != RATE_LIMIT_CODE:
                self.breaker.record_failure(token.id, self._reason(error))
            else:
                margin = self.limiter.back_off(token.id)
                log.warning("VK answered 6 (too many requests) for token %s: margin now %.3f s", token.id, margin)
        elif action is Action.ROTATE and code == QUOTA_CODE:
            self.quota.mark_exhausted(token.id, getattr(error, "method", None) or lease.method)
        elif action is Action.ROTATE and code in TOKEN_COOLDOWN_CODES:
            self.breaker.record_failure(token.id, self._reason(error), immediate=True, cooldown_s=self.cooldowns[code])
        elif action is Action.RETIRE:
            log.error("retiring VK token %s: %s", token.id, self._reason(error))
            self.breaker.retire(token.id, self._reason(error))
            self.forget_type(token)
        elif isinstance(error, VkError):
            self.breaker.record_success(token.id)  # VK answered sensibly: the token is healthy

    def _resting(self, tokens: Sequence[VkToken]) -> bool:
        """Every breaker is open because VK told its token to rest (flood control, captcha), not because
        calls failed (VK down, network): only a rest is worth waiting out on the queue; failures take
        the ordinary retries and dead-letter if they last."""
        resting = {f"vk:{code}" for code in TOKEN_COOLDOWN_CODES}  # as `_reason` writes them
        reasons = [self.breaker.snapshot(t.id) for t in tokens]
        return all(r.state is not BreakerState.OPEN or r.reason in resting for r in reasons)

    @staticmethod
    def _reason(error: BaseException) -> str:
        if isinstance(error, VkApiError):
            return f"vk:{error.code}"
        return type(error).__name__

    # --- health --------------------------------------------------------------------------------
    def status(self) -> list[TokenStatus]:
        return pool_status(self.redis, [t.id for t in self.tokens], prefix=self.prefix, quota=self.quota)


def pool_status(
    client: redis.Redis,
    token_ids: Sequence[str],
    *,
    prefix: str = "vkc:vk",
    quota: QuotaBook | None = None,
    breaker: CircuitBreaker | None = None,
) -> list[TokenStatus]:
    """The pool's state from Redis alone (a health endpoint needs only the token ids)."""
    quota = quota or QuotaBook(client, prefix=prefix)
    breaker = breaker or CircuitBreaker(client, prefix=prefix)
    out = []
    for tid in token_ids:
        snap = breaker.snapshot(tid)
        token_type = _s(client.get(f"{prefix}:tokentype:{tid}"))
        out.append(
            TokenStatus(
                token_id=tid,
                type=token_type,
                breaker=snap.state.value,
                failures=snap.failures,
                cooldown_until=snap.open_until,
                reason=snap.reason,
                usage_today=quota.usage(tid),
                exhausted_methods=sorted(quota.exhausted_methods(tid)),
            )
        )
    return out
