"""Integration tests use the real services: PostgreSQL and Redis are started when they are not running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.local_stack.aws import MotoServer
from tests.conftest import ensure_services


@pytest.fixture(scope="session", autouse=True)
def _services() -> None:
    ensure_services()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server (SQS, S3, Secrets Manager, CloudFront) for the whole integration session."""
    server = MotoServer()
    url = server.start()
    yield url
    server.stop()
