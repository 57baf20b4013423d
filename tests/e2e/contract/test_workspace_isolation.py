"""Workspace isolation: every route with an id in its path answers 404 for another workspace's object.

Parametrized over docs/openapi.json, so a new route with a path parameter is tested as soon as it is
in the spec; a path parameter without a recipe below fails the test (add one: how to create a real
object of that kind through the API in workspace A). Workspace B then calls the route with A's id:
every method, reads and writes alike, must answer 404 problem+json and leave A's object untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from devtools.local_stack import LocalStack
from devtools.vk_emulator import generate_dataset
from tests.e2e.conftest import add_user_token, new_workspace_client, wait_for_job
from tests.support.spec import load_spec

pytestmark = [pytest.mark.e2e]

METHODS = ("get", "post", "put", "patch", "delete")
SPEC = load_spec()
ROUTES = sorted(
    (method.upper(), path)
    for path, operations in SPEC["paths"].items()
    if "{" in path
    for method in operations
    if method in METHODS
)
# A harmless, valid body per (method, path) whose operation takes one; `{}` otherwise (no fields
# are required there). It must validate, or B would see a 422 before the lookup is ever tried.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/v1/communities/{community_id}"): {"monitoring_enabled": False},
    ("PATCH", "/v1/keywords/{keyword_id}"): {"active": False},
    ("PATCH", "/v1/webhooks/{webhook_id}"): {"active": False},
    ("PUT", "/v1/comments/{comment_id}/labels"): {"sentiment": "neutral"},
}


def _created(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, f"{response.request.method} {response.request.url}: {response.text}"
    return dict(response.json())


class Objects:
    """Real objects of workspace A, created through the API on first use (one per kind)."""

    def __init__(self, stack: LocalStack, api: httpx.Client) -> None:
        self.stack, self.api = stack, api
        self._ids: dict[str, str] = {}
        self.recipes: dict[str, Callable[[], str]] = {
            "community_id": self._community,
            "job_id": self._job,
            "comment_id": self._comment,
            "keyword_id": lambda: _created(self.api.post("/v1/keywords", json={"text": "изоляция"}), 201)["id"],
            "token_id": lambda: add_user_token(self.api)["id"],
            "webhook_id": lambda: _created(
                self.api.post("/v1/webhooks", json={"url": "https://hooks.example.com/vkc"}), 201
            )["id"],
            "export_id": lambda: _created(self.api.post("/v1/exports", json={"format": "csv"}), 202)["id"],
            "key_id": lambda: _created(self.api.post("/v1/api-keys", json={"name": "isolation"}), 201)["id"],
        }

    def id_for(self, param: str) -> str:
        if param not in self._ids:
            recipe = self.recipes.get(param)
            if recipe is None:
                pytest.fail(f"no recipe for path parameter {{{param}}}: add one to Objects.recipes")
            self._ids[param] = str(recipe())
        return self._ids[param]

    def _community(self) -> str:
        self.id_for("token_id")  # resolving a community asks VK
        dataset = generate_dataset(preset="small", seed=42)
        open_one = next(c for c in dataset.communities.values() if c.is_closed == 0 and c.deactivated is None)
        response = self.api.post("/v1/communities", json={"input": f"https://vk.com/{open_one.screen_name}"})
        body = _created(response, 201, 409)
        return str(body["existing_id"] if response.status_code == 409 else body["id"])

    def _job(self) -> str:
        """A finished collection of the community (so its comments exist too)."""
        community_id = self.id_for("community_id")
        started = _created(self.api.post(f"/v1/communities/{community_id}/collections", json={}), 202)
        job = wait_for_job(self.stack, self.api, started["id"])
        assert job["status"] == "succeeded", job
        return str(job["id"])

    def _comment(self) -> str:
        self.id_for("job_id")
        page = _created(self.api.get("/v1/comments", params={"community_id": self.id_for("community_id")}), 200)
        assert page["items"], "the collection stored no comments"
        return str(page["items"][0]["id"])


@pytest.fixture(scope="module")
def objects(stack: LocalStack, api: httpx.Client) -> Objects:
    return Objects(stack, api)


@pytest.fixture(scope="module")
def other(stack: LocalStack) -> Iterator[httpx.Client]:
    with new_workspace_client(stack) as client:
        yield client


def test_the_spec_has_resource_routes() -> None:
    assert len(ROUTES) >= 20, ROUTES  # guards the parametrization below against an empty spec


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_another_workspaces_id_is_404(objects: Objects, other: httpx.Client, method: str, path: str) -> None:
    url = re.sub(r"\{(\w+)\}", lambda m: objects.id_for(m.group(1)), path)
    operation = SPEC["paths"][path][method.lower()]
    body = BODIES.get((method, path), {}) if "requestBody" in operation else None
    response = other.request(method, url, json=body)
    assert response.status_code == 404, f"{method} {url} from another workspace: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_workspace_a_still_owns_its_objects(objects: Objects, api: httpx.Client) -> None:
    """B's DELETEs and PATCHes above touched nothing: A reads every object it created."""
    readable = {p: m for m, p in ROUTES if m == "GET" and re.fullmatch(r"[^{}]*\{\w+\}", p)}
    assert readable, "no GET /<kind>/{id} route in the spec"
    for path in readable:
        url = re.sub(r"\{(\w+)\}", lambda m: objects.id_for(m.group(1)), path)
        assert api.get(url).status_code == 200, url
