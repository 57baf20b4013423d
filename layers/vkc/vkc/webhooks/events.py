"""Events owed to a webhook: the row whose frozen body every retry sends unchanged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from vkc.db.models_webhooks import WebhookEvent
from vkc.webhooks.schemas import EventBody, EventStatus, EventType


def new_event(
    workspace_id: uuid.UUID,
    webhook_id: uuid.UUID,
    event_type: EventType,
    data: dict[str, Any],
    *,
    job_id: uuid.UUID | None = None,
) -> WebhookEvent:
    """A pending event; its id is the `X-Vkc-Event-Id` receivers deduplicate on."""
    event_id = uuid.uuid4()
    body = EventBody(
        id=event_id,
        type=event_type,
        created_at=datetime.now(UTC),
        workspace_id=workspace_id,
        webhook_id=webhook_id,
        data=data,
    )
    return WebhookEvent(
        id=event_id,
        workspace_id=workspace_id,
        webhook_id=webhook_id,
        type=event_type.value,
        payload=body.model_dump(mode="json"),
        status=EventStatus.PENDING.value,
        rounds=0,
        attempts=0,
        job_id=job_id,
    )
