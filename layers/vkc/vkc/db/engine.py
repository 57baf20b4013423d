"""One SQLAlchemy engine per process, shaped for Lambda behind RDS Proxy.

Why this shape (see docs/architecture.md and the RDS Proxy pinning rules):
- the engine is created once per container and connects lazily;
- a small pool (DB_POOL_SIZE, default 2): a Lambda container serves one invocation at a time and
  the proxy does the real pooling; the parse worker writes pages on two connections while it
  fetches; pre-ping and recycle drop sockets the proxy has closed;
- nothing pins proxy connections: no `client_encoding`/`isolation_level` arguments (they make
  the pg8000 dialect emit SET), no startup options, no advisory locks, no session GUCs;
- with IAM auth the password is a fresh RDS auth token made at connect time (tokens live 15 min),
  signed without an RDS client (vkc.db.iam_token);
- the socket has TCP_NODELAY (see ``_no_nagle``); TLS only with DB_SSL=1, verified against the
  Amazon Trust Services roots (``vkc.db.tls``);
- pg8000's placeholder rewrite is cached per statement text (``vkc.db.paramstyle``).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from vkc.db import paramstyle, tls
from vkc.settings import Settings, get_settings

_engines: dict[str, Engine] = {}


def database_url(settings: Settings, *, database: str | None = None) -> URL:
    return URL.create(
        "postgresql+pg8000",
        username=settings.db_user,
        password=settings.db_password.get_secret_value() or None,
        host=settings.db_host,
        port=settings.db_port,
        database=database or settings.db_name,
    )


def make_engine(settings: Settings, *, database: str | None = None, pool_size: int | None = None) -> Engine:
    """Build an engine; prefer `get_engine` which caches one per database."""
    connect_args: dict[str, Any] = {
        "timeout": settings.db_socket_timeout_s,
        "application_name": f"vkc-{settings.stage}",
        "tcp_keepalive": True,
    }
    connect_args["ssl_context"] = tls.ssl_context_arg(settings.db_ssl)
    size = pool_size or settings.db_pool_size
    paramstyle.install()
    engine = create_engine(
        database_url(settings, database=database),
        connect_args=connect_args,
        pool_size=size,
        max_overflow=0,
        pool_pre_ping=True,
        pool_recycle=900,  # below the proxy's idle client timeout (1800 s)
        future=True,
    )
    event.listen(engine, "connect", _no_nagle)
    if settings.db_iam_auth:
        _install_iam_token_hook(engine, settings)
    return engine


def _no_nagle(dbapi_connection: Any, connection_record: Any) -> None:
    """Set TCP_NODELAY on pg8000's socket, which pg8000 does not do.

    Why: pg8000 writes a statement whose parameters exceed its 8 KiB buffer (a batch's JSON rows,
    its ids) in several segments; with Nagle's algorithm the last one waits for the server's
    delayed ACK (up to 40 ms on Linux), so such a statement took 10-40 ms longer than the database
    spent on it (measured on the analyze task's writes). pg8000's public ``connect`` takes no
    socket, so the option is set on the connection's socket (``_usock``; a Unix socket has no Nagle).
    """
    sock = getattr(dbapi_connection, "_usock", None)
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _install_iam_token_hook(engine: Engine, settings: Settings) -> None:
    from vkc.db.iam_token import auth_tokens

    tokens = auth_tokens(settings.aws_region)

    @event.listens_for(engine, "do_connect")
    def _token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["password"] = tokens.token(settings.db_host, settings.db_port, settings.db_user)


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for the configured database."""
    s = settings or get_settings()
    key = f"{s.db_host}:{s.db_port}/{s.db_name}/{s.db_user}"
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = make_engine(s)
    return engine


def forget_connections() -> None:
    """Drop every pooled connection without closing it; the engines stay and connect again on use.

    For a process restored from a SnapStart snapshot: a socket opened before the snapshot is shared by
    every copy restored from it, so it must not be reused, and closing it properly would end the
    session of whichever copy still talks on it; the pool just forgets it.
    """
    for engine in list(_engines.values()):
        engine.dispose(close=False)


def dispose_engines() -> None:
    """Close every pooled connection (tests, and the local stack on shutdown)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """One unit of work: a session inside a transaction, committed on success, rolled back on error."""
    factory = sessionmaker(bind=get_engine(settings), expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
