"""One Redis client per process (TLS on ElastiCache via a rediss:// URL), with short timeouts."""

from __future__ import annotations

import threading
from typing import Any

import redis

from vkc.settings import Settings

_clients: dict[tuple[str, float], redis.Redis] = {}
_lock = threading.Lock()


def _client(url: str, timeout: float) -> redis.Redis:
    with _lock:
        client = _clients.get((url, timeout))
        if client is None:
            client = _clients[(url, timeout)] = redis.Redis.from_url(
                url,
                socket_connect_timeout=timeout,
                socket_timeout=timeout,
                health_check_interval=30,
                decode_responses=True,
                **_driver_info(),
            )
        return client


def _driver_info() -> dict[str, Any]:
    """What each new connection tells the server in CLIENT SETINFO, without a package metadata look-up.

    redis-py 8 finds its own version with `importlib.metadata.version("redis")` for every connection it
    opens (a sys.path scan and an email-parser read of METADATA: ~20 ms of the API's first request on
    a cold container, docs/coldstart.md); the version it would find is `redis.__version__`. The same
    name and version are sent. redis-py before 8 has no DriverInfo and no such look-up.
    """
    driver_info = getattr(redis, "DriverInfo", None)
    return {} if driver_info is None else {"driver_info": driver_info(lib_version=redis.__version__)}


def get_redis(settings: Settings) -> redis.Redis:
    return _client(settings.redis_url, settings.redis_timeout_s)


def forget_connections() -> None:
    """Empty every client's pool without closing its sockets (see `vkc.db.engine.forget_connections`):
    the clients, held by whoever built on them, open new connections on their next command."""
    with _lock:
        clients = list(_clients.values())
    for client in clients:
        client.connection_pool.reset()
