"""Contract tests over HTTP: the committed OpenAPI spec against the running local stack.

One stack per module, as in tests/e2e (a stack sets process-wide environment).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.contract import GENEROUS_RATE_LIMITS
from devtools.local_stack import LocalStack

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def load_spec() -> dict[str, Any]:
    return dict(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


# GENEROUS_RATE_LIMITS: generated cases arrive far faster than any client would; the limiter stays
# in the path (its headers are still checked against the spec); tests/e2e prove the limits themselves.


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with pytest.MonkeyPatch.context() as env:
        for name, value in GENEROUS_RATE_LIMITS.items():
            env.setenv(name, value)
        with LocalStack(run_id=f"c{uuid.uuid4().hex[:7]}", auto_schedule=False, emulator=True) as s:
            yield s


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, headers={"X-Api-Key": stack.api_key}, timeout=30) as client:
        yield client
