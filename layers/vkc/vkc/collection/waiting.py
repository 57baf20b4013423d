"""A harvest whose tokens are all resting waits on the queue, not in a Lambda and not in SQS retries.

When no token of the workspace can take the work (every one cooling down after flood control or a
captcha, or out of its daily quota), the pool says until when. The harvest task then records a `wait`
in the task's parameters (stored in `collection_tasks`, so the job's progress shows it) and sends
itself again with an SQS delay of at most 15 minutes; a delivery that arrives before the wait is over
(longer waits chain) sends itself on again without touching VK or the database. The message is
acknowledged every time: no receive counts towards the dead-letter queue while waiting.

A wait that has lasted `MAX_WAIT_S` is a real failure (the tokens are not coming back): the job fails
with the reason instead.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from vkc.jobs.ports import MAX_DELAY_S

#: a day's quota reset plus a margin; beyond this no token is coming back by itself
MAX_WAIT_S = 36 * 3600
#: a delivery this close to the end of its wait runs (SQS delays are whole seconds)
DUE_SLACK_S = 1.0
#: the shortest wait: a pool whose estimate is already past (clock skew) must not spin the queue
MIN_WAIT_S = 5.0

REASONS = {
    "cooldown": "every VK token of the workspace is cooling down (flood control or captcha)",
    "quota": "every VK token of the workspace has spent today's quota for the calls left",
}


class Wait(BaseModel):
    """Why and until when a task waits for tokens; `since` is when the waiting began (epoch seconds)."""

    until: float
    since: float
    reason: str

    @classmethod
    def begin(cls, until: float, *, since: float, reason: str, now: float) -> Wait:
        return cls(until=max(until, now + MIN_WAIT_S), since=since, reason=reason)

    def due(self, now: float) -> bool:
        return self.until - now <= DUE_SLACK_S

    def delay_s(self, now: float) -> int:
        """The SQS delay for the next hop: the rest of the wait, at most MAX_DELAY_S."""
        return max(0, min(MAX_DELAY_S, math.ceil(self.until - now)))

    def describe(self) -> str:
        return REASONS.get(self.reason, self.reason)


def wait_of(params: dict[str, Any]) -> Wait | None:
    raw = params.get("wait")
    return Wait.model_validate(raw) if raw else None


def delay_for(params: dict[str, Any], now: float) -> int:
    wait = wait_of(params)
    return wait.delay_s(now) if wait is not None else 0


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
