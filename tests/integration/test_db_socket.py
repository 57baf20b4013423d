"""The engine's connections to PostgreSQL send statements without Nagle's delay."""

from __future__ import annotations

import socket

from sqlalchemy import text
from vkc.db.engine import make_engine
from vkc.settings import Settings


def test_connections_have_tcp_nodelay_and_keepalive() -> None:
    # Regression: without TCP_NODELAY a statement with more than 8 KiB of parameters (the analyze
    # task's JSON rows) waited for the server's delayed ACK, 10-40 ms per statement.
    engine = make_engine(Settings(db_name="postgres"))
    try:
        with engine.connect() as conn:
            big = "x" * 20_000
            assert conn.execute(text("SELECT length(:p)"), {"p": big}).scalar_one() == 20_000
            sock = conn.connection.dbapi_connection._usock  # type: ignore[union-attr]
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
    finally:
        engine.dispose()
