"""The new-matches hook: how other modules (webhook alerts) learn what the analyze step just stored.

Each callable in ``ON_NEW_MATCHES`` is called as ``hook(session, workspace_id, matches)`` inside the
transaction that stores them, after the rows are written and before the commit: a hook that writes
(e.g. queues deliveries in an outbox table) commits or rolls back together with the matches, and an
exception in a hook rolls the whole batch back so the task is retried. ``matches`` holds only matches
that did not exist before this run (keyed by comment, keyword and start offset), so re-analysing the
same comments with the same rules calls no hook; it is never empty.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

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


NewMatchesHook = Callable[[Session, uuid.UUID, list[StoredMatch]], None]

#: Register with ``ON_NEW_MATCHES.append(hook)`` at import time of the subscribing module.
ON_NEW_MATCHES: list[NewMatchesHook] = []


def notify_new_matches(session: Session, workspace_id: uuid.UUID, matches: list[StoredMatch]) -> None:
    if not matches:
        return
    for hook in list(ON_NEW_MATCHES):
        hook(session, workspace_id, matches)
