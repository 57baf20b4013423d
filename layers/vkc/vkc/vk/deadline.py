"""A deadline the caller passes down (e.g. from Lambda's remaining time) to bound retries and waits."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Deadline:
    """An absolute point on the monotonic clock; `None` deadlines are spelled `Deadline.never()`."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    @classmethod
    def from_lambda_ms(cls, remaining_ms: int, *, reserve_s: float = 5.0) -> Deadline:
        """Leave `reserve_s` for the handler to persist cursors and report before Lambda stops it."""
        return cls.after(max(0.0, remaining_ms / 1000 - reserve_s))

    @classmethod
    def never(cls) -> Deadline:
        return cls(float("inf"))

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.at
