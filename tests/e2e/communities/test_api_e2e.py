"""Communities and VK tokens over HTTP through the local stack (API Gateway adapter, SQS, workers, emulator)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devtools.local_stack import LocalStack
from devtools.local_stack.emulator import DEV_VK_TOKENS
from devtools.vk_emulator import generate_dataset

pytestmark = pytest.mark.e2e

USER_TOKEN = next(t for t, kind in DEV_VK_TOKENS.items() if kind == "user")
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"c{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True) as s:
        yield s


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def roles() -> dict[str, Any]:
    """The small dataset the local stack's emulator serves (preset small, seed 42)."""
    all_ = list(generate_dataset("small", 42).communities.values())
    return {
        "open": [c for c in all_ if c.is_closed == 0 and not c.deactivated],
        "closed": next(c for c in all_ if c.is_closed == 1),
    }


@pytest.fixture(scope="module")
def token_view(api: httpx.Client) -> dict[str, Any]:
    response = api.post("/v1/vk-tokens", json={"token": USER_TOKEN, "label": "emulator user"})
    assert response.status_code == 201, response.text
    return dict(response.json())


def other_workspace(stack: LocalStack) -> httpx.Client:
    from vkc.db.engine import session_scope
    from vkc.workspaces.service import create_workspace

    with session_scope(stack.settings) as session:
        _, key = create_workspace(session, f"other-{uuid.uuid4().hex[:6]}")
    return httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": key}, timeout=30)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return dict(response.json())


def test_token_added_once_listed_masked(api: httpx.Client, token_view: dict[str, Any]) -> None:
    assert token_view["type"] == "user"
    assert token_view["hint"] == "…" or USER_TOKEN not in token_view["hint"]
    again = problem(api.post("/v1/vk-tokens", json={"token": USER_TOKEN}), 409)
    assert again["existing_id"] == token_view["id"]
    listed = api.get("/v1/vk-tokens").json()["items"]
    assert [t["id"] for t in listed] == [token_view["id"]]
    assert listed[0]["state"] == "active"
    assert listed[0]["requests_today"] >= 2
    assert api.get(f"/v1/vk-tokens/{token_view['id']}").json()["token_id"] == token_view["token_id"]


def test_invalid_token_is_422_with_reason(api: httpx.Client) -> None:
    body = problem(api.post("/v1/vk-tokens", json={"token": "vk1.a.not-a-token-the-emulator-knows"}), 422)
    assert "error 5" in body["detail"]


def test_secret_never_in_logs_or_responses(stack: LocalStack, capfd: pytest.CaptureFixture[str]) -> None:
    """The API's containers log at DEBUG locally (Powertools, `vkc`); their log file is what CloudWatch
    would get. botocore's DEBUG dumps are covered in tests/vk_tokens/test_secrets_adapter.py."""
    secret = next(t for t, kind in DEV_VK_TOKENS.items() if kind == "service")
    client = other_workspace(stack)
    log = stack.log_file("ApiFunction")
    start = log.stat().st_size
    try:
        responses = [client.post("/v1/vk-tokens", json={"token": secret, "label": "svc"})]
        created = responses[0].json()
        responses += [
            client.post("/v1/vk-tokens", json={"token": secret}),  # 409
            client.get("/v1/vk-tokens"),
            client.get(f"/v1/vk-tokens/{created['id']}"),
            client.post("/v1/vk-tokens", json={"token": secret + "x" * 600}),  # 422 too long
            client.post("/v1/vk-tokens", json={"token": secret, "extra": 1}),  # 422 validation
            client.delete(f"/v1/vk-tokens/{created['id']}"),
        ]
    finally:
        client.close()
    assert [r.status_code for r in responses] == [201, 409, 200, 200, 422, 422, 204]
    with log.open(errors="replace") as f:
        f.seek(start)
        logged = f.read()
    assert "VK token added" in logged, "the API's logs were read"
    assert secret not in logged
    printed = capfd.readouterr()
    assert secret not in printed.out + printed.err  # and nothing the stack itself printed
    for response in responses:
        assert secret not in response.text
        assert secret not in str(response.headers)


