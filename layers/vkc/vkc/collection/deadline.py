"""A deadline that also expires when the job is cancelled, so a running harvest stops early."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vkc.vk.deadline import Deadline

_CHECK_EVERY_S = 2.0


@dataclass(frozen=True, slots=True)
class CancellableDeadline(Deadline):
    is_cancelled: Callable[[], bool] = field(default=lambda: False)
    _state: list[float | bool] = field(default_factory=lambda: [0.0, False])  # [last check, cancelled]

    def _cancelled(self) -> bool:
        last, cancelled = self._state
        if cancelled:
            return True
        now = time.monotonic()
        if now - float(last) >= _CHECK_EVERY_S:
            self._state[0] = now
            self._state[1] = bool(self.is_cancelled())
        return bool(self._state[1])

    def remaining(self) -> float:
        return 0.0 if self._cancelled() else max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return self._cancelled() or time.monotonic() >= self.at

    @property
    def was_cancelled(self) -> bool:
        return bool(self._state[1])
