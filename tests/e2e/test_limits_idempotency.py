"""Limits and idempotency over HTTP through the local stack: 429 with Retry-After per key and class,
Idempotency-Key replay / mismatch / in-progress, 413 before parsing, the read cache seen through its
behaviour (hit, invalidation by a write and by a collection), and the API answering with Redis down."""

from __future__ import annotations

import hashlib
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from vkc.db.engine import session_scope

from devtools.local_stack import LocalStack
from devtools.vk_emulator import generate_dataset
from tests.e2e.conftest import add_user_token, new_workspace_client, wait_for_job, without_redis

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"
API = "ApiFunction"
API_DIR = Path(__file__).resolve().parents[2] / "functions" / "api"


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


@pytest.fixture
def fresh(stack: LocalStack) -> Iterator[httpx.Client]:
    """A new workspace and key: its own rate-limit budgets, jobs and cache."""
    with new_workspace_client(stack) as client:
        yield client


# ------------------------------------------------------------------------------------------ rate limits


def test_rate_limit_429_with_retry_after_per_key_and_class(stack: LocalStack, fresh: httpx.Client) -> None:
    with (
        new_workspace_client(stack) as other,
        stack.function_env(API, {"RATE_LIMIT_READ_REQUESTS": "3", "RATE_LIMIT_READ_WINDOW_S": "60"}),
    ):
        seen = [fresh.get("/v1/communities") for _ in range(3)]
        assert [r.status_code for r in seen] == [200, 200, 200]
        assert [r.headers["ratelimit-remaining"] for r in seen] == ["2", "1", "0"]
        assert seen[0].headers["ratelimit-limit"] == "3"
        assert seen[0].headers["ratelimit-policy"] == "3;w=60"

        limited = fresh.get("/v1/stats/totals")  # same class (read), same key: the budget is spent
        body = _problem(limited, 429)
        assert body["type"] == "urn:vkc:problem:rate-limited"
        assert body["route_class"] == "read"
        assert 1 <= int(limited.headers["retry-after"]) <= 20
        assert body["retry_after"] == int(limited.headers["retry-after"])
        assert limited.headers["ratelimit-remaining"] == "0"

        assert other.get("/v1/communities").status_code == 200  # another key: its own budget
        write = fresh.patch(f"/v1/communities/{uuid.uuid4()}", json={"monitoring_enabled": False})
        assert write.status_code == 404  # another class (write): its budget is untouched
        heavy = fresh.post("/v1/jobs", json={"type": "probe"})
        assert heavy.status_code == 202
        assert heavy.headers["ratelimit-limit"] == "10"  # heavy: jobs, collections, imports, exports


# ------------------------------------------------------------------------------------------ idempotency


def _probe_jobs(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/jobs", params={"limit": 100}).json()["items"]
    return [j for j in items if j["type"] == "probe"]


def test_idempotency_key_replays_the_same_response_and_creates_one_job(fresh: httpx.Client) -> None:
    key = {"Idempotency-Key": f"probe-{uuid.uuid4()}"}
    first = fresh.post("/v1/jobs", json={"type": "probe"}, headers=key)
    assert first.status_code == 202, first.text
    assert "idempotent-replayed" not in first.headers
    again = fresh.post("/v1/jobs", json={"type": "probe"}, headers=key)
    assert again.status_code == 202
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert [j["id"] for j in _probe_jobs(fresh)] == [first.json()["id"]]

    # the same key with another body is refused, and changes nothing
    other = _problem(fresh.post("/v1/jobs", json={"type": "probe", "priority": "low"}, headers=key), 422)
    assert other["type"] == "urn:vkc:problem:idempotency-key-reused"
    assert "different request body" in other["detail"]
    assert len(_probe_jobs(fresh)) == 1

    # without the header every POST is new; a new key is a new request
    assert fresh.post("/v1/jobs", json={"type": "probe"}).status_code == 202
    assert (
        fresh.post("/v1/jobs", json={"type": "probe"}, headers={"Idempotency-Key": str(uuid.uuid4())}).status_code
        == 202
    )
    assert len(_probe_jobs(fresh)) == 3


def test_idempotency_keys_belong_to_a_workspace(stack: LocalStack, fresh: httpx.Client) -> None:
    key = {"Idempotency-Key": f"shared-{uuid.uuid4()}"}
    mine = fresh.post("/v1/jobs", json={"type": "probe"}, headers=key)
    with new_workspace_client(stack) as other:
        theirs = other.post("/v1/jobs", json={"type": "probe"}, headers=key)
    assert theirs.status_code == 202
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]