def test_community_lifecycle(stack: LocalStack, api: httpx.Client, token_view: dict[str, Any], roles: Any) -> None:
    c = roles["open"][0]
    created = api.post("/v1/communities", json={"input": f"https://m.vk.com/{c.screen_name}?w=wall-{c.id}_5"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/v1/communities/{body['id']}"
    assert (body["vk_id"], body["name"], body["can_collect"]) == (c.id, c.name, True)
    assert api.get(created.headers["location"]).json() == body

    dup = problem(api.post("/v1/communities", json={"input": f"club{c.id}"}), 409)
    assert dup["existing_id"] == body["id"]
    missing = problem(api.post("/v1/communities", json={"input": "nobody_here_zz"}), 404)
    assert missing["input"] == "nobody_here_zz"
    problem(api.post("/v1/communities", json={"input": "https://example.com/x"}), 422)

    settings = {"monitoring_enabled": True, "monitoring_priority": "low"}
    patched = api.patch(f"/v1/communities/{body['id']}", json=settings)
    assert patched.status_code == 200, patched.text
    assert patched.json()["next_monitoring_at"] is not None
    assert patched.json()["monitoring_priority"] == "low"
    problem(api.patch(f"/v1/communities/{body['id']}", json={"monitoring_interval_minutes": 3}), 422)

    with other_workspace(stack) as other:
        problem(other.get(f"/v1/communities/{body['id']}"), 404)
        problem(other.delete(f"/v1/communities/{body['id']}"), 404)

    assert api.delete(f"/v1/communities/{body['id']}").status_code == 204
    problem(api.get(f"/v1/communities/{body['id']}"), 404)


def test_closed_community_is_stored_not_collectable(api: httpx.Client, token_view: dict[str, Any], roles: Any) -> None:
    closed = roles["closed"]
    response = api.post("/v1/communities", json={"input": closed.screen_name})
    assert response.status_code == 201, response.text
    assert response.json()["can_collect"] is False
    assert response.json()["cannot_collect_reason"]
    listed = api.get("/v1/communities", params={"can_collect": "false"}).json()["items"]
    assert closed.id in [c["vk_id"] for c in listed]
    problem(api.patch(f"/v1/communities/{response.json()['id']}", json={"monitoring_enabled": True}), 422)


def test_bulk_import_job_reports_each_line(
    stack: LocalStack, api: httpx.Client, token_view: dict[str, Any], roles: Any
) -> None:
    a, b = roles["open"][1], roles["open"][2]
    lines = ["# two communities, one twice, one unknown", "url", f"vk.com/{a.screen_name}", f"club{b.id}", f"-{b.id}"]
    content = "\n".join([*lines, "zz_unknown_zz"]) + "\n"
    response = api.post("/v1/communities/import", json={"content": content})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert response.headers["location"] == f"/v1/jobs/{job_id}"
    assert response.json()["priority"] == "low"
    stack.drain(60)
    deadline = time.monotonic() + 30
    while (job := api.get(f"/v1/jobs/{job_id}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    outcomes = [(r["line"], r["outcome"]) for r in job["result"]["lines"]]
    assert outcomes == [(3, "created"), (4, "created"), (5, "duplicate"), (6, "not_found")]
    names = {c["vk_id"] for c in api.get("/v1/communities", params={"limit": 100}).json()["items"]}
    assert {a.id, b.id} <= names


def test_import_limits_are_problems(api: httpx.Client) -> None:
    problem(api.post("/v1/communities/import", json={"content": "x" * (1024 * 1024 + 1)}), 413)
    problem(api.post("/v1/communities/import", json={"content": "# nothing\n"}), 422)
    problem(api.post("/v1/communities/import", json={"content": "a", "format": "xlsx"}), 422)


def test_pagination_over_http(api: httpx.Client, token_view: dict[str, Any], roles: Any) -> None:
    for c in roles["open"][3:]:
        api.post("/v1/communities", json={"input": str(c.id)})
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = api.get("/v1/communities", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == len(api.get("/v1/communities", params={"limit": 100}).json()["items"])
    problem(api.get("/v1/communities", params={"limit": 101}), 422)


def test_resolve_shows_the_community_before_adding_it(
    api: httpx.Client, token_view: dict[str, Any], roles: dict[str, Any]
) -> None:
    c = roles["closed"]
    before = api.get("/v1/communities", params={"q": c.screen_name}).json()["items"]  # earlier tests may add it
    seen = api.post("/v1/communities/resolve", json={"input": f"https://vk.com/{c.screen_name}"})
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert (body["vk_id"], body["name"], body["is_closed"], body["can_collect"]) == (c.id, c.name, 1, False)
    assert body["existing_id"] == (before[0]["id"] if before else None)
    assert api.get("/v1/communities", params={"q": c.screen_name}).json()["items"] == before  # nothing stored
    missing = api.post("/v1/communities/resolve", json={"input": "no_such_community_xyz"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
    assert "no_such_community_xyz" in missing.json()["detail"]
