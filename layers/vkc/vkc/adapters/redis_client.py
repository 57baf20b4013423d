"""One Redis client per process (TLS on ElastiCache via a rediss:// URL), with short timeouts."""

from __future__ import annotations

import threading

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
            )
        return client


def get_redis(settings: Settings) -> redis.Redis:
    return _client(settings.redis_url, settings.redis_timeout_s)


def forget_connections() -> None:
    """Empty every client's pool without closing its sockets (see `vkc.db.engine.forget_connections`):
    the clients, held by whoever built on them, open new connections on their next command."""
    with _lock:
        clients = list(_clients.values())
    for client in clients:
        client.connection_pool.reset()