def test_malformed_idempotency_key_is_400(fresh: httpx.Client) -> None:
    body = _problem(fresh.post("/v1/jobs", json={"type": "probe"}, headers={"Idempotency-Key": "a b"}), 400)
    assert "Idempotency-Key" in body["detail"]
    assert _probe_jobs(fresh) == []


def test_request_still_in_progress_with_that_key_is_409(stack: LocalStack, fresh: httpx.Client) -> None:
    """Another invocation holds the key: we write its in-progress record through Powertools itself."""
    if str(API_DIR) not in sys.path:
        sys.path.insert(0, str(API_DIR))
    from api_routes import idempotency_store
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    key = f"busy-{uuid.uuid4()}"
    payload = json.dumps({"type": "probe"}).encode()
    created = fresh.post("/v1/jobs", json={"type": "probe"})  # learn this key's workspace id
    record = {
        "workspace_id": _workspace_of(stack, created.json()["id"]),
        "key": key,
        "method": "POST",
        "path": "/v1/jobs",
        "body_sha256": hashlib.sha256(payload).hexdigest(),
    }
    store = idempotency_store._store()
    config = IdempotencyConfig(
        event_key_jmespath="[workspace_id, key, method, path]",
        payload_validation_jmespath="body_sha256",
        expires_after_seconds=60,
        hash_function="sha256",
    )
    store.configure(config, key_prefix=stack.settings.idempotency_key_prefix)
    store.save_inprogress(data=record, remaining_time_in_millis=30_000)
    busy = fresh.post("/v1/jobs", content=payload, headers={"Idempotency-Key": key, "Content-Type": "application/json"})
    body = _problem(busy, 409)
    assert body["type"] == "urn:vkc:problem:idempotency-key-in-progress"
    assert busy.headers["retry-after"] == "1"


def _workspace_of(stack: LocalStack, job_id: str) -> str:
    with session_scope(stack.settings) as session:
        return str(session.execute(text("SELECT workspace_id FROM jobs WHERE id = :id"), {"id": job_id}).scalar_one())


# ------------------------------------------------------------------------------------------ body size


