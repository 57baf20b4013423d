"""`POST /v1/webhooks/{id}/test`: one signed ping, sent while the caller waits, logged like any delivery.

Synchronous on purpose: whoever sets up a receiver wants to see at once whether it answered 2xx and
verified the signature. One attempt, no retries (the caller can simply press the button again); pings go
out even to inactive webhooks, so a receiver can be tested before it is switched on.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from vkc.db.models_webhooks import WebhookDelivery, WebhookEvent
from vkc.settings import Settings
from vkc.webhooks.delivery import DeliveryPorts, deliver_event
from vkc.webhooks.events import new_event
from vkc.webhooks.schemas import DeliveryView, EventType
from vkc.webhooks.service import delivery_view, load

PING_MESSAGE = "A test event from VK Comments Parser: your endpoint is reachable."
NO_DEADLINE_MS = 10**9


def send_ping(
    engine: Engine, workspace_id: uuid.UUID, webhook_id: uuid.UUID, *, settings: Settings, ports: DeliveryPorts
) -> DeliveryView:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        webhook = load(session, workspace_id, webhook_id)
        event = new_event(workspace_id, webhook.id, EventType.PING, {"message": PING_MESSAGE})
        session.add(event)
    deliver_event(
        engine,
        event.id,
        settings=settings,
        ports=ports,
        remaining_ms=lambda: NO_DEADLINE_MS,
        quick_attempts=1,
        max_rounds=1,
    )
    with Session(engine) as session:
        row = session.execute(
            select(WebhookDelivery, WebhookEvent.type, WebhookEvent.status)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.event_id == event.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(1)
        ).one()
        return delivery_view(*row)
