"""A task that keeps failing ends in the DLQ, is visible with its reason, and a redrive completes the job."""

from __future__ import annotations

import time

import httpx
import pytest

from devtools.local_stack import LocalStack
from devtools.vk_emulator import FaultConfig, generate_dataset
from tests.e2e.conftest import add_user_token, new_workspace_client, wait_for_job

FAST_RETRY_S = "1"  # locally only: redeliveries every second instead of after 540 s


@pytest.fixture(scope="module")
def community(stack: LocalStack, api: httpx.Client) -> dict:
    add_user_token(api)
    dataset = generate_dataset(preset="small", seed=42)
    open_one = [c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None][2]
    response = api.post("/v1/communities", json={"input": str(open_one.id)})
    assert response.status_code == 201, response.text
    # warm containers take the first delivery well within the 1 s visibility set below (a cold start
    # would outlast it, the message would come back while its first attempt still runs: a duplicate)
    stack.warm("ParseWorkerFunction")
    for name, url in stack.resources.queue_urls.items():
        if name.startswith("Parse") and not name.endswith("DLQ"):
            stack.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": FAST_RETRY_S})
    return dict(response.json())


def test_poison_task_lands_in_dlq_and_redrive_completes_it(
    stack: LocalStack, api: httpx.Client, community: dict
) -> None:
    emulator = stack.emulator.handle
    emulator.set_faults(FaultConfig(probability=1.0, kinds=("http5xx",)))  # VK is down for this job
    try:
        job = api.post(f"/v1/communities/{community['id']}/collections", json={}).json()
        # five deliveries, each a harvest that tries until its own deadline (Timeout 90 s - reserve 30 s):
        # three rounds of 60 s on two worker containers, so 180 s was the bare minimum
        deadline = time.monotonic() + 330
        letters: list[dict] = []
        status = ""
        # deliveries overlap (1 s visibility): wait for the letter AND for the last delivery to finish
        while time.monotonic() < deadline and not (letters and status == "failed"):
            letters = [d for d in api.get("/v1/dead-letters").json()["items"] if d["job_id"] == job["id"]]
            status = api.get(f"/v1/jobs/{job['id']}").json()["status"]
            time.sleep(1)
        assert letters, "the task never reached the DLQ"
        letters = [d for d in api.get("/v1/dead-letters").json()["items"] if d["job_id"] == job["id"]]
        [letter] = letters
        assert letter["queue"] == "parse-high"
        assert letter["receive_count"] >= 5
        assert letter["job_status"] == "failed"
        assert "Gave up after" in letter["reason"]
        failed = api.get(f"/v1/jobs/{job['id']}").json()
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "retries_exhausted"
        with new_workspace_client(stack) as other:
            assert other.get("/v1/dead-letters").json()["items"] == []
    finally:
        emulator.set_faults(FaultConfig(probability=0.0))  # the cause is fixed
    redriven = api.post("/v1/dead-letters/redrive", json={"job_id": job["id"]})
    assert redriven.status_code == 200, redriven.text
    assert redriven.json()["redriven"] == 1
    assert redriven.json()["reopened_jobs"] == [job["id"]]
    done = wait_for_job(stack, api, job["id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["comments"] > 0
    assert [d for d in api.get("/v1/dead-letters").json()["items"] if d["job_id"] == job["id"]] == []
