"""Middlewares every request passes: request id and security headers, media type, authentication."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from vkc.adapters.log_context import log_context
from vkc.errors import Unauthorized
from vkc.workspaces.service import authenticate

from api_routes.deps import deps
from api_routes.problems import problem, standard_headers

logger = Logger()
tracer = Tracer(auto_patch=False)  # the door (app.py) decides what is patched

Next = Callable[[APIGatewayHttpResolver], Response[Any]]

PUBLIC_PREFIXES = ("/health/live", "/health/ready", "/swagger")
BODY_METHODS = {"POST", "PUT", "PATCH"}


def request_id_and_headers(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """Every response carries the request id (also the correlation id of the work it queues).

    Every log line of the request carries it as `correlation_id` (context-local, so concurrent
    requests never swap ids), and one access line closes the request: method, route path, status,
    duration — never headers, query strings or bodies (keys and tokens travel there).
    """
    event = app.current_event
    request_id = event.request_context.request_id
    app.append_context(request_id=request_id)
    started = time.perf_counter()
    with log_context(logger, correlation_id=request_id):
        response = next_middleware(app)
        standard_headers(response.headers, request_id)
        for name in [k for k in response.headers if k.lower().startswith("access-control-")]:
            del response.headers[name]  # CORS is the HTTP API's (CorsConfiguration), never a wildcard from here
        job_id = _queued_job_id(response)
        if job_id:
            tracer.put_annotation("job_id", job_id)
        logger.info(
            "request",
            extra={
                "http_method": event.http_method,
                "path": event.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                **({"queued_job_id": job_id} if job_id else {}),
            },
        )
    return response


def _queued_job_id(response: Response[Any]) -> str | None:
    """The job a 202 answer points to (its Location is /v1/jobs/<id>), for the trace and the log."""
    location = next((v for k, v in response.headers.items() if k.lower() == "location"), None)
    if response.status_code != 202 or not isinstance(location, str) or "/jobs/" not in location:
        return None
    return location.rsplit("/", 1)[-1] or None


def unsupported_media_type(app: APIGatewayHttpResolver) -> Response[str] | None:
    """A request with a body must say it is JSON; anything else is 415, not a confusing 422.

    Called by this middleware and by the validation-error handler: Powertools validates bodies before
    user middlewares run, so a form body would otherwise surface as a 422.
    """
    event = app.current_event
    if event.http_method in BODY_METHODS and event.body:
        content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            return problem(
                415,
                f"Send the body as application/json (got '{content_type or 'no Content-Type'}').",
                instance=event.path,
                request_id=event.request_context.request_id,
            )
    return None


def json_media_type(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    return unsupported_media_type(app) or next_middleware(app)


def json_object_body(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """A JSON body is an object (every request body the spec declares is one); anything else is a 422.

    Powertools validates a body with `from_attributes=True`, so a list or a number sent where a
    model whose fields all have defaults is expected passed as that model's defaults (POST
    /v1/api-keys with `[]` created a key).
    """
    event = app.current_event
    raw = event.decoded_body if event.http_method in BODY_METHODS else None
    if not raw:
        return next_middleware(app)
    try:
        body = json.loads(raw)
    except ValueError:
        return next_middleware(app)  # not JSON: the body validation answers it
    if body is None or isinstance(body, dict):
        return next_middleware(app)  # null: as if no body was sent (optional bodies are `anyOf [model, null]`)
    error = {"loc": ["body"], "msg": "The body must be a JSON object.", "type": "model_type"}
    return _invalid(app, error)


def refuse_nul(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """A NUL character (U+0000) in the query or a JSON body string is a 422 before any handler runs.

    PostgreSQL text and jsonb can't hold it: a filter or a stored value carrying one used to fail in
    the database, a 500. The spec says so (openapi_doc gives every free string a no-NUL pattern).
    """
    event = app.current_event
    where = _nul_in_query(event.query_string_parameters or {}) or _nul_in_body(event)
    if where is None:
        return next_middleware(app)
    error = {"loc": where, "msg": "Text may not contain the NUL character (U+0000).", "type": "string_pattern_mismatch"}
    return _invalid(app, error)


def _invalid(app: APIGatewayHttpResolver, error: dict[str, Any]) -> Response[str]:
    """The 422 a middleware answers for one error in the request, shaped like the validator's."""
    event = app.current_event
    return problem(
        422,
        "The request is not valid; see errors.",
        errors=[error],
        instance=event.path,
        request_id=event.request_context.request_id,
    )


def _nul_in_query(params: dict[str, str]) -> list[str] | None:
    for name, value in params.items():
        if "\x00" in name or "\x00" in value:
            return ["query", name.replace("\x00", "")]
    return None


def _nul_in_body(event: APIGatewayProxyEventV2) -> list[str] | None:
    raw = event.decoded_body if event.http_method in BODY_METHODS else None
    if not raw:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None  # not JSON: the body validation answers it
    return _nul_at(body, ["body"])


def _nul_at(value: Any, loc: list[str]) -> list[str] | None:
    if isinstance(value, str):
        return loc if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_at(key, [*loc, key]) or _nul_at(item, [*loc, key])
            if found is not None:
                return found
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = _nul_at(item, [*loc, str(n)])
            if found is not None:
                return found
    return None


def authenticate_request(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """Resolve X-Api-Key (or `Authorization: Bearer`) to a workspace; health and docs are public."""
    event = app.current_event
    if event.path.startswith(PUBLIC_PREFIXES):
        return next_middleware(app)
    presented = event.headers.get("x-api-key")
    auth = event.headers.get("authorization") or ""
    if not presented and auth.lower().startswith("bearer "):
        presented = auth[7:]
    try:
        with deps().transaction() as session:
            who = authenticate(session, presented)
    except Unauthorized as exc:
        return problem(
            401,
            exc.detail,
            instance=event.path,
            request_id=event.request_context.request_id,
            headers={"WWW-Authenticate": 'ApiKey header="X-Api-Key"'},
        )
    app.append_context(principal=who)
    tracer.put_annotation("workspace_id", str(who.workspace_id))
    logger.thread_safe_append_keys(workspace_id=str(who.workspace_id))  # inside the request's log context
    return next_middleware(app)
