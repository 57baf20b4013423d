"""Request limits: body size (checked before Powertools parses anything) and per-key rate limits.

Route classes: `heavy` = POSTs that start background work (collections, imports, exports, jobs,
retries, redrives); `write` = every other POST/PUT/PATCH/DELETE; `read` = the rest. Each API key
has its own budget per class (settings `RATE_LIMIT_<CLASS>_REQUESTS` per `…_WINDOW_S`).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from vkc.cache import guard_for
from vkc.ratelimit import Limit, RateLimiter
from vkc.settings import Settings
from vkc.workspaces.service import Principal

from api_routes.deps import deps
from api_routes.problems import problem

log = logging.getLogger(__name__)

Next = Callable[[APIGatewayHttpResolver], Response[Any]]

READ, WRITE, HEAVY = "read", "write", "heavy"
_UUID = r"[^/]+"
HEAVY_POSTS = re.compile(
    rf"^/v1/(exports|jobs|communities/import|keywords/import|communities/{_UUID}/collections"
    rf"|jobs/{_UUID}/retry|dead-letters/redrive)/?$"
)
UPLOAD_PATHS = re.compile(r"^/v1/(communities|keywords)/import/?$")


def route_class(method: str, path: str) -> str:
    method = method.upper()
    if method in ("GET", "HEAD", "OPTIONS"):
        return READ
    if method == "POST" and HEAVY_POSTS.match(path):
        return HEAVY
    return WRITE


def class_limit(settings: Settings, cls: str) -> Limit:
    return Limit(
        requests=int(getattr(settings, f"rate_limit_{cls}_requests")),
        window_s=int(getattr(settings, f"rate_limit_{cls}_window_s")),
    )


# ---------------------------------------------------------------------------------------- body size


def body_limit(settings: Settings, path: str) -> int:
    return settings.max_upload_body_bytes if UPLOAD_PATHS.match(path) else settings.max_body_bytes


def body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if not isinstance(body, str):
        return 0
    if event.get("isBase64Encoded"):
        try:
            return len(base64.b64decode(body, validate=False))
        except (binascii.Error, ValueError):
            return len(body)
    return len(body.encode("utf-8", errors="surrogatepass"))


def oversized_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """A ready HTTP API response (413 problem) when the body is over its route's limit, else None.

    Runs before `app.resolve`: Powertools parses and validates bodies before user middlewares.
    """
    body = event.get("body")
    if not body:
        return None
    context = event.get("requestContext") or {}
    path = str(event.get("rawPath") or "/")
    settings = deps().settings
    limit = body_limit(settings, path)
    size = body_size(event)
    if size <= limit:
        return None
    response = problem(
        413,
        f"The request body is {size} bytes; this route accepts at most {limit} bytes.",
        slug="body-too-large",
        instance=path,
        request_id=str(context.get("requestId") or ""),
        limit_bytes=limit,
    )
    return {
        "statusCode": response.status_code,
        "headers": {k: v if isinstance(v, str) else ", ".join(v) for k, v in response.headers.items()},
        "body": response.body,
        "isBase64Encoded": False,
    }


# ---------------------------------------------------------------------------------------- rate limit


@lru_cache(maxsize=1)
def _limiter() -> RateLimiter:
    settings = deps().settings
    return RateLimiter(deps().redis, guard_for(settings.redis_url), prefix=settings.rate_limit_key_prefix)


def rate_limit(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """After authentication: spend the key's budget for the route's class; 429 when it is empty.

    Fails open: when Redis is unavailable the request is served (and a warning logged).
    """
    who = app.context.get("principal")
    settings = deps().settings
    if not isinstance(who, Principal) or not settings.rate_limit_enabled:
        return next_middleware(app)
    event = app.current_event
    cls = route_class(event.http_method, event.path)
    limit = class_limit(settings, cls)
    decision = _limiter().hit(str(who.api_key_id), cls, limit)
    if decision is None:
        return next_middleware(app)
    headers = decision.headers()
    if not decision.allowed:
        log.info("rate limited", extra={"route_class": cls, "api_key_id": str(who.api_key_id)})
        return problem(
            429,
            f"Too many {cls} requests for this API key: the limit is {limit.requests} per {limit.window_s} s. "
            f"Retry in {decision.retry_after_s} s.",
            slug="rate-limited",
            title="Too Many Requests",
            instance=event.path,
            request_id=event.request_context.request_id,
            headers=headers,
            route_class=cls,
            retry_after=decision.retry_after_s,
        )
    response = next_middleware(app)
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response
