"""What a root handler may return besides a result."""

from __future__ import annotations

from typing import Final


class Deferred:
    """The job fanned out sub-tasks; the last of them finishes it."""

    def __repr__(self) -> str:
        return "DEFERRED"


DEFERRED: Final = Deferred()
