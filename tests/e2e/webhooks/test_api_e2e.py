"""/v1/webhooks over HTTP through the local stack: CRUD, test ping, a real delivery via SQS, isolation, errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.analysis_store.hooks import notify_new_matches
from vkc.db.engine import get_engine
from vkc.db.models import Job
from vkc.db.models_analysis import KeywordMatch
from vkc.wiring.worker import subscriptions

from devtools.local_stack import LocalStack
from tests.integration.webhooks.test_hook import stored
from tests.support.receiver import Receiver, running_receiver
from tests.support.world import World
from tests.support.world_api import world_api_fixtures

pytestmark = pytest.mark.e2e
PROBLEM = "application/problem+json"


stack, world, api, other = world_api_fixtures("w")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as r:
        yield r


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def test_crud_ping_and_isolation(api: httpx.Client, other: httpx.Client, world: World, receiver: Receiver) -> None:
    created = api.post("/v1/webhooks", json={"url": receiver.url, "keyword_ids": [str(world.keywords["bank"])]})
    assert created.status_code == 201, created.text
    hook = created.json()
    receiver.secret = hook["secret"]
    assert created.headers["location"] == f"/v1/webhooks/{hook['id']}"
    assert created.headers["cache-control"] == "no-store"
    listed = api.get("/v1/webhooks")
    assert [w["id"] for w in listed.json()["items"]] == [hook["id"]]
    assert hook["secret"] not in listed.text
    got = api.get(f"/v1/webhooks/{hook['id']}").json()
    assert "secret" not in got
    assert got["secret_hint"].endswith(hook["secret"][-4:])
    patched = api.patch(f"/v1/webhooks/{hook['id']}", json={"active": False, "description": "Отдел продаж"})
    assert (patched.status_code, patched.json()["active"], patched.json()["description"]) == (
        200,
        False,
        "Отдел продаж",
    )

    ping = api.post(f"/v1/webhooks/{hook['id']}/test")
    assert ping.status_code == 200, ping.text
    assert (ping.json()["ok"], ping.json()["status_code"], ping.json()["event_type"]) == (True, 200, "ping")
    assert receiver.requests[-1].signature_ok
    deliveries = api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()
    assert [d["event_type"] for d in deliveries["items"]] == ["ping"]

    for response in (
        other.get(f"/v1/webhooks/{hook['id']}"),
        other.patch(f"/v1/webhooks/{hook['id']}", json={"active": True}),
        other.post(f"/v1/webhooks/{hook['id']}/test"),
        other.get(f"/v1/webhooks/{hook['id']}/deliveries"),
        other.post(f"/v1/webhooks/{hook['id']}/rotate-secret"),
        other.delete(f"/v1/webhooks/{hook['id']}"),
    ):
        assert_problem(response, 404)
    assert other.get("/v1/webhooks").json()["items"] == []

    rotated = api.post(f"/v1/webhooks/{hook['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != hook["secret"]
    assert api.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    assert_problem(api.get(f"/v1/webhooks/{hook['id']}"), 404)


def test_new_matches_are_delivered_through_the_analyze_queue(
    stack: LocalStack, api: httpx.Client, world: World, receiver: Receiver
) -> None:
    hook = api.post("/v1/webhooks", json={"url": receiver.url}).json()
    receiver.secret = hook["secret"]
    engine = get_engine(stack.settings)
    job_id = uuid.uuid4()
    with Session(engine) as s, s.begin():
        s.add(Job(id=job_id, workspace_id=world.workspace_id, type="reanalyze", priority="low", payload={}))
    matches = stored(engine, world.workspace_id)
    with Session(engine) as s, s.begin():  # what the analyze task does when it stores new matches
        s.info["vkc.alerts.job"] = (job_id, "e2e")
        notify_new_matches(s, world.workspace_id, matches, subscriptions(SqsTaskQueue(stack.settings, stack.sqs)))
    stack.drain(timeout=60)
    (got,) = receiver.requests
    assert got.signature_ok
    body = got.body.decode()
    assert "Банк снова поднял ставки" in body
    assert '"type":"matches.created"' in body
    deliveries = api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    assert [(d["ok"], d["status_code"], d["event_status"], d["attempt"]) for d in deliveries] == [
        (True, 200, "delivered", 1)
    ]
    assert deliveries[0]["event_id"] == got.headers["x-vkc-event-id"]
    with Session(engine) as s:
        assert s.scalars(select(KeywordMatch.id).where(KeywordMatch.workspace_id == world.workspace_id)).first()


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"url": "http://hooks.example.com/x"}, "url"),
        ({"url": "https://10.1.2.3/x"}, "url"),
        ({"url": "https://hooks.example.com/x", "keyword_ids": []}, "keyword_ids"),
        ({"url": "https://hooks.example.com/x", "secret": "mine"}, "secret"),
        ({}, "url"),
    ],
)
def test_bad_input_is_a_problem(api: httpx.Client, body: dict[str, Any], where: str) -> None:
    problem = assert_problem(api.post("/v1/webhooks", json=body), 422)
    assert any(where in [str(p) for p in e["loc"]] for e in problem["errors"]), problem


def test_an_unknown_keyword_is_a_404_like_any_id_naming_nothing(api: httpx.Client) -> None:
    body = {"url": "https://hooks.example.com/x", "keyword_ids": [str(uuid.uuid4())]}
    problem = assert_problem(api.post("/v1/webhooks", json=body), 404)
    assert problem["errors"][0]["loc"] == ["body", "keyword_ids"]


def test_bad_ids_and_cursors_are_problems(api: httpx.Client) -> None:
    assert_problem(api.get("/v1/webhooks/not-a-uuid"), 422)
    assert_problem(api.get(f"/v1/webhooks/{uuid.uuid4()}"), 404)
    hook = api.post("/v1/webhooks", json={"url": "https://hooks.example.com/x"}).json()
    assert_problem(api.get(f"/v1/webhooks/{hook['id']}/deliveries", params={"cursor": "%%%"}), 422)
    assert_problem(api.get(f"/v1/webhooks/{hook['id']}/deliveries", params={"limit": 0}), 422)
    assert_problem(api.patch(f"/v1/webhooks/{hook['id']}", json={"url": None}), 422)
