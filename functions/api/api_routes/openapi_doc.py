"""The OpenAPI document as the API really behaves, and the Swagger UI that shows it.

Powertools documents validation errors as `application/json` HTTPValidationError; our API answers
every error as `application/problem+json` (RFC 9457). We rewrite the generated document so clients
and schemathesis see the truth: Problem schemas for 401, 404, 405, 415, 422, 429 and 5xx.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import openapi as openapi_pkg
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from vkc.wire_types import NO_NUL_PATTERN

from api_routes.problems import PROBLEM_JSON

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": ["string", "null"]},
                },
            },
        },
    },
    "additionalProperties": True,
}
_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    "400": "Malformed Idempotency-Key header",
    "401": "Missing, invalid or revoked API key",
    "404": "No such object in this workspace",
    "405": "Method not allowed on this path",
    "409": "A request with this Idempotency-Key is still in progress",
    "413": "Request body over the limit (1 MiB; 4 MiB on the import routes)",
    "415": "Body is not JSON",
    "422": "The request is not valid (see errors)",
    "429": "Too many requests of this class for this API key; retry after Retry-After seconds",
    "500": "Unexpected server error (the request id identifies it)",
    "503": "A dependency is unavailable",
}
PUBLIC_PATHS = ("/health/live", "/health/ready")


_RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}


def problem_response(description: str) -> OpenAPIResponse:
    """A problem+json response a route declares itself (e.g. a 404 for an id sent in the query or body)."""
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _REF}}}


def _problem(code: str) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _DESCRIPTIONS[code], "content": {PROBLEM_JSON: {"schema": _REF}}}
    if code == "429":
        response["headers"] = {"Retry-After": _RETRY_AFTER}
    return response


def problem_aware(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare the problem responses each operation can really return."""
    _integer_bounds(spec)
    _no_nul_strings(spec)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            responses = op.setdefault("responses", {})
            if "204" in responses:
                # Powertools documents `Response[None]` as a JSON null; a 204 has no content at all.
                responses["204"].pop("content", None)
            codes = ["422", "500"]
            if not path.startswith(PUBLIC_PATHS):
                codes += ["401", "429"]  # every authenticated route spends its key's rate budget
            else:
                op["security"] = []
            if "{" in path:
                codes.append("404")
            if method in ("post", "put", "patch"):
                codes += ["415", "503"]
            if path == "/health/ready":
                codes.append("503")
            for code in codes:
                responses[code] = _problem(code)
            if method in ("post", "put", "patch"):
                responses.setdefault("413", _problem("413"))  # routes may say more (upload limits)
            if method == "post" and not path.startswith(PUBLIC_PATHS):
                _idempotency_key(op)
    return spec


def _no_nul_strings(node: Any) -> None:
    """Every free string says it holds no NUL: the API refuses one (api_routes.middleware.refuse_nul).

    Strings with a format, an enum, a const or their own pattern are left alone (none admits NUL).
    """
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"format", "enum", "const", "pattern"} & node.keys():
            node["pattern"] = NO_NUL_PATTERN
        for child in node.values():
            _no_nul_strings(child)
    elif isinstance(node, list):
        for child in node:
            _no_nul_strings(child)


def _integer_bounds(node: Any) -> None:
    """Integer bounds as integers: Powertools' OpenAPI model stores every bound as a float (1.0, 100.0)."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = node.get(bound)
                if isinstance(value, float) and value.is_integer():
                    node[bound] = int(value)
        for child in node.values():
            _integer_bounds(child)
    elif isinstance(node, list):
        for child in node:
            _integer_bounds(child)


IDEMPOTENCY_KEY_PARAM: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the POST safe to retry for 24 h: the same key and body get the first response again "
    "(with Idempotent-Replayed: true); the same key with another body is 422; while the first request "
    "still runs, 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"},
}


def _idempotency_key(op: dict[str, Any]) -> None:
    """Every authenticated POST takes an optional Idempotency-Key (api_routes.idempotency)."""
    op.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAM)
    responses = op["responses"]
    responses.setdefault("400", _problem("400"))
    responses.setdefault("409", _problem("409"))


_SWAGGER_DIR = Path(openapi_pkg.__path__[0])


def swagger_html(spec_json: str) -> str:
    """Swagger UI with its assets inlined from the Powertools wheel (no CDN)."""
    # outside prod only: the Swagger UI package (and the OpenAPI models it imports) stays out of a prod cold start
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    js = (_SWAGGER_DIR / "swagger_ui" / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    css = (_SWAGGER_DIR / "swagger_ui" / "swagger-ui.min.css").read_text(encoding="utf-8")
    return generate_swagger_html(spec_json.replace("</", "<\\/"), js, css, "", None, False)


def dumps(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
