"""Over HTTP through the local stack: /v1/health/deep, API key management, CORS and security headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from devtools.local_stack import LocalStack
from tests.e2e.conftest import add_user_token, new_workspace_client, without_redis

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
EVIL = "https://evil.example"


def _has_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.status_code, name, dict(response.headers))
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-request-id"]


@pytest.fixture(scope="module")
def other(stack: LocalStack) -> Iterator[httpx.Client]:
    with new_workspace_client(stack) as client:
        yield client


# --- /v1/health/deep ---------------------------------------------------------------------------------


def test_deep_health_needs_a_key(stack: LocalStack) -> None:
    assert httpx.get(f"{stack.api_url}/v1/health/deep").status_code == 401


def test_deep_health_reports_dependencies_queues_scheduler_and_token_pool(stack: LocalStack, api: httpx.Client) -> None:
    add_user_token(api)
    stack.tick_scheduler()
    response = api.get("/v1/health/deep")
    assert response.status_code == 200, response.text
    _has_security_headers(response)
    body = response.json()
    assert body["status"] == "ok"
    checks = {c["name"]: c for c in body["checks"]}
    assert set(checks) == {"database", "redis", "queues", "scheduler", "vk_token_pool"}
    assert all(c["ok"] for c in checks.values()), checks
    queues = checks["queues"]["detail"]["queues"]
    assert set(queues) == {f"{w}-{p}" for w in ("parse", "analyze") for p in ("high", "normal", "low")}
    for depth in queues.values():
        assert {"visible", "in_flight", "delayed", "dead_letters", "last_received_lag_ms"} <= set(depth)
        assert depth["dead_letters"] >= 0
    assert "CloudWatch" in checks["queues"]["detail"]["age"]  # says how age is measured
    assert checks["scheduler"]["detail"]["last_tick"] is not None
    assert checks["scheduler"]["detail"]["age_s"] >= 0
    tokens = checks["vk_token_pool"]["detail"]["tokens"]
    assert tokens
    assert tokens[0]["type"] == "user"
    assert {"breaker", "cooldown_until", "usage_today", "state", "token_id"} <= set(tokens[0])
    for secret in stack.vk_tokens:  # never a token, not even its hint
        assert secret not in response.text
        assert secret[-4:] + '"' not in response.text


def test_deep_health_is_503_when_a_core_dependency_is_down(stack: LocalStack, api: httpx.Client) -> None:
    with stack.function_env("ApiFunction", without_redis()):  # the API's containers restart without Redis
        response = api.get("/v1/health/deep")
    assert response.status_code == 503, response.text
    _has_security_headers(response)
    checks = {c["name"]: c for c in response.json()["checks"]}
    assert response.json()["status"] == "unavailable"
    assert checks["redis"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_deep_health_lists_only_the_callers_token_pool(other: httpx.Client) -> None:
    body = other.get("/v1/health/deep").json()
    pool = next(c for c in body["checks"] if c["name"] == "vk_token_pool")
    assert pool["detail"]["tokens"] == []


# --- /v1/api-keys --------------------------------------------------------------------------------------


def test_keys_are_listed_with_prefix_only(stack: LocalStack, api: httpx.Client) -> None:
    response = api.get("/v1/api-keys")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items
    assert all(set(i) == {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "active"} for i in items)
    assert stack.api_key not in response.text
    assert any(stack.api_key.startswith(i["prefix"]) for i in items)


def test_create_rotate_revoke_and_a_revoked_key_is_401(stack: LocalStack, api: httpx.Client) -> None:
    created = api.post("/v1/api-keys", json={"name": "ci"})
    assert created.status_code == 201, created.text
    _has_security_headers(created)
    key, key_id = created.json()["key"], created.json()["id"]
    assert key.startswith(created.json()["prefix"])
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": key}) as ci:
        assert ci.get("/v1/jobs").status_code == 200
        listed = api.get("/v1/api-keys").json()["items"]
        assert key not in str(listed)
        assert next(i for i in listed if i["id"] == key_id)["last_used_at"] is not None

        rotated = api.post(f"/v1/api-keys/{key_id}/rotate", json={})
        assert rotated.status_code == 201, rotated.text
        new_key = rotated.json()["key"]
        assert new_key != key
        assert rotated.json()["name"] == "ci"
        assert ci.get("/v1/jobs").status_code == 401  # the old key stopped at once
        assert api.post(f"/v1/api-keys/{key_id}/rotate", json={}).status_code == 409  # already revoked
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": new_key}) as ci2:
        assert ci2.get("/v1/jobs").status_code == 200
        revoked = api.delete(f"/v1/api-keys/{rotated.json()['id']}")
        assert revoked.status_code == 204, revoked.text
        _has_security_headers(revoked)
        failed = ci2.get("/v1/jobs")
        assert failed.status_code == 401
        _has_security_headers(failed)
    assert api.delete(f"/v1/api-keys/{rotated.json()['id']}").status_code == 204  # idempotent
    states = {i["id"]: i["active"] for i in api.get("/v1/api-keys").json()["items"]}
    assert states[key_id] is False
    assert states[rotated.json()["id"]] is False


def test_rotation_with_a_grace_period_keeps_the_old_key_working(stack: LocalStack, api: httpx.Client) -> None:
    created = api.post("/v1/api-keys", json={"name": "grace"}).json()
    rotated = api.post(f"/v1/api-keys/{created['id']}/rotate", json={"grace_seconds": 3600})
    assert rotated.status_code == 201, rotated.text
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": created["key"]}) as old:
        assert old.get("/v1/jobs").status_code == 200
    old_view = next(i for i in api.get("/v1/api-keys").json()["items"] if i["id"] == created["id"])
    assert old_view["active"] is True
    assert old_view["revoked_at"] is not None
    assert api.post(f"/v1/api-keys/{created['id']}/rotate", json={"grace_seconds": 10**9}).status_code == 422


def test_revoking_the_only_active_key_of_the_caller_is_409(stack: LocalStack, other: httpx.Client) -> None:
    mine = [i for i in other.get("/v1/api-keys").json()["items"] if i["active"]]
    assert len(mine) == 1
    refused = other.delete(f"/v1/api-keys/{mine[0]['id']}")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    _has_security_headers(refused)
    spare = other.post("/v1/api-keys", json={"name": "spare"}).json()
    assert other.delete(f"/v1/api-keys/{mine[0]['id']}").status_code == 204  # another key stays active
    assert other.get("/v1/jobs").status_code == 401
    other.headers["X-Api-Key"] = spare["key"]
    assert other.get("/v1/jobs").status_code == 200


def test_another_workspaces_key_id_is_404(api: httpx.Client, other: httpx.Client) -> None:
    foreign = other.get("/v1/api-keys").json()["items"][0]["id"]
    for response in (
        api.delete(f"/v1/api-keys/{foreign}"),
        api.post(f"/v1/api-keys/{foreign}/rotate", json={}),
    ):
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert foreign not in {i["id"] for i in api.get("/v1/api-keys").json()["items"]}


# --- CORS and headers ------------------------------------------------------------------------------------


def test_cors_allows_the_configured_origin_only(stack: LocalStack, api: httpx.Client) -> None:
    allowed = stack.api_url  # the local stack's CORS_ORIGINS, as CorsOrigins is in AWS
    ok = api.get("/v1/jobs", headers={"Origin": allowed})
    assert ok.headers["access-control-allow-origin"] == allowed
    assert "x-request-id" in ok.headers["access-control-expose-headers"].lower()
    evil = api.get("/v1/jobs", headers={"Origin": EVIL})
    assert evil.status_code == 200  # CORS is enforced by the browser; the answer just grants nothing
    assert "access-control-allow-origin" not in evil.headers
    for response in (ok, evil, api.get("/v1/nope", headers={"Origin": EVIL})):
        assert response.headers.get("access-control-allow-origin") != "*"


def test_cors_preflight(stack: LocalStack) -> None:
    allowed = stack.api_url
    request = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key,content-type"}
    ok = httpx.options(f"{stack.api_url}/v1/jobs", headers={"Origin": allowed, **request})
    assert ok.headers["access-control-allow-origin"] == allowed
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "x-api-key" in ok.headers["access-control-allow-headers"]
    evil = httpx.options(f"{stack.api_url}/v1/jobs", headers={"Origin": EVIL, **request})
    assert "access-control-allow-origin" not in evil.headers


def test_the_lambda_itself_never_answers_cors_headers(stack: LocalStack) -> None:
    event_headers = {"origin": EVIL, "x-api-key": stack.api_key}
    result = stack.invoke("ApiFunction", _http_event("GET", "/v1/jobs", event_headers))
    assert result["statusCode"] == 200
    assert not [k for k in result.get("headers", {}) if k.lower().startswith("access-control-")]


def test_security_headers_on_success_and_errors(stack: LocalStack, api: httpx.Client) -> None:
    for response in (
        httpx.get(f"{stack.api_url}/health/live"),
        api.get("/v1/jobs"),
        api.get("/v1/no-such-thing"),
        api.delete("/v1/jobs"),
        httpx.get(f"{stack.api_url}/v1/jobs"),
        api.post("/v1/api-keys", content="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        api.post("/v1/api-keys", json={"name": ""}),
    ):
        _has_security_headers(response)


def _http_event(method: str, path: str, headers: dict[str, str]) -> dict[str, object]:
    """A minimal HTTP API (payload 2.0) event, as API Gateway sends it."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "local",
            "domainPrefix": "local",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
            "requestId": "lambda-direct-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:04:00:00 +0000",
            "timeEpoch": 1795320000000,
        },
        "isBase64Encoded": False,
    }
