"""Create, read, change and delete a workspace's webhooks; list their delivery log.

The signing secret is made here, stored in the secret store under
`<VK_TOKENS_SECRET_PREFIX>webhooks/<workspace>/<webhook>` (Secrets Manager, KMS-encrypted at rest: HMAC needs
the secret itself, so a hash would not do) and returned once; rows keep only its name and a hint.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vkc.db.models_analysis import Keyword
from vkc.db.models_webhooks import Webhook, WebhookDelivery, WebhookEvent
from vkc.errors import Conflict, InvalidInput, NotFound
from vkc.jobs.cursor import invalid_cursor, pack, unpack
from vkc.ports import SecretStore
from vkc.settings import Settings
from vkc.webhooks.schemas import (
    DeliveryPage,
    DeliveryView,
    EventStatus,
    EventType,
    WebhookCreate,
    WebhookCreated,
    WebhookUpdate,
    WebhookView,
)
from vkc.webhooks.signing import generate_secret, secret_hint
from vkc.webhooks.urls import validate_webhook_url
from vkc.workspaces.service import lock_workspace

MAX_WEBHOOKS_PER_WORKSPACE = 25
SECRET_DESCRIPTION = "Signing secret of a vkc webhook (created through POST /v1/webhooks)."  # noqa: S105


def secret_name(settings: Settings, workspace_id: uuid.UUID, webhook_id: uuid.UUID) -> str:
    return f"{settings.vk_tokens_secret_prefix}webhooks/{workspace_id}/{webhook_id}"


def create_webhook(
    session: Session, workspace_id: uuid.UUID, request: WebhookCreate, *, settings: Settings, secrets: SecretStore
) -> WebhookCreated:
    """Store the subscription and its new secret; the only response that ever carries the secret."""
    url = validate_webhook_url(request.url, allow_loopback=not settings.is_prod)
    keyword_ids = _checked_keywords(session, workspace_id, request.keyword_ids)
    lock_workspace(session, workspace_id)  # concurrent creates count one after another: never over the limit
    count = session.scalar(select(func.count()).select_from(Webhook).where(Webhook.workspace_id == workspace_id))
    if (count or 0) >= MAX_WEBHOOKS_PER_WORKSPACE:
        raise Conflict(f"A workspace can have at most {MAX_WEBHOOKS_PER_WORKSPACE} webhooks; delete one first.")
    webhook_id = uuid.uuid4()
    secret = generate_secret()
    name = secret_name(settings, workspace_id, webhook_id)
    secrets.put(name, secret, description=SECRET_DESCRIPTION)
    row = Webhook(
        id=webhook_id,
        workspace_id=workspace_id,
        url=url,
        description=request.description,
        keyword_ids=keyword_ids,
        active=request.active,
        secret_name=name,
        secret_hint=secret_hint(secret),
    )
    session.add(row)
    try:
        session.flush()
    except Exception:
        secrets.delete(name)  # no secret without its row
        raise
    session.refresh(row)
    return WebhookCreated(**to_view(row).model_dump(), secret=secret)


def list_webhooks(session: Session, workspace_id: uuid.UUID) -> list[WebhookView]:
    rows = session.scalars(
        select(Webhook).where(Webhook.workspace_id == workspace_id).order_by(Webhook.created_at, Webhook.id)
    )
    return [to_view(r) for r in rows]


def get_webhook(session: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID) -> WebhookView:
    return to_view(load(session, workspace_id, webhook_id))


def update_webhook(
    session: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID, request: WebhookUpdate, *, settings: Settings
) -> WebhookView:
    row = load(session, workspace_id, webhook_id)
    sent = request.model_fields_set
    if "url" in sent:
        if request.url is None:
            raise InvalidInput("url cannot be null.")
        row.url = validate_webhook_url(request.url, allow_loopback=not settings.is_prod)
    if "keyword_ids" in sent:
        row.keyword_ids = _checked_keywords(session, workspace_id, request.keyword_ids)
    if "description" in sent:
        row.description = request.description
    if "active" in sent:
        if request.active is None:
            raise InvalidInput("active cannot be null.")
        row.active = request.active
    session.flush()
    session.refresh(row)
    return to_view(row)


def rotate_secret(
    session: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID, *, secrets: SecretStore
) -> WebhookCreated:
    """Replace the signing secret at once (deliveries from now on use the new one); shown once.

    The row is locked before the secret is written, so concurrent rotations write the store and the
    hint in the same order: the stored secret is always the one the hint describes.
    """
    row = load(session, workspace_id, webhook_id, for_update=True)
    secret = generate_secret()
    secrets.put(row.secret_name, secret, description=SECRET_DESCRIPTION)
    row.secret_hint = secret_hint(secret)
    session.flush()
    session.refresh(row)
    return WebhookCreated(**to_view(row).model_dump(), secret=secret)


def delete_webhook(session: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID, *, secrets: SecretStore) -> None:
    """Delete the row (its events and log go with it), then the secret; a failure keeps both."""
    row = load(session, workspace_id, webhook_id)
    name = row.secret_name
    session.delete(row)
    session.flush()
    secrets.delete(name)


def list_deliveries(
    session: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID, *, limit: int, cursor: str | None
) -> DeliveryPage:
    """Attempts, newest first, keyset-paginated on the attempt id."""
    load(session, workspace_id, webhook_id)
    query = (
        select(WebhookDelivery, WebhookEvent.type, WebhookEvent.status)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.workspace_id == workspace_id)
    )
    if cursor:
        query = query.where(WebhookDelivery.id < _decode_cursor(cursor))
    rows = session.execute(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1)).all()
    items = [delivery_view(d, event_type, event_status) for d, event_type, event_status in rows[:limit]]
    next_cursor = _encode_cursor(items[-1].id) if len(rows) > limit else None
    return DeliveryPage(items=items, next_cursor=next_cursor)


def delivery_view(row: WebhookDelivery, event_type: str, event_status: str) -> DeliveryView:
    return DeliveryView(
        id=row.id,
        event_id=row.event_id,
        event_type=EventType(event_type),
        event_status=EventStatus(event_status),
        attempt=row.attempt,
        round=row.round,
        ok=row.ok,
        status_code=row.status_code,
        duration_ms=row.duration_ms,
        error=row.error,
        created_at=row.created_at,
    )


def load(session: Session, workspace_id: uuid.UUID, webhook_id: uuid.UUID, *, for_update: bool = False) -> Webhook:
    row = session.get(Webhook, webhook_id, with_for_update=for_update, populate_existing=for_update)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"Webhook {webhook_id} does not exist.")
    return row


def to_view(row: Webhook) -> WebhookView:
    return WebhookView(
        id=row.id,
        url=row.url,
        description=row.description,
        keyword_ids=list(row.keyword_ids) if row.keyword_ids is not None else None,
        active=row.active,
        secret_hint=row.secret_hint,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _checked_keywords(
    session: Session, workspace_id: uuid.UUID, keyword_ids: Sequence[uuid.UUID] | None
) -> list[uuid.UUID] | None:
    """Deduplicated ids, all of this workspace's keywords; None means every keyword."""
    if keyword_ids is None:
        return None
    wanted = list(dict.fromkeys(keyword_ids))
    found = set(session.scalars(select(Keyword.id).where(Keyword.workspace_id == workspace_id, Keyword.id.in_(wanted))))
    unknown = [str(k) for k in wanted if k not in found]
    if unknown:
        errors = [
            {"loc": ["body", "keyword_ids"], "msg": f"Unknown keyword {k}.", "type": "value_error"} for k in unknown
        ]
        # 404 like any id that names nothing in this workspace (as POST /v1/analysis/preview answers)
        raise NotFound("Some keyword ids are not keywords of this workspace.", extra={"errors": errors})
    return wanted


def _encode_cursor(delivery_id: int) -> str:
    return pack(delivery_id)


def _decode_cursor(cursor: str) -> int:
    try:
        value = unpack(cursor)
    except ValueError:
        raise invalid_cursor() from None
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_cursor()
    return value
