"""The known world (tests.support.world) behind the local stack's HTTP API, for e2e modules.

    stack, world, api, other = world_api_fixtures("m")

gives a module its own local stack (no scheduler, no emulator), the world stored in that stack's
database, and HTTP clients keyed to the world's workspace (`api`) and to the other one (`other`).
Fixtures take the names they are assigned to in the module.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from vkc.db.engine import get_engine

from devtools.local_stack import LocalStack
from tests.support.world import World, build_world


def world_api_fixtures(run_prefix: str) -> tuple[Any, Any, Any, Any]:
    """Module-scoped `stack`, `world`, `api`, `other`; `run_prefix` tells the module's queues apart."""

    @pytest.fixture(scope="module")
    def stack() -> Iterator[LocalStack]:
        with LocalStack(run_id=f"{run_prefix}{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=False) as s:
            yield s

    @pytest.fixture(scope="module")
    def world(stack: LocalStack) -> World:
        return build_world(get_engine(stack.settings))

    @pytest.fixture(scope="module")
    def api(stack: LocalStack, world: World) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": world.api_key}, timeout=30) as client:
            yield client

    @pytest.fixture(scope="module")
    def other(stack: LocalStack, world: World) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": world.other_api_key}, timeout=30) as client:
            yield client

    return stack, world, api, other
