"""RFC 9457 problem responses: every error the API returns has this shape."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

PROBLEM_JSON = "application/problem+json"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Cache-Control": "no-store",
}


def standard_headers(headers: MutableMapping[str, Any], request_id: str | None) -> MutableMapping[str, Any]:
    """The headers every response carries (middleware adds them too; errors raised inside the
    middleware chain skip its way back, so problems set them themselves)."""
    if request_id:
        headers["X-Request-Id"] = request_id
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    return headers


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    slug: str | None = None,
    instance: str | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[str]:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"urn:vkc:problem:{slug or phrase.lower().replace(' ', '-')}",
        "title": title or phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return Response(
        status_code=status,
        content_type=PROBLEM_JSON,
        body=json.dumps(body, ensure_ascii=False, default=str),
        headers=dict(standard_headers(dict(headers or {}), request_id)),
    )


def validation_errors(errors: Any, body: Any = None) -> list[dict[str, Any]]:
    """Pydantic/Powertools validation errors as `[{loc, msg, type}]` with JSON-safe values.

    A body that is a union told apart by `type` (POST /v1/jobs) is reported by field path, as a
    client wrote it: pydantic puts the chosen member's tag in the location (`body.probe.priority`)
    and reports an unknown or missing tag at `body`; both become the paths the client sent.
    """
    tag = body.get("type") if isinstance(body, dict) else None
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", [])]
        kind = e.get("type")
        if kind in ("union_tag_invalid", "union_tag_not_found") and loc == ["body"]:
            loc = ["body", "type"]
        elif isinstance(tag, str) and loc[:2] == ["body", tag]:
            loc = ["body", *loc[2:]]
        out.append({"loc": loc, "msg": str(e.get("msg", "")), "type": kind})
    return out
