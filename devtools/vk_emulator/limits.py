"""VK's limits: a sliding one-second window per token (error 6) and daily per-method quotas (error 29)."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateWindow:
    """At most `limit` admitted requests per token in any 1-second window; refused ones don't count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def admit(self, token: str, limit: int) -> bool:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(token, deque())
            while hits and now - hits[0] >= 1.0:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class DailyQuotas:
    """Per-(token, method) call counters that reset at UTC midnight or on `reset()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[tuple[str, str], tuple[int, int]] = {}

    def take(self, token: str, method: str, limit: int) -> bool:
        today = int(time.time() // 86_400)
        with self._lock:
            day, used = self._used.get((token, method), (today, 0))
            if day != today:
                used = 0
            if used >= limit:
                return False
            self._used[(token, method)] = (today, used + 1)
            return True

    def used(self) -> dict[str, dict[str, int]]:
        with self._lock:
            out: dict[str, dict[str, int]] = {}
            for (token, method), (_, used) in self._used.items():
                out.setdefault(token, {})[method] = used
            return out

    def reset(self) -> None:
        with self._lock:
            self._used.clear()
