"""Request counters for tests and benchmarks: per token and method, inner calls, errors, faults."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self._requests: dict[str, Counter[str]] = {}
        self._inner: dict[str, Counter[str]] = {}
        self._errors: Counter[int] = Counter()
        self._inner_errors: Counter[int] = Counter()
        self._faults: Counter[str] = Counter()
        self._total = 0

    def request(self, token: str, method: str) -> None:
        with self._lock:
            self._total += 1
            self._requests.setdefault(token, Counter())[method] += 1

    def inner_call(self, token: str, method: str) -> None:
        with self._lock:
            self._inner.setdefault(token, Counter())[method] += 1

    def error(self, code: int) -> None:
        with self._lock:
            self._errors[code] += 1

    def inner_error(self, code: int) -> None:
        """An error of a call inside execute (it became a `false` slot, not an envelope)."""
        with self._lock:
            self._inner_errors[code] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests_total": self._total,
                "requests": {t: dict(c) for t, c in self._requests.items()},
                "inner_calls": {t: dict(c) for t, c in self._inner.items()},
                "errors": {str(code): n for code, n in sorted(self._errors.items())},
                "inner_errors": {str(code): n for code, n in sorted(self._inner_errors.items())},
                "faults": dict(self._faults),
            }
