"""`make up`'s dev workspace has the emulator's tokens, so a collection works right after `make up`,
and still after `make down` + `make up` (the database keeps the rows; the secrets lived in moto)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from devtools.local_stack import LocalStack, database
from devtools.local_stack.emulator import DEV_VK_TOKENS
from devtools.pg import drop_database
from devtools.vk_emulator import generate_dataset


def _dev_stack(run: str, db: str, key: str | None) -> LocalStack:
    """Like `make up`'s, with a test's database and Redis db instead of vkc_local and db 0."""
    redis_db = database.redis_db_for(run, persistent=False)
    return LocalStack(run_id=run, persistent=True, db_name=db, redis_db=redis_db, auto_schedule=False, dev_api_key=key)


def _collect(stack: LocalStack, api: httpx.Client) -> dict[str, Any]:
    dataset = generate_dataset(preset="small", seed=42)
    open_one = next(c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
    added = api.post("/v1/communities", json={"input": f"https://vk.com/{open_one.screen_name}"})
    assert added.status_code == 201 or "existing_id" in added.json(), added.text
    community_id = added.json().get("id") or added.json()["existing_id"]
    started = api.post(f"/v1/communities/{community_id}/collections", json={})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(f"/v1/jobs/{started.json()['id']}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"collection did not finish: {job}")


def test_persistent_dev_stack_registers_the_emulator_tokens_and_keeps_them_usable_across_a_restart() -> None:
    run = f"d{uuid.uuid4().hex[:7]}"
    db = f"vkc_t_dev_{run}"
    try:
        with _dev_stack(run, db, None) as stack:
            key = stack.api_key
            listed = httpx.get(f"{stack.api_url}/v1/vk-tokens", headers={"X-Api-Key": key}).json()
            # `make down` ends the process and moto's memory with it; in this process, forget it by hand
            httpx.post(f"{stack.moto_url}/moto-api/reset").raise_for_status()
        assert sorted(t["type"] for t in listed["items"]) == sorted(DEV_VK_TOKENS.values())
        assert all(t["state"] == "active" for t in listed["items"])

        with _dev_stack(run, db, key) as stack:  # `make down` + `make up`: new moto, same database
            assert stack.api_key == key
            with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": key}, timeout=30) as api:
                again = api.get("/v1/vk-tokens").json()["items"]
                job = _collect(stack, api)
    finally:
        drop_database(db)  # a persistent stack keeps its database: this one is a test's
        database.flush_redis(f"redis://127.0.0.1:6379/{database.redis_db_for(run, persistent=False)}")
    assert [t["id"] for t in again] == [t["id"] for t in listed["items"]]  # the same rows, no duplicates
    assert all(t["state"] == "active" for t in again)
    assert job["status"] == "succeeded", job
