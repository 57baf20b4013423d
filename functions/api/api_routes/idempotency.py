"""`Idempotency-Key` on POST: Powertools idempotency over its Redis persistence layer.

The record is keyed by (workspace, key, method, path) and validated against the SHA-256 of the raw
body. The first request runs and its response (status, body, Content-Type, Location) is stored for
`IDEMPOTENCY_TTL_S` (24 h); a repeat with the same body gets that response again with
`Idempotent-Replayed: true`; the same key with another body is 422; a repeat while the first is
still running is 409. Only successes are stored: error answers and raised errors are not
(Powertools deletes the in-progress record), so the client may fix and retry with the same key.
Without the header nothing changes.

When the store is unreachable before the work starts the request is refused (503, Retry-After):
the client asked for at-most-once and we cannot promise it. If it fails after the work ran, the
real response is returned and the failure logged.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from vkc.workspaces.service import Principal

from api_routes.deps import deps
from api_routes.problems import problem

log = logging.getLogger(__name__)

Next = Callable[[APIGatewayHttpResolver], Response[Any]]

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[!-~]{1,255}$")  # visible ASCII, no spaces: UUIDs, ULIDs, hashes …
STORED_HEADERS = ("Location",)
STORE_RETRY_AFTER_S = 5


class _NotStored(Exception):
    """An error answer: Powertools deletes the in-progress record on an exception, so it is not replayed."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__(response.status_code)
        self.response = response


def _serialized_body(app: APIGatewayHttpResolver, body: Any) -> str | None:
    if body is None or isinstance(body, str):
        return body
    if isinstance(body, bytes):
        return body.decode("utf-8")
    serialized: str = app._serializer(body)
    return serialized


def _snapshot(app: APIGatewayHttpResolver, response: Response[Any]) -> dict[str, Any]:
    """What a replay needs; the body is serialized once so the original and the replay are identical."""
    response.body = _serialized_body(app, response.body)
    headers = {name: str(response.headers[name]) for name in STORED_HEADERS if name in response.headers}
    return {
        "status": response.status_code,
        "content_type": str(response.headers.get("Content-Type") or "application/json"),
        "headers": headers,
        "body": response.body,
    }


def _replay(stored: dict[str, Any]) -> Response[Any]:
    headers = {**stored.get("headers", {}), REPLAYED_HEADER: "true"}
    return Response(
        status_code=int(stored["status"]),
        content_type=str(stored["content_type"]),
        body=stored.get("body"),
        headers=headers,
    )


def idempotency(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    event = app.current_event
    key = event.headers.get(HEADER)
    who = app.context.get("principal")
    if event.http_method != "POST" or key is None or not isinstance(who, Principal):
        return next_middleware(app)
    ctx: dict[str, Any] = {"instance": event.path, "request_id": event.request_context.request_id}
    if not KEY_PATTERN.match(key):
        return problem(400, "Idempotency-Key must be 1–255 visible ASCII characters without spaces.", **ctx)

    raw_body = event.decoded_body if event.body else ""
    request = {
        "workspace_id": str(who.workspace_id),
        "key": key,
        "method": event.http_method,
        "path": event.path,
        "body_sha256": hashlib.sha256((raw_body or "").encode("utf-8", errors="surrogatepass")).hexdigest(),
    }
    # Powertools' idempotency utility imports boto3 (its DynamoDB layer) with its package: it loads
    # with the first keyed POST, so that reads and unkeyed writes never pay for it
    from api_routes import idempotency_store as store

    produced: list[Response[Any]] = []

    def run(request: dict[str, Any]) -> dict[str, Any]:
        response = next_middleware(app)
        produced.append(response)
        stored = _snapshot(app, response)
        if response.status_code >= 400:
            raise _NotStored(response)
        return stored

    guarded = store.guard(run, app, key_prefix=deps().settings.idempotency_key_prefix)
    try:
        stored = guarded(request=request)
    except _NotStored as exc:
        return exc.response
    except store.IdempotencyValidationError:
        return problem(
            422,
            "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
            slug="idempotency-key-reused",
            title="Idempotency-Key reused",
            **ctx,
        )
    except (store.IdempotencyAlreadyInProgressError, store.IdempotencyInconsistentStateError):
        return problem(
            409,
            "A request with this Idempotency-Key is still being processed; retry shortly to get its response.",
            slug="idempotency-key-in-progress",
            title="Request in progress",
            headers={"Retry-After": "1"},
            **ctx,
        )
    except store.IdempotencyPersistenceLayerError as exc:
        if produced:  # the work ran; only recording it failed: answer truthfully, log the gap
            log.warning("idempotency record not saved: %s", type(exc.__cause__ or exc).__name__)
            return produced[0]
        log.warning("idempotency store unavailable: %s", type(exc.__cause__ or exc).__name__)
        return problem(
            503,
            "Requests with an Idempotency-Key cannot be processed right now (the idempotency store is "
            "unavailable); retry later, or send the request without the header.",
            slug="idempotency-unavailable",
            headers={"Retry-After": str(STORE_RETRY_AFTER_S)},
            **ctx,
        )
    if produced:
        return produced[0]
    return _replay(stored)
