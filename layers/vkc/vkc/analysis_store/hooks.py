"""The `NewMatchesStored` event: how other features (webhook alerts) learn what the analyze step stored.

The analysis store publishes it on the bus it was handed (`vkc.events.EventBus`; the worker's
composition place subscribes the alerts) inside the transaction that stores the matches, after the rows
are written and before the commit: a subscriber that writes (e.g. queues deliveries in an outbox table)
commits or rolls back together with the matches, and an exception in a subscriber rolls the whole batch
back so the task is retried. ``matches`` holds only matches that did not exist before this run (keyed by
comment, keyword and start offset), so re-analysing the same comments with the same rules publishes
nothing; it is never empty.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from vkc.events import EventBus

#: `session.info[STORING_JOB_KEY] = (job_id, correlation_id)`: the job whose task stores the matches
#: (set by the analyze and re-analysis tasks; hooks such as alerts attach their work to it).
STORING_JOB_KEY = "vkc.alerts.job"


@dataclass(frozen=True, slots=True)
class StoredMatch:
    """A keyword_matches row as written (``id`` is its primary key)."""

    id: int
    comment_id: int
    keyword_id: uuid.UUID
    matched_text: str
    start: int
    end: int
    lemmas: tuple[str, ...]
    fuzzy: bool
    snippet: str
    highlight_start: int
    highlight_end: int
    source: str  # "collection": the comment was new or changed; "reanalysis": rules changed


@dataclass(frozen=True, slots=True)
class NewMatchesStored:
    """Matches stored for the first time, in `session`'s open transaction."""

    session: Session
    workspace_id: uuid.UUID
    matches: list[StoredMatch]


def notify_new_matches(session: Session, workspace_id: uuid.UUID, matches: list[StoredMatch], events: EventBus) -> None:
    if matches:
        events.publish(NewMatchesStored(session, workspace_id, matches))
