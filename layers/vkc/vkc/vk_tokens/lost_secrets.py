"""Which of a workspace's tokens lost their secret, as the pool last found when it read them.

A secret can vanish behind the database's back (deleted in the secret store, or a local stack restarted
with an empty one). Checking every secret on each list would cost a secret-store read per token, so the
pool records what it finds when it has to read them anyway, and the list shows that. Kept in Redis per
(workspace, token): the breaker's state is per token across workspaces, while a secret belongs to one
workspace's row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import redis

KEY_PREFIX = "vkc:vk-tokens:secret-missing"


def _key(workspace_id: uuid.UUID, tid: str) -> str:
    return f"{KEY_PREFIX}:{workspace_id}:{tid}"


def record(client: redis.Redis, workspace_id: uuid.UUID, lost: Sequence[str], found: Sequence[str]) -> None:
    """After reading the workspace's secrets: `lost` could not be read, `found` could."""
    if not lost and not found:
        return
    pipe = client.pipeline(transaction=False)
    for tid in lost:
        pipe.set(_key(workspace_id, tid), "1")
    if found:
        pipe.delete(*(_key(workspace_id, tid) for tid in found))
    pipe.execute()


def missing(client: redis.Redis, workspace_id: uuid.UUID, token_ids: Sequence[str]) -> set[str]:
    """The ids among `token_ids` whose secret the pool could not read last time."""
    if not token_ids:
        return set()
    values = client.mget([_key(workspace_id, tid) for tid in token_ids])
    return {tid for tid, value in zip(token_ids, values, strict=True) if value is not None}