def test_body_over_one_mib_is_413_before_parsing(fresh: httpx.Client) -> None:
    big = json.dumps({"type": "probe", "payload": {"pad": "x" * (1024 * 1024)}})
    body = _problem(fresh.post("/v1/jobs", content=big, headers={"Content-Type": "application/json"}), 413)
    assert body["limit_bytes"] == 1024 * 1024
    assert str(len(big.encode())) in body["detail"]
    assert _probe_jobs(fresh) == []
    # not JSON at all: still 413 (the size is checked before anything reads the body)
    _problem(
        fresh.post("/v1/jobs", content=b"{" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"}), 413
    )


def test_upload_envelope_may_exceed_one_mib_but_the_file_may_not(fresh: httpx.Client) -> None:
    # a file of ~0.7 MB of Cyrillic, sent with \\u escapes: a ~2 MB JSON body, a valid upload
    content = "# " + "комментарий " * 30_000 + "\nбанк\n"
    escaped = json.dumps({"content": content, "format": "txt"}, ensure_ascii=True)
    assert len(escaped) > 1024 * 1024 > len(content.encode())
    accepted = fresh.post("/v1/keywords/import", content=escaped, headers={"Content-Type": "application/json"})
    assert accepted.status_code < 400, accepted.text
    too_big = {"content": "# " + "x" * (1024 * 1024) + "\nбанк\n", "format": "txt"}
    body = _problem(fresh.post("/v1/keywords/import", json=too_big), 413)
    assert "1 MB" in body["detail"]


# ------------------------------------------------------------------------------------------ cache


@pytest.fixture(scope="module")
def community(stack: LocalStack, api: httpx.Client) -> dict[str, Any]:
    add_user_token(api)
    dataset = generate_dataset(preset="small", seed=42)
    open_one = next(c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
    response = api.post("/v1/communities", json={"input": f"https://vk.com/{open_one.screen_name}"})
    assert response.status_code in (201, 409), response.text
    body: dict[str, Any] = response.json()
    if response.status_code == 409:
        body = api.get(f"/v1/communities/{body['existing_id']}").json()
    return body


def _rename_behind_the_api(stack: LocalStack, community_id: str, name: str) -> None:
    with session_scope(stack.settings) as session:
        session.execute(text("UPDATE communities SET name = :n WHERE id = :id"), {"n": name, "id": community_id})


def test_community_reads_are_cached_until_a_write(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    url = f"/v1/communities/{community['id']}"
    original = api.get(url).json()["name"]
    _rename_behind_the_api(stack, community["id"], "Renamed behind the API")
    assert api.get(url).json()["name"] == original  # a hit: the database was not asked
    patched = api.patch(url, json={"monitoring_interval_minutes": 90})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Renamed behind the API"
    fresh_read = api.get(url).json()
    assert fresh_read["name"] == "Renamed behind the API"  # the write dropped the cached copy
    assert fresh_read["monitoring_interval_minutes"] == 90
    _rename_behind_the_api(stack, community["id"], original)


def _totals_from_the_database(stack: LocalStack, api: httpx.Client) -> dict[str, Any]:
    with stack.function_env(API, {"CACHE_ENABLED": "0"}):
        totals: dict[str, Any] = api.get("/v1/stats/totals").json()
    return totals


def test_stats_are_cached_and_collections_and_writes_refresh_them(
    stack: LocalStack, api: httpx.Client, community: dict
) -> None:
    started = api.post(f"/v1/communities/{community['id']}/collections", json={})
    assert started.status_code == 202, started.text
    api.get("/v1/stats/totals")  # cached while the collection runs
    job = wait_for_job(stack, api, started.json()["id"])
    assert job["status"] == "succeeded", job
    stack.drain(timeout=60)  # and the analysis it queued
    after = api.get("/v1/stats/totals").json()
    truth = _totals_from_the_database(stack, api)
    assert truth["comments"] > 0
    assert truth["analyzed_comments"] > 0
    assert after == truth  # the harvest and the analysis invalidated what was cached mid-run

    first, second = api.get("/v1/comments", params={"limit": 2}).json()["items"][:2]
    with session_scope(stack.settings) as session:  # a change no write path announces …
        session.execute(text("UPDATE comments SET viewed_at = now() WHERE id = :id"), {"id": first["id"]})
    assert api.get("/v1/stats/totals").json() == after  # … is not seen yet: a cache hit
    assert _totals_from_the_database(stack, api)["viewed_comments"] == after["viewed_comments"] + 1
    marked = api.post(f"/v1/comments/{second['id']}/viewed")
    assert marked.status_code < 300, marked.text
    assert api.get("/v1/stats/totals").json()["viewed_comments"] == after["viewed_comments"] + 2  # write → fresh


# ------------------------------------------------------------------------------------------ Redis down


def test_api_answers_without_redis(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    with stack.function_env(API, without_redis()):
        totals = api.get("/v1/stats/totals")
        assert totals.status_code == 200, totals.text  # from the database
        assert "ratelimit-limit" not in totals.headers  # the limiter failed open
        assert api.get(f"/v1/communities/{community['id']}").status_code == 200
        assert api.post("/v1/jobs", json={"type": "probe"}).status_code == 202
        refused = api.post("/v1/jobs", json={"type": "probe"}, headers={"Idempotency-Key": str(uuid.uuid4())})
        body = _problem(refused, 503)
        assert body["type"] == "urn:vkc:problem:idempotency-unavailable"
        assert refused.headers["retry-after"]
    assert "ratelimit-limit" in api.get("/v1/stats/totals").headers  # back to normal with Redis back
