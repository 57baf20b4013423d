"""A user adds a token and a community, collects it over HTTP, and watches it finish with true totals."""

from __future__ import annotations

import httpx
import pytest

from devtools.local_stack import LocalStack
from devtools.vk_emulator import generate_dataset
from tests.e2e.conftest import add_user_token, new_workspace_client, wait_for_job


@pytest.fixture(scope="module")
def community(stack: LocalStack, api: httpx.Client) -> dict:
    add_user_token(api)
    dataset = generate_dataset(preset="small", seed=42)
    open_one = next(c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
    response = api.post("/v1/communities", json={"input": f"https://vk.com/{open_one.screen_name}"})
    assert response.status_code in (201, 409), response.text
    body = response.json()
    if response.status_code == 409:
        body = api.get(f"/v1/communities/{body['existing_id']}").json()
    truth = [c for c in dataset.ground_truth()["comments"] if c["owner_id"] == -open_one.id]
    return {"id": body["id"], "vk_id": open_one.id, "expected_comments": len(truth)}


def test_collect_queued_running_succeeded_with_totals(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    response = api.post(f"/v1/communities/{community['id']}/collections", json={})
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/v1/jobs/{response.json()['id']}"
    assert response.json()["priority"] == "high"
    job = wait_for_job(stack, api, response.json()["id"])
    assert job["status"] == "succeeded", job
    totals = job["result"]
    assert totals["comments"] == community["expected_comments"]
    assert totals["replies"] > 0
    assert totals["vk_requests"] > 0
    assert job["progress"]["percent"] == 100.0
    assert job["timings"]["run_ms"] is not None
    history = api.get(f"/v1/communities/{community['id']}/jobs").json()
    assert job["id"] in [j["id"] for j in history["items"]]


def test_second_collection_while_one_is_active_is_409(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    first = api.post(f"/v1/communities/{community['id']}/collections", json={})
    assert first.status_code == 202
    second = api.post(f"/v1/communities/{community['id']}/collections", json={})
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["job_id"] == first.json()["id"]
    wait_for_job(stack, api, first.json()["id"])


def test_cancel_keeps_stored_data_and_retry_resumes(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    stored_before = api.get("/v1/comments/count", params={"community_id": community["id"]}).json()["count"]
    emulator = stack.emulator.handle
    emulator.set_latency(latency_ms=1500)  # VK is slow: the job is certainly still running when cancelled
    try:
        started = api.post(f"/v1/communities/{community['id']}/collections", json={}).json()
        cancelled = api.post(f"/v1/jobs/{started['id']}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"
        again = api.post(f"/v1/jobs/{started['id']}/cancel")
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"
        stack.drain(timeout=60)  # the running task notices and stops; the job stays cancelled
    finally:
        emulator.set_latency(latency_ms=0)
    assert api.get(f"/v1/jobs/{started['id']}").json()["status"] == "cancelled"
    stored_after = api.get("/v1/comments/count", params={"community_id": community["id"]}).json()["count"]
    assert stored_after == stored_before  # nothing stored was dropped
    retried = api.post(f"/v1/jobs/{started['id']}/retry")
    assert retried.status_code == 202, retried.text
    job = wait_for_job(stack, api, retried.json()["id"])
    assert job["status"] == "succeeded"
    assert job["result"]["comments"] == community["expected_comments"]
    assert job["result"]["comments_new"] == 0  # everything was stored already: nothing doubled


def test_retrying_a_succeeded_job_is_409(api: httpx.Client) -> None:
    jobs = api.get("/v1/jobs", params={"status": "succeeded"}).json()["items"]
    response = api.post(f"/v1/jobs/{jobs[0]['id']}/retry")
    assert response.status_code == 409


def test_stats_and_failures_are_real(api: httpx.Client) -> None:
    stats = api.get("/v1/jobs/stats")
    assert stats.status_code == 200, stats.text
    collect = next(t for t in stats.json()["types"] if t["type"] == "collect")
    assert collect["by_status"]["succeeded"] >= 1
    assert collect["run_ms_p50"] is not None
    failures = api.get("/v1/jobs/failures")
    assert failures.status_code == 200, failures.text
    # the small dataset has a post with closed comments (VK error 212): it is reported, with its reason
    assert any(g["code"] == "vk:212" for g in failures.json()["groups"]), failures.json()


def test_another_workspace_sees_404(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    job_id = api.get("/v1/jobs").json()["items"][0]["id"]
    with new_workspace_client(stack) as other:
        assert other.get(f"/v1/jobs/{job_id}").status_code == 404
        assert other.post(f"/v1/jobs/{job_id}/cancel").status_code == 404
        assert other.post(f"/v1/jobs/{job_id}/retry").status_code == 404
        assert other.post(f"/v1/communities/{community['id']}/collections", json={}).status_code == 404
        assert other.get(f"/v1/communities/{community['id']}/jobs").status_code == 404


def test_static_job_routes_are_not_taken_for_ids(api: httpx.Client) -> None:
    assert api.get("/v1/jobs/stats").status_code == 200
    assert api.get("/v1/jobs/failures").status_code == 200
    bad = api.get("/v1/jobs/not-a-uuid")
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_bad_collection_window_is_422(api: httpx.Client, community: dict) -> None:
    response = api.post(
        f"/v1/communities/{community['id']}/collections",
        json={"since": "2025-02-01T00:00:00Z", "until": "2025-01-01T00:00:00Z"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
