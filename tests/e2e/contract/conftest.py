"""Contract tests over HTTP: the committed OpenAPI spec against the running local stack.

One stack per module, as in tests/e2e (a stack sets its environment in this process too).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from devtools.contract import GENEROUS_RATE_LIMITS
from devtools.local_stack import LocalStack

# GENEROUS_RATE_LIMITS: generated cases arrive far faster than any client would; the limiter stays
# in the path (its headers are still checked against the spec); tests/e2e prove the limits themselves.


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    run_id = f"c{uuid.uuid4().hex[:7]}"
    with LocalStack(run_id=run_id, auto_schedule=False, emulator=True, env_overrides=GENEROUS_RATE_LIMITS) as s:
        yield s


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=30) as client:
        yield client
