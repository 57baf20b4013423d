"""Per-(token, method) daily call counters in Redis, so VK's quantitative limits (error 29) are not hit blindly.

VK's published daily quota is wall.get 5000 per token (vk-api.md §4); calls inside `execute` count
toward it, so every inner call is counted under its own method. Counters live in one hash per token and
UTC day, expiring at the day's end. When VK answers 29 anyway (undisclosed quotas), the method is marked
exhausted on that token until the day ends, and the pool sends that method elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import redis

#: Known daily limits; `safety` keeps a margin below them. Other methods are counted, not capped.
DEFAULT_DAILY_LIMITS: dict[str, int] = {"wall.get": 5000, "wall.search": 1000, "newsfeed.search": 1000}
#: the share of a daily limit the pool spends before it treats a method as exhausted on a token
SAFETY = 0.98
_EXHAUSTED = "!exhausted:"


def _day(now: datetime) -> tuple[str, int]:
    day = now.strftime("%Y%m%d")
    end = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    return day, int(end.timestamp()) + 3600  # an hour of slack for clock skew


def _s(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class QuotaBook:
    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str,
        daily_limits: Mapping[str, int] | None = None,
        safety: float = SAFETY,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self.daily_limits = dict(DEFAULT_DAILY_LIMITS if daily_limits is None else daily_limits)
        self.safety = safety

    @staticmethod
    def resets_at(now: datetime | None = None) -> float:
        """When today's counters and exhausted marks stop applying (the next UTC midnight), epoch seconds."""
        now = now or datetime.now(UTC)
        return (datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)).timestamp()

    def key(self, token_id: str, now: datetime | None = None) -> str:
        day, _ = _day(now or datetime.now(UTC))
        return f"{self._prefix}:quota:{token_id}:{day}"

    def usage(self, token_id: str) -> dict[str, int]:
        """Today's calls per method (exhausted markers excluded)."""
        raw = self._redis.hgetall(self.key(token_id))
        return {_s(k): int(v) for k, v in raw.items() if not _s(k).startswith(_EXHAUSTED)}

    def exhausted_methods(self, token_id: str) -> set[str]:
        raw = self._redis.hgetall(self.key(token_id))
        return {_s(k)[len(_EXHAUSTED) :] for k in raw if _s(k).startswith(_EXHAUSTED)}

    def allows_many(self, token_ids: list[str], calls: Mapping[str, int]) -> list[bool]:
        """For each token: may it make these calls (method → count) today? One round trip."""
        methods = list(calls)
        fields = methods + [_EXHAUSTED + m for m in methods]
        pipe = self._redis.pipeline(transaction=False)
        for tid in token_ids:
            pipe.hmget(self.key(tid), fields)
        verdicts = []
        for values in pipe.execute():
            used = [int(v) if v is not None else 0 for v in values[: len(methods)]]
            flags = values[len(methods) :]
            ok = not any(flag is not None for flag in flags)
            for method, count in zip(methods, used, strict=True):
                limit = self.daily_limits.get(method)
                if limit is not None and count + calls[method] > limit * self.safety:
                    ok = False
            verdicts.append(ok)
        return verdicts

    def record(self, token_id: str, calls: Mapping[str, int]) -> None:
        day_key = self.key(token_id)
        _, expire_at = _day(datetime.now(UTC))
        pipe = self._redis.pipeline(transaction=False)
        for method, count in calls.items():
            pipe.hincrby(day_key, method, count)
        pipe.expireat(day_key, expire_at)
        pipe.execute()

    def mark_exhausted(self, token_id: str, method: str) -> None:
        """VK said 29 for this method: stop using it on this token until the day ends."""
        day_key = self.key(token_id)
        _, expire_at = _day(datetime.now(UTC))
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(day_key, _EXHAUSTED + method, 1)
        pipe.expireat(day_key, expire_at)
        pipe.execute()
