"""schemathesis hooks for the contract run: generated requests use tokens as a real client would.

Two values in the spec are tokens whose meaning is "one the API gave you", which a schema cannot
state, so generated valid requests would carry values no client sends:
- `cursor`: the `next_cursor` of an earlier page of the same list (and, for comments, the same
  sort). A made-up cursor is a 422 by design. A valid generated request keeps its cursor only when
  the API issued it in this run (the stateful phase pages with real ones); otherwise it asks for the
  first page.
- `Idempotency-Key`: a new key per request. Reusing a key with another body is a 422 by design
  (draft-ietf-httpapi-idempotency-key-header), but hypothesis repeats generated values. A valid
  generated request gets a fresh key.
Requests generated to be invalid are sent as generated.

And some schema-valid requests are refused by a rule of the domain that JSON Schema can't state
(VK decides whether a token works; the matching engine whether a regex compiles): `filter_failure`
drops those "schema-valid request rejected" failures, and only those, each recognised by the
operation and the problem the API answered with (DOMAIN_REFUSALS). schemathesis counts what it drops
in its summary.

schemathesis.toml names this module (`hooks`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import schemathesis

# (operation path template, sort) → cursors the API answered with
_ISSUED: set[tuple[str, str, str]] = set()
_DEFAULT_SORT = "date_desc"


def _generated_valid(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    if meta is None:
        return True
    return bool(meta.generation.mode.is_positive)


def _sort(query: dict[str, Any] | None) -> str:
    value = (query or {}).get("sort")
    return value if isinstance(value, str) else _DEFAULT_SORT


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """Remember every next_cursor the API issues, with the list and sort it belongs to."""
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("next_cursor"), str):
        _ISSUED.add((case.operation.path, _sort(case.query), body["next_cursor"]))


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    if not _generated_valid(case):
        return
    query = case.query
    cursor = query.get("cursor") if query else None
    if isinstance(cursor, str) and (case.operation.path, _sort(query), cursor) not in _ISSUED:
        del query["cursor"]
    headers = case.headers
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = uuid.uuid4().hex


def _has(key: str) -> Callable[[dict[str, Any]], bool]:
    return lambda problem: key in problem


def _detail(*starts: str) -> Callable[[dict[str, Any]], bool]:
    return lambda problem: str(problem.get("detail", "")).startswith(starts)


def _error_at(*loc: str) -> Callable[[dict[str, Any]], bool]:
    return lambda problem: any(e.get("loc") == list(loc) for e in problem.get("errors") or [])


def _error_says(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda problem: any(text in str(e.get("msg", "")) for e in problem.get("errors") or [])


_UPLOAD = _detail("The upload has ")
_COLLECTION_WINDOW = _error_says("since must not be after until")
_ENGINE = _has("reason")  # the matching engine's reason: no letters or digits, a regex that doesn't compile
_WINDOW = _detail("The window is longer than", "Unknown time zone", "date_from must be before date_to")

#: Operation → how its 422 says "a domain rule the schema can't state refused this".
DOMAIN_REFUSALS: dict[str, Callable[[dict[str, Any]], bool]] = {
    # the input parser and VK decide what names a community (a user, a deleted page, `id0`...)
    "POST /v1/communities": _has("outcome"),
    "POST /v1/communities/resolve": _has("outcome"),
    # VK decides whether a token works
    "POST /v1/vk-tokens": _has("vk_error_code"),
    "POST /v1/keywords": _ENGINE,
    "PATCH /v1/keywords/{keyword_id}": _ENGINE,
    "POST /v1/analysis/preview": _ENGINE,
    # https to a public host (resolved when the webhook is saved)
    "POST /v1/webhooks": _error_at("body", "url"),
    "PATCH /v1/webhooks/{webhook_id}": _error_at("body", "url"),
    # an upload with nothing to import in it, or too many lines
    "POST /v1/keywords/import": _UPLOAD,
    "POST /v1/communities/import": _UPLOAD,
    # a collection's window runs forwards
    "POST /v1/jobs": _COLLECTION_WINDOW,
    "POST /v1/communities/{community_id}/collections": _COLLECTION_WINDOW,
    # bounded windows and IANA zones
    "GET /v1/stats/timeline": _WINDOW,
    "GET /v1/stats/lemmas/top": _WINDOW,
    "GET /v1/stats/lemmas/trending": _WINDOW,
}


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except a 422 that DOMAIN_REFUSALS recognises for its operation."""
    if getattr(failure, "code", None) != "ST202" or response.status_code != 422:
        return True
    recognises = DOMAIN_REFUSALS.get(f"{case.method.upper()} {case.operation.path}")
    if recognises is None:
        return True
    try:
        problem = response.json()
    except ValueError:
        return True
    return not (isinstance(problem, dict) and recognises(problem))
