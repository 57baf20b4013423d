"""Deliveries to a real receiver on 127.0.0.1: signed, retried with backoff, logged, never sent twice."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from vkc.adapters.secrets import SecretsManagerStore
from vkc.db.models_analysis import KeywordMatch
from vkc.db.models_webhooks import WebhookEvent
from vkc.settings import Priority, Settings, WorkerKind
from vkc.webhooks import service
from vkc.webhooks.alerts import DELIVER_TASK, enqueue_alerts
from vkc.webhooks.delivery import DeliveryDeferred, DeliveryPorts, deliver_event
from vkc.webhooks.ping import send_ping
from vkc.webhooks.schemas import EventStatus, WebhookCreate

from tests.integration.webhooks.conftest import RecordingQueue
from tests.support.receiver import Receiver
from tests.support.world import World

PLENTY_MS = 60_000


def subscribe(
    engine: Engine, settings: Settings, secrets: SecretsManagerStore, ws: uuid.UUID, url: str, **body: Any
) -> uuid.UUID:
    with Session(engine, expire_on_commit=False) as s, s.begin():
        created = service.create_webhook(
            s, ws, WebhookCreate.model_validate({"url": url, **body}), settings=settings, secrets=secrets
        )
    return created.id, created.secret  # type: ignore[return-value]


def stored_matches(engine: Engine, ws: uuid.UUID) -> list[KeywordMatch]:
    with Session(engine, expire_on_commit=False) as s:
        return list(s.scalars(select(KeywordMatch).where(KeywordMatch.workspace_id == ws).order_by(KeywordMatch.id)))


def alert(engine: Engine, queue: RecordingQueue, world: World, matches: list[KeywordMatch]) -> list[uuid.UUID]:
    with Session(engine) as s, s.begin():
        return enqueue_alerts(s, queue, world.workspace_id, matches, job_id=job_of(engine, world))


def job_of(engine: Engine, world: World) -> uuid.UUID:
    from vkc.db.models import Job

    job_id = uuid.uuid4()
    with Session(engine) as s, s.begin():
        s.add(Job(id=job_id, workspace_id=world.workspace_id, type="reanalyze", priority="low", payload={}))
    return job_id


def event_row(engine: Engine, event_id: uuid.UUID) -> WebhookEvent:
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(WebhookEvent, event_id)
        assert row is not None
        return row


def test_new_matches_become_one_event_per_interested_webhook_queued_after_commit(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue
) -> None:
    bank_hook, _ = subscribe(engine, wh_settings, secrets, world.workspace_id, "https://a.example.com/h",
                             keyword_ids=[str(world.keywords["bank"])])  # fmt: skip
    all_hook, _ = subscribe(engine, wh_settings, secrets, world.workspace_id, "https://b.example.com/h")
    subscribe(engine, wh_settings, secrets, world.workspace_id, "https://c.example.com/h", active=False)
    matches = stored_matches(engine, world.workspace_id)
    job_id = job_of(engine, world)
    with Session(engine) as s, s.begin():
        event_ids = enqueue_alerts(s, queue, world.workspace_id, matches, job_id=job_id, correlation_id="corr-1")
        assert queue.sent == []  # nothing leaves before the matches are committed
    assert len(event_ids) == 2
    assert len(queue.sent) == 2
    worker, priority, message, attrs = queue.sent[0]
    assert (worker, priority, message.task, message.job_id) == (WorkerKind.ANALYZE, Priority.HIGH, DELIVER_TASK, job_id)
    assert attrs["correlation_id"] == "corr-1"
    by_hook = {event_row(engine, e).webhook_id: event_row(engine, e) for e in event_ids}
    bank_matches = by_hook[bank_hook].payload["data"]["matches"]
    assert {m["keyword"]["text"] for m in bank_matches} == {"банк"}
    assert len(by_hook[all_hook].payload["data"]["matches"]) == len(matches)
    first = bank_matches[0]
    assert first["comment"]["text"].startswith("Банк снова")
    assert first["comment"]["url"] == "https://vk.com/wall-101_1?reply=1"
    assert first["comment"]["community_name"] == "Городские новости"
    assert by_hook[bank_hook].payload["type"] == "matches.created"
    assert by_hook[bank_hook].payload["id"] == str(by_hook[bank_hook].id)


def test_a_rolled_back_analysis_alerts_nobody(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue
) -> None:
    subscribe(engine, wh_settings, secrets, world.workspace_id, "https://a.example.com/h")
    matches = stored_matches(engine, world.workspace_id)
    job_id = job_of(engine, world)
    with Session(engine) as s:
        s.begin()
        enqueue_alerts(s, queue, world.workspace_id, matches, job_id=job_id)
        s.rollback()  # the analysis failed
        with s.begin():
            pass  # a later commit on the same session must not send the dropped messages
    assert queue.sent == []
    with Session(engine) as s:
        assert s.scalars(select(WebhookEvent).where(WebhookEvent.workspace_id == world.workspace_id)).all() == []


def test_delivery_is_signed_and_logged(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, ports: DeliveryPorts,
) -> None:  # fmt: skip
    hook_id, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    (event_id,) = alert(engine, queue, world, stored_matches(engine, world.workspace_id))
    status = deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    assert status == EventStatus.DELIVERED
    (got,) = receiver.requests
    assert got.signature_ok
    assert got.headers["x-vkc-event-id"] == str(event_id)
    assert got.headers["x-vkc-event-type"] == "matches.created"
    assert got.headers["content-type"] == "application/json"
    body = json.loads(got.body)
    assert body["id"] == str(event_id)
    assert body["workspace_id"] == str(world.workspace_id)
    assert "Банк снова" in got.body.decode()  # UTF-8, not \u escapes
    with Session(engine) as s:
        page = service.list_deliveries(s, world.workspace_id, hook_id, limit=10, cursor=None)
    (logged,) = page.items
    assert (logged.ok, logged.status_code, logged.attempt, logged.round) == (True, 200, 1, 1)
    assert logged.event_status == EventStatus.DELIVERED
    assert receiver.secret not in page.model_dump_json()


def test_failures_are_retried_with_backoff_then_succeed(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, secrets_ports_sleeps: tuple[DeliveryPorts, list[float]],
) -> None:  # fmt: skip
    ports, sleeps = secrets_ports_sleeps
    hook_id, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    receiver.script = [503, 500, 200]
    (event_id,) = alert(engine, queue, world, stored_matches(engine, world.workspace_id))
    status = deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    assert status == EventStatus.DELIVERED
    assert len(sleeps) == 2
    assert all(0 <= s <= 4 for s in sleeps)
    assert receiver.event_ids() == [str(event_id)] * 3  # one event id across retries
    assert len({r.headers["x-vkc-delivery-attempt"] for r in receiver.requests}) == 3
    with Session(engine) as s:
        items = service.list_deliveries(s, world.workspace_id, hook_id, limit=10, cursor=None).items
    assert [(d.attempt, d.status_code, d.ok) for d in items] == [(3, 200, True), (2, 500, False), (1, 503, False)]
    assert items[-1].error == "HTTP 503"


def test_rounds_end_in_failure_after_the_last_one(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, ports: DeliveryPorts,
) -> None:  # fmt: skip
    hook_id, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    receiver.script = [503]
    (event_id,) = alert(engine, queue, world, stored_matches(engine, world.workspace_id))
    rounds = wh_settings.queue_max_receive_count
    for _ in range(rounds - 1):  # each failed round raises so SQS redelivers the message
        with pytest.raises(DeliveryDeferred):
            deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
        assert event_row(engine, event_id).status == "pending"
    status = deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    assert status == EventStatus.FAILED
    row = event_row(engine, event_id)
    assert (row.rounds, row.attempts) == (rounds, rounds * 3)
    assert "gave up after 5 rounds" in (row.last_error or "")
    with Session(engine) as s:
        page = service.list_deliveries(s, world.workspace_id, hook_id, limit=100, cursor=None)
    assert len(page.items) == rounds * 3
    assert {d.event_status for d in page.items} == {EventStatus.FAILED}
    assert page.items[0].round == rounds


def test_redelivery_of_a_delivered_event_sends_nothing(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, ports: DeliveryPorts,
) -> None:  # fmt: skip
    _, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    (event_id,) = alert(engine, queue, world, stored_matches(engine, world.workspace_id))
    for _ in range(3):  # SQS may deliver the same message more than once
        deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    assert receiver.event_ids() == [str(event_id)]


def test_a_leased_event_is_not_sent_twice_at_once(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, ports: DeliveryPorts,
) -> None:  # fmt: skip
    _, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    (event_id,) = alert(engine, queue, world, stored_matches(engine, world.workspace_id))
    from vkc.webhooks.delivery import _claim

    assert _claim(engine, event_id) is not None  # another worker holds it
    with pytest.raises(DeliveryDeferred, match="another worker"):
        deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    assert receiver.requests == []


def test_client_errors_fail_at_once_and_short_time_defers(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, ports: DeliveryPorts,
) -> None:  # fmt: skip
    _, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    receiver.script = [400]
    first, second = (alert(engine, queue, world, stored_matches(engine, world.workspace_id))[0] for _ in range(2))
    status = deliver_event(engine, first, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    assert status == EventStatus.FAILED
    assert len(receiver.requests) == 1
    assert event_row(engine, first).last_error == "HTTP 400"
    with pytest.raises(DeliveryDeferred, match="time"):
        deliver_event(engine, second, settings=wh_settings, ports=ports, remaining_ms=lambda: 1_000)
    assert len(receiver.requests) == 1
    assert event_row(engine, second).lease_until is None  # released for the next round


def test_timeouts_are_logged_as_retryable_errors(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, queue: RecordingQueue,
    receiver: Receiver, ports: DeliveryPorts, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from vkc.webhooks import sender

    monkeypatch.setattr(sender, "TIMEOUT_S", 0.2)
    hook_id, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url)
    receiver.delay_s = 1.0
    (event_id,) = alert(engine, queue, world, stored_matches(engine, world.workspace_id))
    with pytest.raises(DeliveryDeferred):
        deliver_event(engine, event_id, settings=wh_settings, ports=ports, remaining_ms=lambda: PLENTY_MS)
    with Session(engine) as s:
        items = service.list_deliveries(s, world.workspace_id, hook_id, limit=10, cursor=None).items
    assert len(items) == 3
    assert all(d.status_code is None and (d.error or "").startswith("timed out") for d in items)


def test_ping_is_sent_now_signed_and_logged(
    engine: Engine, wh_settings: Settings, secrets: SecretsManagerStore, world: World, receiver: Receiver,
    ports: DeliveryPorts,
) -> None:  # fmt: skip
    hook_id, receiver.secret = subscribe(engine, wh_settings, secrets, world.workspace_id, receiver.url, active=False)
    view = send_ping(engine, world.workspace_id, hook_id, settings=wh_settings, ports=ports)
    assert (view.ok, view.status_code, view.event_type.value, view.event_status) == (
        True, 200, "ping", EventStatus.DELIVERED,
    )  # fmt: skip
    assert receiver.requests[0].signature_ok
    receiver.script = [200, 500]
    view = send_ping(engine, world.workspace_id, hook_id, settings=wh_settings, ports=ports)
    assert (view.ok, view.status_code, view.event_status) == (False, 500, EventStatus.FAILED)
    assert len(receiver.requests) == 2  # a ping is one attempt, never retried
