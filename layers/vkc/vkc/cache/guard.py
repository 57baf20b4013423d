"""Per-process memory of Redis being unreachable, so a dead Redis costs one timeout, not one per call.

After a Redis error the guard answers "down" for a short back-off; callers then skip Redis (serve
from the database, allow the request) instead of waiting for another connect timeout. The state is
kept per Redis URL, so pointing a process at another server starts fresh.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

BACKOFF_S = 5.0


class RedisGuard:
    def __init__(self, name: str, backoff_s: float = BACKOFF_S) -> None:
        self.name = name
        self.backoff_s = backoff_s
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self, what: str, exc: BaseException) -> None:
        """Record a failure: log once per back-off period, then stay quiet until it ends."""
        with self._lock:
            now = time.monotonic()
            first = now >= self._down_until
            self._down_until = now + self.backoff_s
        if first:
            log.warning(
                "redis unavailable for %s; degrading for %.0f s: %s",
                what,
                self.backoff_s,
                type(exc).__name__,
                extra={"redis_guard": self.name},
            )


_GUARDS: dict[str, RedisGuard] = {}
_GUARDS_LOCK = threading.Lock()


def guard_for(url: str) -> RedisGuard:
    """The one guard of this Redis URL in this process (credentials never leave the key)."""
    with _GUARDS_LOCK:
        guard = _GUARDS.get(url)
        if guard is None:
            guard = _GUARDS[url] = RedisGuard(url.split("@")[-1])
        return guard
