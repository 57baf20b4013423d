"""ApiFunction: the HTTP door. Routes live in api_routes/; the domain in the vkc layer."""

# ruff: noqa: E402 - the garbage collector is paused before the imports below (see `gc.disable()`)
from __future__ import annotations

import gc

# A cold start imports ~650 modules and allocates ~160,000 objects that live as long as the process;
# the cyclic collector would run dozens of times over them during the import and find nothing to free
# (~8 % of the import's CPU, docs/coldstart.md). It is paused until the end of this module, which then
# freezes what the import built (later collections skip it) and turns the collector back on.
gc.disable()

import base64
import json
import weakref
from typing import Any

from api_routes import openapi_doc
from api_routes.cached import invalidate_on_write
from api_routes.idempotency import idempotency
from api_routes.limits import oversized_body, rate_limit
from api_routes.middleware import (
    authenticate_request,
    json_media_type,
    json_object_body,
    refuse_nul,
    request_id_and_headers,
    unsupported_media_type,
)
from api_routes.mounts import LazyRoutes, Mount
from api_routes.problems import problem, validation_errors
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from vkc.adapters.emf import install as install_metrics_hook
from vkc.errors import DomainError
from vkc.observability import use_instrumentation
from vkc.settings import get_settings
from vkc.wiring import snapstart
from vkc.wiring.api import after_restore, warm_before_snapshot

logger = Logger()
# X-Ray patches only what the API calls, and imports each library it patches: pg8000 now (every
# authenticated request queries the database), botocore and httpx when an adapter builds its first
# client (only routes that send a message, sign an S3 URL, read a secret, call VK or ping a webhook).
# Tracer() alone would patch every supported library and import botocore and httpx at cold start.
tracer = Tracer(auto_patch=False)
tracer.patch(["pg8000"])
use_instrumentation(lambda library: tracer.patch([library]))
metrics = Metrics()
EMF = install_metrics_hook()

TITLE = "VK Comments Parser API"
API_VERSION = "1.0.0"
SECURITY: list[dict[str, list[str]]] = [{"ApiKey": []}]

#: Every route module, by the path prefix its routes live under, in the order they are included
#: (api_routes.mounts: a module is imported and included on the first request under its prefix).
MOUNTS = (
    Mount("/health", "health", prefix="/health"),
    Mount("/v1/health", "health", router="deep_router"),
    Mount("/v1/api-keys", "api_keys"),
    Mount("/v1/jobs", "jobs"),
    Mount("/v1/communities/<community_id>", "collections"),  # …/collections, …/monitoring, …/jobs
    Mount("/v1/dead-letters", "dead_letters"),
    Mount("/v1/communities", "communities"),
    Mount("/v1/vk-tokens", "vk_tokens"),
    Mount("/v1/keywords", "keywords"),
    Mount("/v1/analysis", "analysis"),
    Mount("/v1/comments", "comments"),
    Mount("/v1/stats", "stats"),
    Mount("/v1/webhooks", "webhooks"),
    Mount("/v1/exports", "exports"),
    Mount("/v1/workspace", "workspace"),
)
_routes: weakref.WeakKeyDictionary[APIGatewayHttpResolver, LazyRoutes] = weakref.WeakKeyDictionary()


def routes_of(api: APIGatewayHttpResolver) -> LazyRoutes:
    """The route modules of `api`, each included on the first request that needs it."""
    routes = _routes.get(api)
    if routes is None:
        routes = _routes[api] = LazyRoutes(api, MOUNTS)
    return routes


def create_app() -> APIGatewayHttpResolver:
    """One resolver per process (routers bind to the last resolver that includes them)."""
    api = APIGatewayHttpResolver(enable_validation=True)
    # after authentication: the budget and the idempotency record belong to the key's workspace
    api.use(
        middlewares=[
            request_id_and_headers,
            json_media_type,
            json_object_body,
            refuse_nul,
            authenticate_request,
            rate_limit,
            idempotency,
            invalidate_on_write,
        ]
    )
    if not get_settings().is_prod:
        _register_docs(api)
    _register_error_handlers(api)
    return api


def openapi_schema(api: APIGatewayHttpResolver) -> str:
    """The spec as the API behaves; committed as docs/openapi.json (a test keeps them equal)."""
    routes_of(api).include_all()
    # the OpenAPI models are imported by whatever builds a spec (docs, Swagger UI), not at a prod cold start
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

    security_schemes: dict[str, Any] = {"ApiKey": APIKey(name="X-Api-Key", in_=APIKeyIn.header)}
    raw = api.get_openapi_json_schema(
        title=TITLE, version=API_VERSION, security_schemes=security_schemes, security=SECURITY
    )
    return openapi_doc.dumps(openapi_doc.problem_aware(json.loads(raw)))


def _register_docs(api: APIGatewayHttpResolver) -> None:
    """Swagger UI and the JSON spec, outside prod only."""

    @api.get("/swagger", include_in_schema=False)
    def swagger() -> Response[str]:
        spec = openapi_schema(api)
        if api.current_event.get_query_string_value("format") == "json":
            return Response(status_code=200, content_type="application/json", body=spec)
        return Response(status_code=200, content_type="text/html", body=openapi_doc.swagger_html(spec))


