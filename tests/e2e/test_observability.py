"""Logs and metrics across a full collection and analysis through the local stack.

Every function runs in its own container processes, which write stdout and stderr (Powertools' JSON
log lines and the EMF metric lines) to the stack's per-function log files, as CloudWatch Logs gets
them from Lambda. The stage is local, so Powertools logs at DEBUG: the secret checks read everything
a debugging developer would see.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devtools.local_stack import LocalStack
from devtools.local_stack.emulator import DEV_VK_TOKENS
from devtools.vk_emulator import generate_dataset
from tests.e2e.conftest import add_user_token, wait_for_job


class StackLogs:
    """What every container of the stack wrote so far."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack

    @property
    def text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.stack.log_dir.glob("*.log")))

    def json_lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.text.splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"o{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True) as s:
        yield s


@pytest.fixture(scope="module")
def logs(stack: LocalStack) -> StackLogs:
    return StackLogs(stack)


@pytest.fixture(scope="module")
def flow(stack: LocalStack, api: httpx.Client) -> dict[str, Any]:
    """One collection (and the analysis it triggers), driven with a key created through the API."""
    created = api.post("/v1/api-keys", json={"name": "observability"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": key}, timeout=30) as client:
        add_user_token(client)
        assert client.post("/v1/keywords", json={"text": "работа"}).status_code in (201, 409)
        dataset = generate_dataset(preset="small", seed=42)
        community = next(c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
        added = client.post("/v1/communities", json={"input": f"https://vk.com/{community.screen_name}"})
        assert added.status_code in (201, 409), added.text
        community_id = added.json().get("id") or added.json()["existing_id"]
        started = client.post(f"/v1/communities/{community_id}/collections", json={})
        assert started.status_code == 202, started.text
        job = wait_for_job(stack, client, started.json()["id"])
        assert job["status"] == "succeeded", job
        stack.drain()  # the analysis the collection queued
        client.get("/v1/comments", params={"limit": 5})
        assert client.get("/v1/dead-letters").status_code == 200
    rotated = api.post(f"/v1/api-keys/{created.json()['id']}/rotate", json={})
    assert rotated.status_code == 201
    return {
        "job_id": job["id"],
        "request_id": started.headers["x-request-id"],
        "keys": [stack.api_key, key, rotated.json()["key"]],
    }


def test_no_vk_token_and_no_api_key_in_any_log_or_metric(flow: dict[str, Any], logs: StackLogs) -> None:
    text = logs.text
    lines = logs.json_lines()
    assert len(lines) > 50  # the capture saw the run (API, both workers, metrics)
    assert any("_aws" in line for line in lines)
    secrets = [*DEV_VK_TOKENS, *flow["keys"]]
    for secret in secrets:
        assert len(secret) >= 12  # long enough that a hit is the secret itself
        assert secret not in text, f"a secret ({secret[:6]}…) leaked into the logs"


def test_one_request_id_from_the_api_line_to_every_worker_line_of_its_job(
    flow: dict[str, Any], logs: StackLogs
) -> None:
    rid, job_id = flow["request_id"], flow["job_id"]
    lines = [line for line in logs.json_lines() if "_aws" not in line]
    api_lines = [line for line in lines if line.get("message") == "request" and line.get("correlation_id") == rid]
    assert api_lines
    assert api_lines[0]["status"] == 202
    assert api_lines[0]["queued_job_id"] == job_id
    job_lines = [line for line in lines if line.get("job_id") == job_id]
    tasks = {line.get("task") for line in job_lines}
    # the harvest task runs inside the root's delivery (one message per collection), under its key
    assert {"job.run", "analyze.comments"} <= tasks, tasks
    assert any(line.get("message") == "harvest task done" for line in job_lines)
    assert all(line.get("correlation_id") == rid for line in job_lines), [
        line for line in job_lines if line.get("correlation_id") != rid
    ][:3]
    assert len(job_lines) >= 3
    # lines the VK client emits from its thread pool carry the job's keys too (context copied into threads)
    vk_lines = [line for line in lines if str(line.get("message", "")).startswith("vk execute")]
    assert vk_lines
    assert all(line.get("correlation_id") is not None for line in vk_lines)
    assert any(line.get("job_id") == job_id and line.get("correlation_id") == rid for line in vk_lines)


def test_emf_metrics_cover_jobs_tasks_vk_comments_lag_and_dead_letters(flow: dict[str, Any], logs: StackLogs) -> None:
    emf = [line for line in logs.json_lines() if "_aws" in line]
    names = {m["Name"] for line in emf for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"Jobs", "Tasks", "VkRequests", "CommentsCollected", "CommentsAnalyzed", "QueueLag", "DeadLetters"} <= names
    jobs = [line for line in emf if "Jobs" in line and line.get("job_type") == "collect"]
    assert any(line["outcome"] == "succeeded" for line in jobs)
    vk = [line for line in emf if "VkRequests" in line]
    assert all({"method", "outcome"} <= set(line) for line in vk)
    assert any(line["method"] == "execute" and line["outcome"] == "ok" for line in vk)
    lag = [line for line in emf if "QueueLag" in line]
    assert all(line["queue"] != "other" for line in lag)
    for line in emf:  # low cardinality: no ids as dimensions
        for dims in line["_aws"]["CloudWatchMetrics"][0]["Dimensions"]:
            assert not {"job_id", "workspace_id", "correlation_id", "token_id"} & set(dims)
