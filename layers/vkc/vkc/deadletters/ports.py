"""What listing and redriving dead letters needs from the broker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from vkc.settings import Priority, WorkerKind


@dataclass(frozen=True, slots=True)
class DeadMessage:
    """A message held in a DLQ: its body, attributes, and a handle valid while we hold it."""

    worker: WorkerKind
    priority: Priority
    message_id: str
    handle: str
    body: str
    receive_count: int
    first_received_at: datetime | None
    attributes: dict[str, str] = field(default_factory=dict)


class DeadLetterQueues(Protocol):
    def hold_all(self) -> list[DeadMessage]:
        """Take every dead message out of sight (briefly) so it can be listed or moved."""
        ...

    def release(self, messages: list[DeadMessage]) -> None:
        """Make held messages visible again, untouched."""
        ...

    def move_back(self, message: DeadMessage) -> None:
        """Send the message to the queue it died on, then delete it from the DLQ."""
        ...
