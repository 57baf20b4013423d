"""Cache-aside for hot reads, per workspace, with generation-based invalidation.

Every cached value of a workspace lives under a key that embeds the workspace's current
*generation* (`<prefix><workspace>:gen`, an integer). A write that changes what those reads show
bumps the generation (one INCR): every earlier entry becomes unreachable at once and expires by
its TTL. A reader that loaded from the database just before a write commits stores its result
under the old generation, where nobody looks any more, so a stale value cannot outlive the write.

Redis is an optimisation only: any Redis error (or a recent one, see `RedisGuard`) makes the read
go to the database and the write skip the cache. Values are JSON produced by pydantic.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import redis
from pydantic import TypeAdapter

from vkc.cache.guard import RedisGuard

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PREFIX = "vkc:cache:"
GENERATION_TTL_S = 86_400  # far longer than any entry's TTL: an expired counter restarts at 0 safely


def params_digest(params: Mapping[str, Any]) -> str:
    """A stable digest of a read's parameters (order-independent, lists kept in their order)."""
    canonical = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class ReadCache:
    def __init__(self, client: redis.Redis, guard: RedisGuard, *, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = client
        self._guard = guard
        self._prefix = prefix

    def generation_key(self, workspace_id: uuid.UUID) -> str:
        return f"{self._prefix}{workspace_id}:gen"

    def get_or_load(
        self,
        workspace_id: uuid.UUID,
        name: str,
        params: Mapping[str, Any],
        adapter: TypeAdapter[T],
        ttl_s: int,
        load: Callable[[], T],
    ) -> T:
        """The cached value of `name(params)` in this workspace, or `load()` (then cached for ttl_s)."""
        key = self._entry_key(workspace_id, name, params)
        if key is not None:
            try:
                raw = self._redis.get(key)
            except redis.RedisError as exc:
                self._guard.failed("cache read", exc)
                raw = None
                key = None
            if raw is not None:
                try:
                    return adapter.validate_json(raw)
                except ValueError:  # written by an older shape of the model: reload and overwrite
                    log.info("cache entry %s no longer matches its model; reloading", name)
        value = load()
        if key is not None:
            try:
                self._redis.set(key, adapter.dump_json(value), ex=ttl_s)
            except redis.RedisError as exc:
                self._guard.failed("cache write", exc)
        return value

    def invalidate(self, workspace_id: uuid.UUID) -> bool:
        """Make every cached read of the workspace stale; False when Redis could not be told."""
        key = self.generation_key(workspace_id)
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, GENERATION_TTL_S)
            pipe.execute()
        except redis.RedisError as exc:
            self._guard.failed("cache invalidation", exc)
            return False
        return True

    def _entry_key(self, workspace_id: uuid.UUID, name: str, params: Mapping[str, Any]) -> str | None:
        if not self._guard.available:
            return None
        try:
            generation = self._redis.get(self.generation_key(workspace_id))
        except redis.RedisError as exc:
            self._guard.failed("cache generation", exc)
            return None
        return f"{self._prefix}{workspace_id}:g{int(generation or 0)}:{name}:{params_digest(params)}"
