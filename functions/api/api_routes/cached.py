"""Cache-aside for the API's hot reads (GET /v1/communities/{id}, /v1/stats/*); see `vkc.cache`."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from pydantic import TypeAdapter
from vkc.workspaces.service import Principal

from api_routes.deps import deps

Next = Callable[[APIGatewayHttpResolver], Response[Any]]


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(tp)
    if adapter is None:
        adapter = _ADAPTERS[tp] = TypeAdapter(tp)
    return adapter


def cached[T](
    workspace_id: uuid.UUID,
    name: str,
    params: Mapping[str, Any],
    tp: type[T] | Any,
    ttl_s: int,
    load: Callable[[], T],
) -> T:
    """`load()` through the workspace's read cache (straight from the database when it is off or down)."""
    if not deps().settings.cache_enabled:
        return load()
    value: T = deps().read_cache.get_or_load(workspace_id, name, params, _adapter(tp), ttl_s, load)
    return value


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_ONLY_POSTS = frozenset({"/v1/analysis/preview", "/v1/communities/resolve"})


def invalidate_on_write(app: APIGatewayHttpResolver, next_middleware: Next) -> Response[Any]:
    """A successful write through the API makes the workspace's cached reads stale (one INCR).

    Covers every route that changes what cached reads show (community PATCH/DELETE/POST, keywords,
    moderation, imports …) without each route knowing about the cache; background writes (new
    comments, analysis results) invalidate from the workers.
    """
    response = next_middleware(app)
    event = app.current_event
    who = app.context.get("principal")
    if (
        isinstance(who, Principal)
        and event.http_method in WRITE_METHODS
        and response.status_code < 400
        and event.path not in READ_ONLY_POSTS
        and deps().settings.cache_enabled
    ):
        deps().read_cache.invalidate(who.workspace_id)
    return response
