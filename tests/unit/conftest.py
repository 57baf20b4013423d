"""Unit tests need no service: a connection to PostgreSQL or Redis from one fails it, loudly.

A unit test that needs the database belongs in tests/integration; one that needs the stack in tests/e2e.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

SERVICE_PORTS = {5432: "PostgreSQL", 6379: "Redis"}


class ServiceUsedInUnitTest(AssertionError):
    pass


@pytest.fixture(autouse=True)
def _no_services() -> Iterator[None]:
    """Per test, not per session: a session-wide guard would outlive the unit tests and refuse the
    integration tests collected after them in the same run."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        port = address[1] if isinstance(address, tuple) and len(address) >= 2 else None
        if port in SERVICE_PORTS:
            raise ServiceUsedInUnitTest(
                f"a unit test connected to {SERVICE_PORTS[port]} ({address!r}): move it to tests/integration"
            )
        return connect(self, address)

    socket.socket.connect = guarded  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = connect  # type: ignore[method-assign]
