"""schemathesis over docs/openapi.json against a local stack: every check, a bounded run.

The same configuration as `make contract` (schemathesis.toml: all checks, deterministic generation,
the same hooks) with 5 examples per operation and without the coverage phase, whose edge cases
(every bound, pattern and undeclared method of every operation) take minutes on a 2-core machine:
`make contract` runs it. The operations come from the spec, so new routes are covered once
documented.
"""

from __future__ import annotations

import subprocess

import httpx
import pytest

from devtools.contract import schemathesis_command
from devtools.local_stack import LocalStack
from tests.support.spec import load_spec

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# Per operation and phase; `make contract` runs 50 and the coverage phase too.
BOUNDED = ["--max-examples", "5", "--phases", "examples,fuzzing,stateful"]


def test_api_conforms_to_its_spec(stack: LocalStack) -> None:
    command = schemathesis_command(stack.api_url, stack.api_key, BOUNDED)
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-5000:]


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


# What the full schemathesis run found, pinned as plain requests.


def test_a_job_without_its_payload_is_a_client_error(api: httpx.Client) -> None:
    """A collect job without a payload used to reach the active-collection check with "None": a 500."""
    response = api.post("/v1/jobs", json={"type": "collect"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_payload_of_another_type_is_refused_as_the_spec_says(api: httpx.Client) -> None:
    response = api.post("/v1/jobs", json={"type": "export", "payload": {}})
    assert response.status_code == 422, response.text
    assert any("payload" in error["loc"] for error in response.json()["errors"])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/keywords", {"category": "a\x00b"}),
        ("/v1/keywords", {"q": "a\x00b"}),
        ("/v1/communities", {"q": "a\x00b"}),
        ("/v1/comments", {"category": "a\x00b"}),
        ("/v1/comments", {"q": "a\x00b"}),
    ],
    ids=["keyword-category", "keyword-q", "community-q", "comment-category", "comment-q"],
)
def test_a_nul_character_in_a_filter_is_a_client_error(api: httpx.Client, path: str, params: dict[str, str]) -> None:
    """PostgreSQL text can't hold NUL: the filter reached the database and failed there, a 500."""
    response = api.get(path, params=params)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "path", ["/v1/jobs/stats?since=0.5", "/v1/jobs/stats?until=0.5", "/v1/jobs/failures?since=0.5"]
)
def test_a_number_is_not_a_date_time(api: httpx.Client, path: str) -> None:
    """pydantic read `0.5` as a Unix time; the spec says ISO 8601."""
    response = api.get(path)
    assert response.status_code == 422, response.text


def test_iso_date_times_are_still_read(api: httpx.Client) -> None:
    for value in ("2026-01-31T12:00:00Z", "2026-01-31T12:00:00+03:00", "2026-01-31T12:00:00", "2026-01-31"):
        assert api.get("/v1/jobs/stats", params={"since": value}).status_code == 200, value


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/v1/communities/import", "POST"),
        ("DELETE", "/v1/keywords/categories", "GET"),
        ("PATCH", "/v1/keywords/import", "POST"),
        ("GET", "/v1/comments/bulk", "POST"),
    ],
)
def test_a_static_path_answers_other_methods_with_405(api: httpx.Client, method: str, path: str, allow: str) -> None:
    """The id route next to it (/communities/{id}) took "import" for an id: a 422 instead of a 405."""
    response = api.request(method, path, json={})
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow


def test_the_largest_comment_id_the_spec_allows_is_accepted(api: httpx.Client) -> None:
    """The spec said 2**63 (a float), the route refused anything above 2**63 - 1."""
    schema = load_spec()["paths"]["/v1/comments/{comment_id}"]["get"]["parameters"][0]["schema"]
    assert api.get(f"/v1/comments/{schema['maximum']}").status_code == 404
    assert api.get(f"/v1/comments/{schema['maximum'] + 1}").status_code == 422


def test_post_filter_follows_its_pattern(api: httpx.Client) -> None:
    assert api.get("/v1/comments", params={"post": "wall-1_2"}).status_code == 200
    assert api.get("/v1/comments", params={"post": "-1_0"}).status_code == 422
    assert api.get("/v1/comments", params={"post": " -1_2"}).status_code == 422


def test_an_inverted_date_range_selects_nothing(api: httpx.Client) -> None:
    """date_from at or after date_to is an empty half-open range (the spec can't state their order)."""
    params = {"date_from": "2024-02-01T00:00:00Z", "date_to": "2024-01-01T00:00:00Z"}
    response = api.get("/v1/comments", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
    assert api.get("/v1/comments/count", params=params).json() == {"count": 0}


def test_patch_fields_that_cannot_be_cleared_refuse_null(api: httpx.Client) -> None:
    created = api.post("/v1/keywords", json={"text": "контрактный"})
    assert created.status_code == 201, created.text
    keyword_id = created.json()["id"]
    response = api.patch(f"/v1/keywords/{keyword_id}", json={"case_sensitive": None})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "case_sensitive"]
    assert api.patch(f"/v1/keywords/{keyword_id}", json={"category": None}).status_code == 200


def test_unknown_keywords_of_a_webhook_are_404(api: httpx.Client) -> None:
    body = {"url": "https://hooks.example.com/vkc", "keyword_ids": ["00000000-0000-4000-8000-000000000000"]}
    response = api.post("/v1/webhooks", json=body)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_204_has_no_body(api: httpx.Client) -> None:
    created = api.post("/v1/keywords", json={"text": "удаляемый"})
    response = api.delete(f"/v1/keywords/{created.json()['id']}")
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("body", [[], [{}], 7, "x", None], ids=["list", "list-of-object", "number", "string", "null"])
def test_a_body_that_is_not_an_object_is_refused(api: httpx.Client, body: object) -> None:
    """Powertools read any value as a model whose fields all have defaults: `[]` created an API key."""
    before = len(api.get("/v1/api-keys").json()["items"])
    response = api.post("/v1/api-keys", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert len(api.get("/v1/api-keys").json()["items"]) == before
