"""Domain events: a feature announces what happened; the composition place decides who hears it.

A feature defines its event as a small dataclass and publishes it on the bus it was handed; it never
imports its listeners. Each process's composition place (`vkc.wiring`) builds the bus with the
subscriptions that process needs, so nothing depends on a module having been imported for its side
effects. Subscribers run synchronously, in the publisher's transaction when the event carries one: an
exception in a subscriber propagates to the publisher (and rolls its work back).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Subscriber = Callable[[Any], None]


class EventBus:
    """Event type → the subscribers that hear it, in order."""

    def __init__(self, subscriptions: Mapping[type[object], Sequence[Subscriber]] | None = None) -> None:
        self._subscriptions = {kind: tuple(subs) for kind, subs in (subscriptions or {}).items()}

    def publish(self, event: object) -> None:
        for subscriber in self._subscriptions.get(type(event), ()):
            subscriber(event)

    def subscribers(self, kind: type[object]) -> tuple[Subscriber, ...]:
        return self._subscriptions.get(kind, ())


NO_EVENTS = EventBus()
