"""Client mistakes get a clear 4xx problem+json with the request id, never a 500; health needs no key."""

from __future__ import annotations

import httpx
import pytest

from devtools.local_stack import LocalStack

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return dict(body)


def test_health_is_public_and_ready_checks_dependencies(stack: LocalStack) -> None:
    live = httpx.get(f"{stack.api_url}/health/live")
    assert live.status_code == 200
    ready = httpx.get(f"{stack.api_url}/health/ready").json()
    assert ready["status"] == "ok"
    assert {c["name"] for c in ready["checks"]} == {"database", "redis", "queues"}
    assert all(c["latency_ms"] >= 0 for c in ready["checks"])


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "vkc_not-a-key"}, {"Authorization": "Bearer nope"}])
def test_missing_or_wrong_key_is_401(stack: LocalStack, headers: dict) -> None:
    response = httpx.get(f"{stack.api_url}/v1/jobs", headers=headers)
    _problem(response, 401)
    assert "ApiKey" in response.headers["www-authenticate"]


def test_unknown_route_is_404(api: httpx.Client) -> None:
    _problem(api.get("/v1/no-such-thing"), 404)


def test_wrong_method_is_405_with_allow(api: httpx.Client) -> None:
    response = api.delete("/v1/jobs")
    _problem(response, 405)
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_body_that_is_not_json_is_415(api: httpx.Client) -> None:
    response = api.post("/v1/jobs", content="type=probe", headers={"Content-Type": "application/x-www-form-urlencoded"})
    _problem(response, 415)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"type": "nope"}, ["body", "type"]),
        ({"type": "probe", "priority": "urgent"}, ["body", "priority"]),
        ({"type": "probe", "payload": {"checks": []}}, ["body", "payload", "checks"]),
        ({"type": "probe", "surprise": 1}, ["body", "surprise"]),
    ],
)
def test_invalid_job_is_422_with_field_errors(api: httpx.Client, body: dict, loc: list[str]) -> None:
    problem = _problem(api.post("/v1/jobs", json=body), 422)
    assert any(e["loc"][: len(loc)] == loc for e in problem["errors"]), problem


def test_malformed_json_is_4xx_not_500(api: httpx.Client) -> None:
    response = api.post("/v1/jobs", content="{not json", headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == PROBLEM


def test_every_response_has_a_request_id_and_security_headers(api: httpx.Client) -> None:
    response = api.get("/v1/jobs")
    assert response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_probe_job_goes_queued_running_succeeded_with_timings(stack: LocalStack, api: httpx.Client) -> None:
    created = api.post("/v1/jobs", json={"type": "probe"})
    assert created.status_code == 202
    assert created.json()["status"] == "queued"
    stack.drain(timeout=60)
    job = api.get(created.headers["location"]).json()
    assert job["status"] == "succeeded", job
    assert job["result"]["all_ok"] is True
    assert {c["name"] for c in job["result"]["checks"]} == {"database", "redis", "queues", "vk_api"}
    assert job["timings"]["queued_ms"] is not None
    assert job["timings"]["run_ms"] is not None
    listed = api.get("/v1/jobs", params={"status": "succeeded", "limit": 1}).json()
    assert listed["items"][0]["status"] == "succeeded"


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_a_method_no_route_has_is_answered_as_the_gateway_would(api: httpx.Client, method: str) -> None:
    """template.yaml routes ANY /v1/{proxy+} and /health/{proxy+} to the API Lambda (which refuses the
    method) and only GET /swagger; anything else is the gateway's own 404. Never a 501."""
    body = _problem(api.request(method, "/v1/jobs"), 405)
    assert method in body["detail"]
    assert "GET" in body["detail"]
    _problem(api.request(method, "/health/live"), 405)
    _problem(api.request(method, "/v1/no-such-thing"), 404)
    for unrouted in ("/swagger", "/no-such-thing"):
        response = api.request(method, unrouted)
        assert (response.status_code, response.json()) == (404, {"message": "Not Found"})
