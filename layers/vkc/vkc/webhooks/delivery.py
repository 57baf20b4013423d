"""Deliver an event: rounds of quick attempts, an attempt log, and SQS redelivery between rounds.

A *round* is one run of the `webhooks.deliver` task. Within a round, tenacity makes up to
`QUICK_ATTEMPTS` attempts with exponential backoff and full jitter (about 0.5, 1, 2 s … capped at 4 s),
bounded by the Lambda's remaining time. If the round ends without success and the failure is
retryable, the task raises `DeliveryDeferred`: SQS redelivers the message after the queue's visibility
timeout (6 min on the analyze queues), which gives the longer backoff between rounds. The round number
is counted on the event row (not taken from SQS' receive count, which a re-sent message would reset);
the last round (`QUEUE_MAX_RECEIVE_COUNT`, so before SQS would dead-letter the message) marks the event
failed and acknowledges the message. A non-retryable answer (most 4xx, a redirect, a private address)
fails the event at once.

Idempotency: the event's id and body never change, so the receiver can deduplicate; on our side a
delivered or failed event is never sent again, and a lease (`lease_until`) keeps two copies of one
message from sending at the same time.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session
from tenacity import RetryCallState, Retrying, retry_if_result, stop_after_attempt, wait_random_exponential
from tenacity.stop import stop_base

from vkc.db.models_webhooks import Webhook, WebhookDelivery, WebhookEvent
from vkc.jobs.context import TaskContext
from vkc.ports import SecretStore
from vkc.settings import Settings
from vkc.webhooks.schemas import EventStatus, EventType
from vkc.webhooks.sender import TIMEOUT_S, AttemptResult, send_once

log = logging.getLogger(__name__)

QUICK_ATTEMPTS = 3
BACKOFF_MULTIPLIER_S = 0.5
BACKOFF_MAX_S = 4.0
#: longer than the analyze worker's 60 s timeout: a crashed round frees its event for the next one
LEASE = timedelta(seconds=120)
#: an attempt starts only if the Lambda has this much time left (timeout + worst backoff + margin)
ATTEMPT_BUDGET_MS = int((TIMEOUT_S + BACKOFF_MAX_S + 2) * 1000)


class DeliveryDeferred(RuntimeError):
    """The round failed (or could not run) and more rounds remain: let SQS deliver the message again."""


@dataclass(frozen=True, slots=True)
class DeliveryPorts:
    secrets: SecretStore
    client: httpx.Client
    sleep: Callable[[float], None] = field(default=time.sleep)


def run_delivery_task(ctx: TaskContext) -> None:
    """The detached `webhooks.deliver` task (analyze worker): one round for the event in the message."""
    raw = ctx.message.params.get("event_id")
    try:
        event_id = uuid.UUID(str(raw))
    except ValueError:
        log.error("webhook delivery message without a valid event id", extra={"task_id": ctx.message.task_id})
        return
    deps = ctx.deps
    deliver_event(
        deps.engine,
        event_id,
        settings=deps.settings,
        ports=DeliveryPorts(secrets=deps.fresh_secrets(), client=deps.http_client()),
        remaining_ms=deps.remaining_ms,
    )


def deliver_event(
    engine: Engine,
    event_id: uuid.UUID,
    *,
    settings: Settings,
    ports: DeliveryPorts,
    remaining_ms: Callable[[], int],
    quick_attempts: int = QUICK_ATTEMPTS,
    max_rounds: int | None = None,
) -> EventStatus | None:
    """Run one round; the event's status after it, or None when there was nothing to do.

    Raises `DeliveryDeferred` when the round failed retryably and rounds remain (or another worker holds
    the event right now).
    """
    last_round = max_rounds or settings.queue_max_receive_count
    claim = _claim(engine, event_id)
    if claim is None:
        return None
    event, webhook = claim
    if not webhook.active and event.type != EventType.PING.value:
        _finish(engine, event_id, EventStatus.FAILED, "the webhook was deactivated")
        return EventStatus.FAILED
    secret = ports.secrets.get(webhook.secret_name)
    if secret is None:
        _finish(engine, event_id, EventStatus.FAILED, "the webhook's signing secret is missing")
        return EventStatus.FAILED
    body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode()
    attempt_no = event.attempts

    def attempt() -> AttemptResult:
        nonlocal attempt_no
        attempt_no += 1
        result = send_once(
            ports.client,
            webhook.url,
            secret=secret,
            body=body,
            event_id=str(event.id),
            event_type=event.type,
            attempt=attempt_no,
            allow_loopback=not settings.is_prod,
        )
        _log_attempt(engine, event, attempt_no, result)
        return result

    if remaining_ms() < ATTEMPT_BUDGET_MS:
        _release(engine, event_id, "no time left in this run for an attempt")
        raise DeliveryDeferred("not enough time left to attempt a delivery")
    retrying = Retrying(
        stop=stop_after_attempt(quick_attempts) | _OutOfTime(remaining_ms),
        wait=wait_random_exponential(multiplier=BACKOFF_MULTIPLIER_S, max=BACKOFF_MAX_S),
        retry=retry_if_result(lambda r: not r.ok and r.retryable),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        sleep=ports.sleep,
    )
    result: AttemptResult = retrying(attempt)
    if result.ok:
        _finish(engine, event_id, EventStatus.DELIVERED, None)
        return EventStatus.DELIVERED
    if not result.retryable:
        _finish(engine, event_id, EventStatus.FAILED, result.error)
        return EventStatus.FAILED
    if event.rounds >= last_round:
        _finish(engine, event_id, EventStatus.FAILED, f"gave up after {event.rounds} rounds: {result.error}")
        log.warning("webhook event failed after its last round", extra={"event_id": str(event_id)})
        return EventStatus.FAILED
    _release(engine, event_id, result.error)
    raise DeliveryDeferred(f"round {event.rounds} of {last_round} failed; SQS will deliver it again")


class _OutOfTime(stop_base):
    """Stop retrying when another attempt (timeout + backoff) might not finish before the Lambda does."""

    def __init__(self, remaining_ms: Callable[[], int]) -> None:
        self._remaining_ms = remaining_ms

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._remaining_ms() < ATTEMPT_BUDGET_MS


def _claim(engine: Engine, event_id: uuid.UUID) -> tuple[WebhookEvent, Webhook] | None:
    """Take the event's lease and count the round; None when it is finished or gone."""
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        claimed = session.execute(
            update(WebhookEvent)
            .where(
                WebhookEvent.id == event_id,
                WebhookEvent.status == EventStatus.PENDING.value,
                or_(WebhookEvent.lease_until.is_(None), WebhookEvent.lease_until < now),
            )
            .values(lease_until=now + LEASE, rounds=WebhookEvent.rounds + 1, heartbeat_at=now)
            .returning(WebhookEvent.id)
        ).first()
        if claimed is None:
            status = session.scalar(select(WebhookEvent.status).where(WebhookEvent.id == event_id))
            if status == EventStatus.PENDING.value:
                raise DeliveryDeferred("another worker is delivering this event")
            log.info("webhook event already finished or gone", extra={"event_id": str(event_id), "status": status})
            return None
        event = session.get(WebhookEvent, event_id, populate_existing=True)
        assert event is not None
        webhook = session.get(Webhook, event.webhook_id)
        assert webhook is not None  # the event's foreign key cascades on delete
        return event, webhook


def _log_attempt(engine: Engine, event: WebhookEvent, attempt_no: int, result: AttemptResult) -> None:
    """One short transaction per attempt, so the log keeps what happened even if the worker dies next."""
    with Session(engine) as session, session.begin():
        session.add(
            WebhookDelivery(
                workspace_id=event.workspace_id,
                webhook_id=event.webhook_id,
                event_id=event.id,
                attempt=attempt_no,
                round=event.rounds,
                ok=result.ok,
                status_code=result.status_code,
                duration_ms=result.duration_ms,
                error=result.error,
            )
        )
        session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event.id)
            .values(attempts=WebhookEvent.attempts + 1, last_error=result.error)
        )


def _finish(engine: Engine, event_id: uuid.UUID, status: EventStatus, error: str | None) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.status == EventStatus.PENDING.value)
            .values(status=status.value, last_error=error, lease_until=None, finished_at=datetime.now(UTC))
        )


def _release(engine: Engine, event_id: uuid.UUID, error: str | None) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.status == EventStatus.PENDING.value)
            .values(lease_until=None, last_error=error, heartbeat_at=datetime.now(UTC))
        )
