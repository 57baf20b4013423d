"""Twenty users start a collection of one community at the same moment: one job, nineteen 409s.

The jobs stay queued (no pollers), so every request meets the first one's job still active; what
decides is the database, however the API's requests are spread over containers.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select
from vkc.db.engine import session_scope
from vkc.db.models import Job
from vkc.db.models_collection import Community
from vkc.workspaces.service import add_api_key

from devtools.local_stack import LocalStack

REQUESTS = 20


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(run_id=f"c{uuid.uuid4().hex[:7]}", auto_schedule=False, pollers=False, emulator=False) as s:
        yield s


@pytest.fixture(scope="module")
def users(stack: LocalStack) -> list[str]:
    """One API key per user: each key has its own rate limit, as twenty people would."""
    with session_scope(stack.settings) as session:
        return [add_api_key(session, uuid.UUID(stack.workspace_id), name=f"user {n}") for n in range(REQUESTS)]


@pytest.fixture
def community_id(stack: LocalStack) -> str:
    """A collectable community of the stack's workspace (stored directly: resolving it is not the point)."""
    with session_scope(stack.settings) as session:
        row = Community(
            id=uuid.uuid4(),
            workspace_id=uuid.UUID(stack.workspace_id),
            vk_id=7_000_000 + uuid.uuid4().int % 1_000_000,
            name="Concurrent",
            type="group",
            source_input="concurrent",
        )
        session.add(row)
    return str(row.id)


def test_twenty_concurrent_collections_give_one_202_and_nineteen_409s(
    stack: LocalStack, users: list[str], community_id: str
) -> None:
    barrier = threading.Barrier(REQUESTS)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def start(client: httpx.Client) -> None:
        barrier.wait()
        response = client.post(f"/v1/communities/{community_id}/collections", json={})
        with lock:
            responses.append(response)

    clients = [httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": key}, timeout=60) for key in users]
    try:
        threads = [threading.Thread(target=start, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for c in clients:
            c.close()

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] + [409] * (REQUESTS - 1), [r.text for r in responses if r.status_code not in (202, 409)]
    [accepted] = [r for r in responses if r.status_code == 202]
    job_id = accepted.json()["id"]
    assert accepted.headers["Location"] == f"/v1/jobs/{job_id}"
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        problem = refused.json()
        assert problem["status"] == 409
        assert problem["detail"] == f"A collection of this community is already active: job {job_id}."
        assert problem["job_id"] == job_id
    with session_scope(stack.settings) as session:
        rows = session.scalar(select(func.count()).select_from(Job).where(Job.community_id == uuid.UUID(community_id)))
    assert rows == 1
