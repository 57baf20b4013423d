"""/v1/webhooks: subscribe an URL to new keyword matches, see every delivery attempt, send a test ping."""

from __future__ import annotations

import uuid
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from vkc.webhooks import service
from vkc.webhooks.schemas import (
    DeliveryPage,
    DeliveryView,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookUpdate,
    WebhookView,
)

from api_routes.deps import deps, principal
from api_routes.openapi_doc import problem_response

router = Router()

WebhookId = Annotated[uuid.UUID, Path(description="The webhook's id")]

SIGNATURE_DOC = (
    "Every delivery is a JSON POST with `X-Vkc-Event-Id` (the same on every retry of an event: deduplicate on "
    "it), `X-Vkc-Event-Type`, `X-Vkc-Timestamp` (Unix seconds) and `X-Vkc-Signature: sha256=<hex>`, the "
    'HMAC-SHA256 of `<timestamp>` + "." + the raw body keyed with the secret. Answer 2xx within 5 s. '
    "Other answers and timeouts are retried: up to 3 quick attempts with exponential backoff and jitter, then "
    "again after about 6 minutes, 5 rounds in all; 4xx other than 408/425/429 and redirects are not retried."
)


@router.post(
    "/webhooks",
    summary="Subscribe an URL to new keyword matches",
    description=(
        "Events of type `matches.created` are sent when analysis stores new matches of the chosen keywords "
        "(`keyword_ids`, or every keyword when null). The response carries the signing secret; it is never "
        "shown again (rotate it to get a new one). " + SIGNATURE_DOC
    ),
    status_code=201,
    tags=["webhooks"],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": WebhookCreated}}},
        404: problem_response("keyword_ids names a keyword this workspace does not have"),
        409: problem_response("The workspace already has the maximum number of webhooks"),
    },
)
def create_webhook(body: WebhookCreate) -> Response[WebhookCreated]:
    who = principal(router)
    settings = deps().settings
    with deps().transaction() as session:
        created = service.create_webhook(session, who.workspace_id, body, settings=settings, secrets=deps().secrets())
    return Response(
        status_code=201,
        content_type="application/json",
        body=created,
        headers={"Location": f"/v1/webhooks/{created.id}", "Cache-Control": "no-store"},
    )


@router.get("/webhooks", summary="List the workspace's webhooks", tags=["webhooks"])
def list_webhooks() -> WebhookList:
    who = principal(router)
    with deps().transaction() as session:
        return WebhookList(items=service.list_webhooks(session, who.workspace_id))


@router.get("/webhooks/<webhook_id>", summary="Get a webhook", tags=["webhooks"])
def get_webhook(webhook_id: WebhookId) -> WebhookView:
    who = principal(router)
    with deps().transaction() as session:
        return service.get_webhook(session, who.workspace_id, webhook_id)


@router.patch(
    "/webhooks/<webhook_id>",
    summary="Change a webhook's URL, keywords, description or active flag",
    description="Only the fields sent change; `keyword_ids: null` subscribes to every keyword.",
    tags=["webhooks"],
)
def update_webhook(webhook_id: WebhookId, body: WebhookUpdate) -> WebhookView:
    who = principal(router)
    with deps().transaction() as session:
        return service.update_webhook(session, who.workspace_id, webhook_id, body, settings=deps().settings)


@router.post(
    "/webhooks/<webhook_id>/rotate-secret",
    summary="Replace a webhook's signing secret",
    description="Deliveries from now on are signed with the new secret, shown only in this response.",
    tags=["webhooks"],
)
def rotate_secret(webhook_id: WebhookId) -> Response[WebhookCreated]:
    who = principal(router)
    with deps().transaction() as session:
        rotated = service.rotate_secret(session, who.workspace_id, webhook_id, secrets=deps().secrets())
    return Response(
        status_code=200, content_type="application/json", body=rotated, headers={"Cache-Control": "no-store"}
    )


@router.delete(
    "/webhooks/<webhook_id>",
    summary="Delete a webhook",
    description="Pending events are dropped with it; its delivery log and signing secret are deleted.",
    status_code=204,
    tags=["webhooks"],
    responses={204: {"description": "Deleted"}},
)
def delete_webhook(webhook_id: WebhookId) -> Response[None]:
    who = principal(router)
    with deps().transaction() as session:
        service.delete_webhook(session, who.workspace_id, webhook_id, secrets=deps().secrets())
    return Response(status_code=204, body=None)


@router.get(
    "/webhooks/<webhook_id>/deliveries",
    summary="A webhook's delivery attempts, newest first",
    description="One item per HTTP attempt: status code, duration, error, attempt and round numbers, and the "
    "event's outcome so far (`pending` while retries remain).",
    tags=["webhooks"],
)
def list_deliveries(
    webhook_id: WebhookId,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> DeliveryPage:
    who = principal(router)
    with deps().transaction() as session:
        return service.list_deliveries(session, who.workspace_id, webhook_id, limit=limit, cursor=cursor)


@router.post(
    "/webhooks/<webhook_id>/test",
    summary="Send a signed test event now",
    description=(
        "POSTs a `ping` event (signed like every delivery) while you wait and answers with the attempt as "
        "logged: `ok`, the receiver's status code, the duration or the error. One attempt, no retries; works "
        "for inactive webhooks too."
    ),
    tags=["webhooks"],
)
def test_webhook(webhook_id: WebhookId) -> DeliveryView:
    # the sender (httpx, tenacity) loads for a test ping, not with the other routes (cold start)
    from vkc.webhooks.delivery import DeliveryPorts
    from vkc.webhooks.ping import send_ping

    who = principal(router)
    settings = deps().settings
    ports = DeliveryPorts(secrets=deps().secrets(), client=deps().http_client())
    return send_ping(deps().engine, who.workspace_id, webhook_id, settings=settings, ports=ports)
