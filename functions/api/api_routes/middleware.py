"""Middlewares every request passes: request id and security headers, media type, authentication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from vkc.db.engine import session_scope
from vkc.errors import Unauthorized
from vkc.workspaces.service import authenticate

from api_routes.problems import problem

Next = Callable[[APIGatewayHttpResolver], Response[Any]]

PUBLIC_PREFIXES = ("/health/live", "/health/ready", "/swagger")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Cache-Control": "no-store",
}
BODY_METHODS = {"POST", "PUT", "PATCH"}


def request_id_and_headers(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """Every response carries the request id (also the correlation id of the work it queues)."""
    request_id = app.current_event.request_context.request_id
    app.append_context(request_id=request_id)
    response = next_middleware(app)
    response.headers["X-Request-Id"] = request_id
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def json_media_type(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """A request with a body must say it is JSON; anything else is 415, not a confusing 422."""
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
    return next_middleware(app)


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
        with session_scope() as session:
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
    return next_middleware(app)
