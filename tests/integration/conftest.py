"""Integration tests use the real services: PostgreSQL and Redis are started when they are not running."""

from __future__ import annotations

import pytest

from tests.conftest import ensure_services


@pytest.fixture(scope="session", autouse=True)
def _services() -> None:
    ensure_services()
