"""Turn newly stored keyword matches into webhook events and queue their delivery.

Called by the analysis store inside the transaction that stores the matches, so events exist exactly
when their matches do. The queue messages are sent only after that transaction commits (a worker must
never look for an event that is not visible yet, and a rolled-back analysis must alert nobody). One event
per subscription per batch, split so a body stays under `MAX_EVENT_BYTES` and `MAX_MATCHES_PER_EVENT`.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from vkc.analysis_store.hooks import STORING_JOB_KEY, NewMatchesStored
from vkc.comments.links import comment_url
from vkc.db.models import Job
from vkc.db.models_analysis import Keyword
from vkc.db.models_collection import Comment, Community
from vkc.db.models_webhooks import Webhook, WebhookEvent
from vkc.jobs.ports import TaskQueue
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, WorkerKind
from vkc.webhooks.events import new_event
from vkc.webhooks.schemas import EventType, MatchedComment, MatchedKeyword, MatchItem

log = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.deliver"
#: alerts are about timeliness: they ride the analyze worker's high queue
DELIVERY_WORKER = WorkerKind.ANALYZE
DELIVERY_PRIORITY = Priority.HIGH
MAX_MATCHES_PER_EVENT = 100
MAX_EVENT_BYTES = 256 * 1024
_OUTBOX_KEY = "vkc.webhooks.outbox"
#: `session.info[ALERT_JOB_KEY] = (job_id, correlation_id)`: the job whose task is storing matches
ALERT_JOB_KEY = STORING_JOB_KEY


class NewMatch(Protocol):
    """What the analysis store hands over per stored match (a `KeywordMatch` row qualifies)."""

    @property
    def comment_id(self) -> int: ...
    @property
    def keyword_id(self) -> uuid.UUID: ...
    @property
    def matched_text(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def snippet(self) -> str: ...


def enqueue_alerts(
    session: Session,
    queue: TaskQueue,
    workspace_id: uuid.UUID,
    match_rows: Sequence[NewMatch],
    *,
    job_id: uuid.UUID,
    correlation_id: str = "",
) -> list[uuid.UUID]:
    """Create events for the workspace's active webhooks interested in these matches; returns their ids.

    `job_id` is the job whose task stored the matches: delivery tasks are detached tasks of that job
    (they run whatever its state).
    """
    if not match_rows:
        return []
    webhooks = list(
        session.scalars(select(Webhook).where(Webhook.workspace_id == workspace_id, Webhook.active.is_(True)))
    )
    if not webhooks:
        return []
    items = _match_items(session, workspace_id, match_rows)
    events: list[WebhookEvent] = []
    for webhook in webhooks:
        wanted = set(webhook.keyword_ids) if webhook.keyword_ids is not None else None
        selected = [i for i in items if wanted is None or i.keyword.id in wanted]
        for chunk in _chunks(selected):
            data = {"matches": [i.model_dump(mode="json") for i in chunk]}
            events.append(new_event(workspace_id, webhook.id, EventType.MATCHES_CREATED, data, job_id=job_id))
    if not events:
        return []
    session.add_all(events)
    session.flush()
    for ev in events:
        _send_after_commit(
            session,
            queue,
            delivery_message(ev.id, job_id),
            correlation_id=correlation_id,
            workspace_id=str(workspace_id),
        )
    return [ev.id for ev in events]


def delivery_message(event_id: uuid.UUID, job_id: uuid.UUID) -> TaskMessage:
    """The detached task that delivers one event (its task id names the event: one event, one message)."""
    return TaskMessage(
        job_id=job_id, task=DELIVER_TASK, task_id=f"webhook-event:{event_id}", params={"event_id": str(event_id)}
    )


def _match_items(session: Session, workspace_id: uuid.UUID, rows: Sequence[NewMatch]) -> list[MatchItem]:
    """The matches with their keyword and comment, in the order given (rows of deleted objects dropped)."""
    keyword_ids = {r.keyword_id for r in rows}
    comment_ids = {r.comment_id for r in rows}
    keywords = {
        k.id: MatchedKeyword(id=k.id, text=k.text, category=k.category)
        for k in session.scalars(
            select(Keyword).where(Keyword.workspace_id == workspace_id, Keyword.id.in_(keyword_ids))
        )
    }
    comments: dict[int, MatchedComment] = {}
    query = (
        select(Comment, Community.name)
        .join(Community, Community.id == Comment.community_id)
        .where(Comment.workspace_id == workspace_id, Comment.id.in_(comment_ids))
    )
    for c, community_name in session.execute(query):
        comments[c.id] = MatchedComment(
            id=c.id,
            vk_comment_id=c.comment_id,
            owner_id=c.owner_id,
            post_id=c.post_id,
            from_id=c.from_id,
            date=c.date,
            text=c.text,
            url=comment_url(c.owner_id, c.post_id, c.comment_id, c.root_comment_id),
            community_id=c.community_id,
            community_name=community_name,
        )
    items: list[MatchItem] = []
    for r in rows:
        keyword, comment = keywords.get(r.keyword_id), comments.get(r.comment_id)
        if keyword is None or comment is None:
            continue
        items.append(
            MatchItem(
                keyword=keyword,
                matched_text=r.matched_text,
                start=r.start,
                end=r.end,
                snippet=r.snippet,
                comment=comment,
            )
        )
    return items


def _chunks(items: list[MatchItem]) -> Iterator[list[MatchItem]]:
    """Batches under both limits; a single oversized match still goes alone (VK texts are ≤ 16k chars)."""
    chunk: list[MatchItem] = []
    size = 0
    for item in items:
        item_size = len(json.dumps(item.model_dump(mode="json"), ensure_ascii=False).encode())
        if chunk and (len(chunk) >= MAX_MATCHES_PER_EVENT or size + item_size > MAX_EVENT_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += item_size
    if chunk:
        yield chunk


def _send_after_commit(
    session: Session, queue: TaskQueue, message: TaskMessage, *, correlation_id: str, workspace_id: str
) -> None:
    outbox: list[tuple[TaskQueue, TaskMessage, str, str]] | None = session.info.get(_OUTBOX_KEY)
    if outbox is None:
        outbox = session.info[_OUTBOX_KEY] = []
        sa_event.listen(session, "after_commit", _flush_outbox)
        sa_event.listen(session, "after_rollback", _drop_outbox)
    outbox.append((queue, message, correlation_id, workspace_id))


def _flush_outbox(session: Session) -> None:
    """Send what the committed transaction owes; a failed send is logged, never raised past the commit:
    the event stays pending and the scheduler's outbox sweep (`webhooks.outbox`) queues it again."""
    outbox = session.info.get(_OUTBOX_KEY) or []
    session.info[_OUTBOX_KEY] = []
    for queue, message, correlation_id, workspace_id in outbox:
        try:
            queue.send(
                DELIVERY_WORKER,
                DELIVERY_PRIORITY,
                message,
                correlation_id=correlation_id,
                workspace_id=workspace_id,
                job_type=DELIVER_TASK,
            )
        except Exception:
            log.exception("could not queue a webhook delivery", extra={"event_id": message.params.get("event_id")})


