"""Scheduled monitoring: due communities are collected, a run is logged from start to finish, never twice at once."""

from __future__ import annotations

import time

import httpx
import pytest

from devtools.local_stack import LocalStack
from devtools.vk_emulator import generate_dataset
from tests.e2e.conftest import add_user_token


@pytest.fixture(scope="module")
def community(api: httpx.Client) -> dict:
    add_user_token(api)
    dataset = generate_dataset(preset="small", seed=42)
    open_one = [c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None][1]
    response = api.post("/v1/communities", json={"input": open_one.screen_name})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _runs(api: httpx.Client, community_id: str) -> list[dict]:
    response = api.get(f"/v1/communities/{community_id}/monitoring")
    assert response.status_code == 200, response.text
    return list(response.json()["runs"])


def test_due_community_is_collected_and_its_run_logged(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    assert _runs(api, community["id"]) == []
    enabled = api.patch(
        f"/v1/communities/{community['id']}",
        json={"monitoring_enabled": True, "monitoring_interval_minutes": 60, "monitoring_priority": "normal"},
    )
    assert enabled.status_code == 200, enabled.text
    first = stack.tick_scheduler()
    second = stack.tick_scheduler()  # same minute: not due again, and the first run is still active
    assert len(first["duties"]["monitoring"]["queued_jobs"]) == 1
    assert second["duties"]["monitoring"]["queued_jobs"] == []
    job_id = first["duties"]["monitoring"]["queued_jobs"][0]
    job = api.get(f"/v1/jobs/{job_id}").json()
    assert job["priority"] == "normal"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        runs = _runs(api, community["id"])
        if runs and runs[0]["finished_at"]:
            break
        time.sleep(0.3)
    [run] = _runs(api, community["id"])
    assert run["job_id"] == job_id
    assert run["outcome"] == "succeeded"
    assert run["started_at"] is not None
    assert run["queued_at"] <= run["started_at"] <= run["finished_at"]
    status = api.get(f"/v1/communities/{community['id']}/monitoring").json()
    assert status["enabled"] is True
    assert status["next_run_at"] is not None
    assert status["last_collected_at"] is not None


def test_disabled_community_is_not_queued(stack: LocalStack, api: httpx.Client, community: dict) -> None:
    api.patch(f"/v1/communities/{community['id']}", json={"monitoring_enabled": False})
    result = stack.tick_scheduler()
    assert result["duties"]["monitoring"]["queued_jobs"] == []
