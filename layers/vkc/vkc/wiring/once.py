"""Build a process's dependencies once — once per configuration, strictly.

In Lambda the configuration never changes inside a process, so this is "once per container". Dev tools
that run several configurations in one interpreter (in-process stacks, tests) clear
`vkc.settings.get_settings`'s cache when they switch, and get dependencies built for the new settings
instead of adapters still pointing at the previous database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from vkc.settings import Settings, get_settings


class PerSettings[T]:
    def __init__(self, build: Callable[[Settings], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._built: tuple[Settings, T] | None = None

    def __call__(self) -> T:
        settings = get_settings()
        built = self._built
        if built is None or built[0] is not settings:
            with self._lock:
                built = self._built
                if built is None or built[0] is not settings:
                    built = self._built = (settings, self._build(settings))
        return built[1]

    def reset(self) -> None:
        """Build again on the next call (a restored SnapStart snapshot rebuilds its adapters)."""
        with self._lock:
            self._built = None
