"""One Redis client per process (TLS on ElastiCache via a rediss:// URL), with short timeouts."""

from __future__ import annotations

from functools import lru_cache

import redis

from vkc.settings import Settings


@lru_cache(maxsize=4)
def _client(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        health_check_interval=30,
        decode_responses=True,
    )


def get_redis(settings: Settings) -> redis.Redis:
    return _client(settings.redis_url, settings.redis_timeout_s)
