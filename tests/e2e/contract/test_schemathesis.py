"""schemathesis over docs/openapi.json against the local stack's API (a bounded number of cases).

Every operation gets a few examples generated from the spec (valid and schema-edge values) and is
called with the stack's API key. Each response must not be a server error, must be a status code
the spec lists for that operation, and must match the documented schema and media type.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from devtools.local_stack import LocalStack
from tests.support.spec import SPEC_PATH

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# ~60 operations x this many examples must stay well under a minute against the local stack.
MAX_EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded at import, so each operation is its own test; the base URL and key come from the stack.
schema = schemathesis.openapi.from_path(SPEC_PATH)
# Unexpected-method probes (405 + Allow) without TRACE: the HTTP API only routes GET/HEAD/OPTIONS/
# POST/PUT/PATCH/DELETE to the function, and the local adapter (http.server) answers TRACE with 501.
schema.config.phases.coverage.unexpected_methods = {"get", "put", "post", "delete", "options", "patch"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible, not flaky
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
def test_api_conforms_to_its_spec(case: Any, stack: LocalStack) -> None:
    case.call_and_validate(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, checks=CHECKS, timeout=30)


# The server errors schemathesis found, pinned as plain regression tests (bodies Powertools parses
# before any middleware runs: each used to be an unhandled exception, a 500).
@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b'{"text": "x"}', 415),  # RequestUnsupportedContentType
        ("multipart/form-data", b'{"text": "x"}', 415),  # ValueError: no boundary
        ("application/json", b'{"text": "\xff"}', 422),  # base64 body that is not UTF-8
    ],
    ids=["text-plain", "multipart-without-boundary", "not-utf8"],
)
def test_unparseable_bodies_are_client_errors(api: httpx.Client, content_type: str, body: bytes, status: int) -> None:
    response = api.post("/v1/keywords", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status
