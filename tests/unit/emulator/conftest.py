"""Fixtures: one tiny dataset and emulators started on a free port, plus a small VK caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devtools.vk_emulator import Dataset, EmulatorConfig, generate_dataset, start_emulator
from devtools.vk_emulator.server import Emulator

TOKENS = {"user-1": "user", "user-2": "user", "svc-1": "service", "grp-1": "community"}
USER = "user-1"


class Vk:
    """Calls `/method/<name>` like a VK client would (form body, v=5.199 unless given)."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.http = httpx.Client(timeout=10)

    def raw(self, method: str, token: str | None = USER, **params: Any) -> dict[str, Any]:
        params.setdefault("v", "5.199")
        if token is not None:
            params["access_token"] = token
        data = {k: str(v) for k, v in params.items() if v is not None}
        response = self.http.post(f"{self.emu.url}/{method}", data=data)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(self, method: str, token: str = USER, **params: Any) -> Any:
        body = self.raw(method, token, **params)
        assert "error" not in body, body
        return body["response"]

    def error(self, method: str, token: str | None = USER, **params: Any) -> dict[str, Any]:
        body = self.raw(method, token, **params)
        assert "error" in body, body
        error: dict[str, Any] = body["error"]
        return error

    def admin(self, verb: str, name: str, json: Any = None) -> httpx.Response:
        return self.http.request(verb, f"{self.emu.base_url}/_emulator/{name}", json=json)


@pytest.fixture(scope="session")
def tiny() -> Dataset:
    return generate_dataset("tiny", seed=7)


@pytest.fixture(scope="module")
def emu(tiny: Dataset) -> Iterator[Emulator]:
    """Shared, limits off: for read-only shape and paging tests."""
    with start_emulator(EmulatorConfig(dataset=tiny, tokens=TOKENS, rate_limits=False)) as emulator:
        yield emulator


@pytest.fixture
def fresh_emu() -> Iterator[Emulator]:
    """Private emulator with its own dataset: for limits, faults and mutations."""
    config = EmulatorConfig(dataset=generate_dataset("tiny", seed=7), tokens=TOKENS, rate_limits=False)
    with start_emulator(config) as emulator:
        yield emulator


@pytest.fixture
def vk(emu: Emulator) -> Iterator[Vk]:
    client = Vk(emu)
    yield client
    client.http.close()


@pytest.fixture
def fresh_vk(fresh_emu: Emulator) -> Iterator[Vk]:
    client = Vk(fresh_emu)
    yield client
    client.http.close()


def open_community(ds: Dataset) -> int:
    """owner_id of the first open community wall."""
    return -min(c.id for c in ds.communities.values() if c.wall_open)


def busiest_post(ds: Dataset, owner_id: int) -> int:
    """The open post with the most comments (the tiny preset plants one with > 100 top-level)."""
    posts = [p for p in ds.iter_posts() if p.owner_id == owner_id and not p.comments_closed]
    return max(posts, key=lambda p: len(p.comments)).id
