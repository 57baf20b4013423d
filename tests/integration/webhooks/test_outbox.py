"""A webhook event whose delivery message was lost is queued again by the scheduler, never dropped."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from vkc.adapters.secrets import SecretsManagerStore
from vkc.jobs.schemas import TaskMessage
from vkc.scheduling import LAST_TICK_KEY, DutiesFailed, tick
from vkc.settings import Priority, Settings, WorkerKind
from vkc.webhooks.alerts import DELIVER_TASK
from vkc.webhooks.delivery import DeliveryPorts, deliver_event
from vkc.webhooks.events import new_event
from vkc.webhooks.outbox import ORPHANED, requeue_stalled_events
from vkc.webhooks.schemas import EventStatus, EventType

from tests.integration.webhooks.conftest import RecordingQueue
from tests.integration.webhooks.test_delivery import PLENTY_MS, alert, event_row, stored_matches, subscribe
from tests.support.receiver import Receiver
from tests.support.world import World

STALE = timedelta(minutes=15)


class UnreachableQueue:
    """SQS refusing the send that follows the commit."""

    def send(self, worker: WorkerKind, priority: Priority, message: TaskMessage, **attrs: Any) -> str:
        raise ConnectionError("SQS is unreachable")


def sweep(engine: Engine, queue: RecordingQueue, now: datetime, event_id: uuid.UUID) -> list[TaskMessage]:
    """One sweep (over the whole database, as in production); the messages it sent for this event."""
    before = len(queue.sent)
    with Session(engine) as session:
        requeue_stalled_events(session, queue, now, stale_after=STALE)
    return [m for _w, _p, m, _a in queue.sent[before:] if m.params == {"event_id": str(event_id)}]


def test_an_event_whose_message_was_lost_is_queued_again_and_delivered(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, ports: DeliveryPorts,
) -> None:  # fmt: skip
    _, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    (event_id,) = alert(engine, UnreachableQueue(), world, stored_matches(engine, world.workspace_id))  # type: ignore[arg-type]
    assert event_row(engine, event_id).status == EventStatus.PENDING.value
    now = datetime.now(UTC)

    assert sweep(engine, queue, now, event_id) == []  # young: its message may still be on its way

    later = now + STALE + timedelta(minutes=1)
    (message,) = sweep(engine, queue, later, event_id)
    ((worker, priority, _, attrs),) = [sent for sent in queue.sent if sent[2] is message]
    assert (worker, priority, message.task) == (WorkerKind.ANALYZE, Priority.HIGH, DELIVER_TASK)
    assert message.job_id == event_row(engine, event_id).job_id
    assert attrs["workspace_id"] == str(world.workspace_id)

    assert sweep(engine, queue, later + timedelta(minutes=1), event_id) == []  # queued once per period
    status = deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    assert status == EventStatus.DELIVERED
    assert len(receiver.requests) == 1
    assert sweep(engine, queue, later + 3 * STALE, event_id) == []  # delivered events are never sent again


def test_an_event_between_two_rounds_waits_for_its_redelivery(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    ports: DeliveryPorts,
) -> None:  # fmt: skip
    # a receiver that refuses connections: the round fails retryably and SQS will redeliver later
    subscribe(engine, wh_settings, secrets, world.workspace_id, "http://127.0.0.1:9/hook")
    (event_id,) = alert(engine, queue, world, stored_matches(engine, world.workspace_id))
    queue.sent.clear()
    with pytest.raises(Exception, match="SQS will deliver it again"):
        deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    row = event_row(engine, event_id)
    assert (row.status, row.rounds) == (EventStatus.PENDING.value, 1)
    # the round refreshed the heartbeat: not stale before a whole period has passed since it
    assert sweep(engine, queue, row.heartbeat_at + STALE - timedelta(seconds=5), event_id) == []
    assert len(sweep(engine, queue, row.heartbeat_at + STALE + timedelta(seconds=5), event_id)) == 1


def test_a_pending_event_without_a_job_is_failed_with_the_reason(engine: Engine, world: World) -> None:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        from tests.integration.webhooks.conftest import new_id

        hook = _bare_webhook(s, world.workspace_id, new_id())
        event = new_event(world.workspace_id, hook, EventType.PING, {"message": "hi"})
        s.add(event)
    assert sweep(engine, RecordingQueue(), datetime.now(UTC) + STALE + timedelta(minutes=1), event.id) == []
    row = event_row(engine, event.id)
    assert (row.status, row.last_error) == (EventStatus.FAILED.value, ORPHANED)
    assert row.finished_at is not None


def _bare_webhook(session: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID) -> uuid.UUID:
    from vkc.db.models_webhooks import Webhook

    session.add(
        Webhook(
            id=webhook_id,
            workspace_id=workspace_id,
            url="https://example.com/h",
            active=True,
            secret_name="vkc/test/none",
            secret_hint="none",
        )
    )
    session.flush()
    return webhook_id


def test_a_failing_duty_does_not_stop_the_others_and_the_tick_reports_it() -> None:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    client.delete(LAST_TICK_KEY)
    ran: list[str] = []

    def broken(now: datetime) -> dict[str, Any]:
        raise RuntimeError("database down")

    def fine(now: datetime) -> dict[str, Any]:
        ran.append("fine")
        return {}

    with pytest.raises(DutiesFailed, match="broken"):
        tick(datetime.now(UTC), client, {"broken": broken, "fine": fine})
    assert ran == ["fine"]
    assert client.get(LAST_TICK_KEY) is not None  # the schedule itself is alive
