"""Integration tests use the real services: PostgreSQL and Redis are started when they are not running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.local_stack.aws import MotoProcess
from tests.conftest import ensure_services


@pytest.fixture(scope="session", autouse=True)
def _services() -> None:
    ensure_services()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server (SQS, S3, Secrets Manager, CloudFront) for the whole integration session, in its
    own process: the export tests measure this process' allocations, which moto's stored files would
    otherwise swell."""
    server = MotoProcess()
    url = server.start()
    yield url
    server.stop()
