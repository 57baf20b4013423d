"""`make up`'s dev workspace has the emulator's tokens, so a collection works right after `make up`."""

from __future__ import annotations

import uuid

import httpx

from devtools.local_stack import LocalStack
from devtools.local_stack.emulator import DEV_VK_TOKENS
from devtools.pg import drop_database


def test_persistent_dev_stack_registers_the_emulator_tokens() -> None:
    run = f"d{uuid.uuid4().hex[:7]}"
    db = f"vkc_t_dev_{run}"
    try:
        with LocalStack(run_id=run, persistent=True, db_name=db, auto_schedule=False, pollers=False) as stack:
            listed = httpx.get(f"{stack.api_url}/v1/vk-tokens", headers={"X-Api-Key": stack.api_key}).json()
    finally:
        drop_database(db)  # a persistent stack keeps its database: this one is a test's
    assert sorted(t["type"] for t in listed["items"]) == sorted(DEV_VK_TOKENS.values())
    assert all(t["state"] == "active" for t in listed["items"])
