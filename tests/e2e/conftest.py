"""End-to-end fixtures: the whole local stack (API over HTTP, SQS in moto, workers, VK emulator).

One stack per test module (a stack sets its environment in this process too, so two never run at
once). The functions run in their own processes: a test changes their behaviour only from outside,
e.g. `stack.function_env("ApiFunction", {...})` to restart the API's containers with other settings.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devtools.local_stack import LocalStack
from devtools.local_stack.emulator import DEV_VK_TOKENS
from tests.conftest import ensure_services


@pytest.fixture(scope="session", autouse=True)
def _services() -> None:
    ensure_services()


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"e{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True) as s:
        yield s


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=30) as client:
        yield client


def new_workspace_client(stack: LocalStack) -> httpx.Client:
    """A second workspace, to prove isolation (its own key)."""
    from vkc.db.engine import session_scope
    from vkc.workspaces.service import create_workspace

    with session_scope(stack.settings) as session:
        _, key = create_workspace(session, f"other-{uuid.uuid4().hex[:6]}")
    return httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": key}, timeout=30)


def add_user_token(api: httpx.Client) -> dict[str, Any]:
    token = next(t for t, kind in DEV_VK_TOKENS.items() if kind == "user")
    response = api.post("/v1/vk-tokens", json={"token": token, "label": "emulator user"})
    assert response.status_code in (201, 409), response.text
    return dict(response.json())


def wait_for_job(stack: LocalStack, api: httpx.Client, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s: {api.get(f'/v1/jobs/{job_id}').text}")


def closed_port() -> int:
    """A local TCP port nothing listens on (a dependency that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def without_redis() -> dict[str, str]:
    """A function environment whose Redis is unreachable, failing fast."""
    return {"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0", "REDIS_TIMEOUT_S": "0.5"}