def _register_error_handlers(api: APIGatewayHttpResolver) -> None:
    def ctx() -> dict[str, Any]:
        event = api.current_event
        return {"instance": event.path, "request_id": event.request_context.request_id}

    @api.exception_handler(RequestValidationError)
    def on_validation(exc: RequestValidationError) -> Response[str]:
        media = unsupported_media_type(api)
        if media is not None:
            return media
        wrong_method = _static_path_other_method(api)
        if wrong_method is not None:
            return wrong_method
        errors = validation_errors(exc.errors(), _json_body(api))
        return problem(422, "The request is not valid; see errors.", errors=errors, **ctx())

    def _static_path_other_method(api: APIGatewayHttpResolver) -> Response[str] | None:
        """PATCH /v1/communities/import is a 405, not a 422 for "import" as a community id.

        A dynamic route (/communities/<community_id>) matches any segment, static paths included;
        a path that is a static route of other methods only is answered as the gateway routes it.
        """
        event = api.current_event
        allowed = sorted({r.method.upper() for r in api._static_routes if r.rule.match(event.path)})
        if not allowed or event.http_method.upper() in allowed:
            return None
        detail = f"{event.http_method} is not allowed here; use {', '.join(allowed)}."
        return problem(405, detail, headers={"Allow": ", ".join(allowed)}, **ctx())

    @api.exception_handler(RequestUnsupportedContentType)
    def on_unsupported_content_type(exc: RequestUnsupportedContentType) -> Response[str]:
        # Powertools parses the body before any middleware and refuses media types it can't parse
        # (text/plain, ...): that is the client's 415, not our 500.
        return unsupported_media_type(api) or problem(415, "Send the body as application/json.", **ctx())

    @api.exception_handler(UnicodeDecodeError)
    def on_undecodable_body(exc: UnicodeDecodeError) -> Response[str]:
        # Powertools decodes a base64 (binary) body as UTF-8 before validating it: bytes that are not
        # UTF-8 are a body that is not JSON, the client's 422 (like any JSON decode error), not a 500.
        if _body_is_utf8(api.current_event.body, api.current_event.is_base64_encoded):
            return on_unexpected(exc)
        errors = [{"loc": ["body"], "msg": "The body is not UTF-8 encoded JSON.", "type": "json_invalid"}]
        return problem(422, "The request is not valid; see errors.", errors=errors, **ctx())

    @api.exception_handler(DomainError)
    def on_domain(exc: DomainError) -> Response[str]:
        return problem(exc.status, exc.detail, title=exc.title, slug=exc.type_slug, **exc.extra, **ctx())

    @api.not_found
    def on_not_found(exc: NotFoundError) -> Response[str]:
        event = api.current_event
        allowed = _allowed_methods(api, event.path)
        if allowed:
            return problem(
                405,
                f"{event.http_method} is not allowed here; use {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
                **ctx(),
            )
        return problem(404, f"No route for {event.http_method} {event.path}.", **ctx())

    @api.exception_handler(Exception)
    def on_unexpected(exc: Exception) -> Response[str]:
        media = unsupported_media_type(api)
        if media is not None:
            # A non-JSON body never reaches a route (json_media_type), so this failure is Powertools'
            # body parser choking on it first (multipart/form-data without a boundary, ...): a 415.
            logger.info("non-JSON body refused by the body parser", extra={"error": type(exc).__name__})
            return media
        logger.exception("unhandled error")
        return problem(500, "Something went wrong on our side; the request id identifies it.", **ctx())


def _allowed_methods(api: APIGatewayHttpResolver, path: str) -> list[str]:
    """The methods of the path's static routes if it has any (they win over /<id> routes), else of its dynamic ones."""
    static = {r.method.upper() for r in api._static_routes if r.rule.match(path)}
    return sorted(static or {r.method.upper() for r in api._dynamic_routes if r.rule.match(path)})


def _json_body(api: APIGatewayHttpResolver) -> Any:
    """The request's JSON body, or None when there is none or it is not JSON."""
    try:
        return json.loads(api.current_event.decoded_body or "null")
    except ValueError:
        return None


def _path_of(event: dict[str, Any]) -> str:
    """The request path as the resolver matches it (payload format 2.0: rawPath)."""
    path = event.get("rawPath") or (event.get("requestContext") or {}).get("http", {}).get("path")
    return path if isinstance(path, str) else "/"


def _body_is_utf8(body: str | None, is_base64: bool | None) -> bool:
    if not body or not is_base64:
        return True
    try:
        base64.b64decode(body).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    return True


app = create_app()


def before_snapshot() -> None:
    """SnapStart (template.yaml): the snapshot keeps every route module included and the ORM and the
    token signer warm, so a restored copy answers any path without importing; it keeps no connection."""
    routes_of(app).include_all()
    warm_before_snapshot()


snapstart.register(before_snapshot=before_snapshot, after_restore=after_restore)

gc.freeze()
gc.enable()
#: the container's first request builds what later ones reuse (its route modules, the ORM's configured
#: mappers and compiled statements, the connections): the collector is paused for it as for the import
_first_request = True


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    global _first_request  # one flag per container
    first, _first_request = _first_request, False
    if first:
        gc.disable()
    try:
        # body size first: Powertools parses and validates a body before any middleware runs
        oversized = oversized_body(event)
        if oversized is not None:
            return oversized
        routes_of(app).include_for(_path_of(event))
        return app.resolve(event, context)
    finally:
        EMF.flush(metrics)  # what the domain counted during this request (dead letters …)
        if first:
            gc.freeze()
            gc.enable()
