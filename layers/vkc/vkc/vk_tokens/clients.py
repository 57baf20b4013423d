"""VK clients bound to a workspace's token pool, sharing one HTTP connection pool per process.

Why a shared httpx client: an API container serves many requests and a worker many tasks; each builds
its own `VkClient` (the pool differs per workspace) but keeps VK's TLS connections warm. The transport
made here does not own that httpx client, so closing a `VkClient` never closes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

import httpx
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from vkc.observability import instrument
from vkc.ports import SecretStore
from vkc.settings import Settings
from vkc.vk.client import VkClient
from vkc.vk.pool import TokenPool
from vkc.vk.transport import VkTransport
from vkc.vk_tokens.service import load_pool

MAX_CONNECTIONS = 32


@lru_cache(maxsize=1)
def _http() -> httpx.Client:
    instrument("httpx")
    limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
    return httpx.Client(limits=limits, headers={"Accept": "application/json"})


def transport(settings: Settings, *, timeout_s: float = 10.0) -> VkTransport:
    return VkTransport(settings.vk_api_url, version=settings.vk_api_version, timeout_s=timeout_s, http_client=_http())


def client_for_pool(pool: TokenPool, settings: Settings, *, timeout_s: float = 10.0) -> VkClient:
    """A client over `pool`; close it when done (its threads, not the shared connections)."""
    return VkClient(
        pool,
        transport(settings, timeout_s=timeout_s),
        max_attempts=settings.vk_max_attempts,
        backoff_max_s=settings.vk_backoff_max_s,
    )


def workspace_client_factory(
    engine: Engine,
    settings: Settings,
    redis_client: redis.Redis,
    secrets: SecretStore,
    *,
    timeout_s: float = 10.0,
) -> Callable[[uuid.UUID], VkClient]:
    """For `WorkerDeps.vk_client`: workspace id → a client over its pool (use it in `with`, it closes)."""

    def make(workspace_id: uuid.UUID) -> VkClient:
        with Session(engine) as session:
            pool = load_pool(session, workspace_id, settings, redis_client, secrets)
        return client_for_pool(pool, settings, timeout_s=timeout_s)

    return make


@contextmanager
def workspace_client(
    session: Session,
    workspace_id: uuid.UUID,
    *,
    settings: Settings,
    redis_client: redis.Redis,
    secrets: SecretStore,
    timeout_s: float = 10.0,
) -> Iterator[VkClient]:
    """A client over the workspace's active tokens (see `load_pool`), closed on exit."""
    pool = load_pool(session, workspace_id, settings, redis_client, secrets)
    client = client_for_pool(pool, settings, timeout_s=timeout_s)
    try:
        yield client
    finally:
        client.close()