def _drop_outbox(session: Session) -> None:
    session.info[_OUTBOX_KEY] = []


def alerts_for_new_matches(queue: TaskQueue) -> Callable[[NewMatchesStored], None]:
    """The subscriber the worker's composition place puts on `NewMatchesStored`: queue alerts on `queue`.

    Delivery tasks are detached tasks of a job. The analyze task names its job in
    `session.info[ALERT_JOB_KEY]`; without it, the job that first stored one of the comments is used
    (the collection that brought them in). With neither, the events are not created, and a warning says so.
    """

    def on_new_matches(event: NewMatchesStored) -> None:
        session, workspace_id, matches = event.session, event.workspace_id, event.matches
        if not session.scalar(
            select(Webhook.id).where(Webhook.workspace_id == workspace_id, Webhook.active.is_(True)).limit(1)
        ):
            return
        job_id, correlation_id = _alert_job(session, matches)
        if job_id is None:
            log.warning(
                "new matches but no job to attach webhook deliveries to", extra={"workspace_id": str(workspace_id)}
            )
            return
        enqueue_alerts(session, queue, workspace_id, matches, job_id=job_id, correlation_id=correlation_id)

    return on_new_matches


def _alert_job(session: Session, matches: Sequence[NewMatch]) -> tuple[uuid.UUID | None, str]:
    named = session.info.get(ALERT_JOB_KEY)
    if named is not None:
        job_id, correlation_id = named
        return uuid.UUID(str(job_id)), str(correlation_id or "")
    comment_ids = list({m.comment_id for m in matches})[:1000]
    row = session.execute(
        select(Job.id, Job.correlation_id)
        .join(Comment, Comment.first_seen_job_id == Job.id)
        .where(Comment.id.in_(comment_ids))
        .limit(1)
    ).first()
    return (row.id, row.correlation_id or "") if row is not None else (None, "")
