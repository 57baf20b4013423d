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

import contextlib
import hashlib
import logging
import re
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.cache import CachePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
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


with warnings.catch_warnings():
    # Powertools 3.x: CachePersistenceLayer is an alias of the @deprecated RedisCachePersistenceLayer and
    # warns on construction and subclassing although it is the recommended name (v4 removes the old one).
    warnings.filterwarnings(
        "ignore", message=".*RedisCachePersistenceLayer will be removed", category=DeprecationWarning
    )

    class ValidatingCachePersistenceLayer(CachePersistenceLayer):
        """Keeps the payload hash when a record completes.

        Powertools 3.37's Redis layer rewrites the record on completion without its `validation`
        attribute, so an identical retry of a completed request fails payload validation (the
        TypeScript port fixed the same bug: powertools-lambda-typescript#5705). DynamoDB keeps it.
        """

        def _update_record(self, data_record: DataRecord) -> None:
            mapping: dict[str, Any] = {
                self.data_attr: data_record.response_data,
                self.status_attr: data_record.status,
                self.expiry_attr: data_record.expiry_timestamp,
            }
            if self.payload_validation_enabled:
                mapping[self.validation_key_attr] = data_record.payload_hash
            ttl = self._get_expiry_second(data_record.expiry_timestamp)
            self.client.set(name=data_record.idempotency_key, value=self._json_serializer(mapping), ex=ttl)


@lru_cache(maxsize=1)
def _store() -> ValidatingCachePersistenceLayer:
    client: Any = deps().redis  # redis.Redis satisfies the protocol at runtime; its stubs differ
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*RedisCachePersistenceLayer will be removed", category=DeprecationWarning
        )
        return ValidatingCachePersistenceLayer(client=client)


def _config(app: APIGatewayHttpResolver) -> IdempotencyConfig:
    config = IdempotencyConfig(
        event_key_jmespath="[workspace_id, key, method, path]",
        payload_validation_jmespath="body_sha256",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=deps().settings.idempotency_ttl_s,
        hash_function="sha256",
    )
    with contextlib.suppress(AttributeError):  # in-progress records then expire with this invocation
        config.register_lambda_context(app.lambda_context)
    return config


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
    produced: list[Response[Any]] = []

    def run(request: dict[str, Any]) -> dict[str, Any]:
        response = next_middleware(app)
        produced.append(response)
        stored = _snapshot(app, response)
        if response.status_code >= 400:
            raise _NotStored(response)
        return stored

    guarded = idempotent_function(
        data_keyword_argument="request",
        persistence_store=_store(),
        config=_config(app),
        key_prefix=deps().settings.idempotency_key_prefix,
    )(run)
    try:
        stored = guarded(request=request)
    except _NotStored as exc:
        return exc.response
    except IdempotencyValidationError:
        return problem(
            422,
            "This Idempotency-Key was already used with a different request body; use a new key for a new request.",
            slug="idempotency-key-reused",
            title="Idempotency-Key reused",
            **ctx,
        )
    except (IdempotencyAlreadyInProgressError, IdempotencyInconsistentStateError):
        return problem(
            409,
            "A request with this Idempotency-Key is still being processed; retry shortly to get its response.",
            slug="idempotency-key-in-progress",
            title="Request in progress",
            headers={"Retry-After": "1"},
            **ctx,
        )
    except IdempotencyPersistenceLayerError as exc:
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
