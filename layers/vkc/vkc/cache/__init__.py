"""Redis cache-aside for hot API reads (community metadata, statistics); see `readcache`."""

from __future__ import annotations

import uuid

import redis

from vkc.cache.guard import RedisGuard, guard_for
from vkc.cache.readcache import ReadCache, params_digest
from vkc.settings import Settings

__all__ = ["ReadCache", "RedisGuard", "guard_for", "invalidate_workspace_reads", "params_digest", "read_cache"]


def read_cache(settings: Settings, client: redis.Redis) -> ReadCache:
    return ReadCache(client, guard_for(settings.redis_url), prefix=settings.cache_key_prefix)


def invalidate_workspace_reads(settings: Settings, client: redis.Redis, workspace_id: uuid.UUID) -> bool:
    """Call after committing data the cached reads show (new comments, matches, community changes).

    Never raises: when Redis is unavailable the entries simply live out their TTL.
    """
    return read_cache(settings, client).invalidate(workspace_id)
