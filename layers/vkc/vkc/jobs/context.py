"""What a task handler gets to work with: the job, its message, and the adapters (no globals)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from vkc.events import EventBus
from vkc.jobs.ports import TaskQueue
from vkc.jobs.schemas import TaskMessage
from vkc.ports import ObjectStore, SecretStore
from vkc.settings import Priority, Settings

if TYPE_CHECKING:
    import httpx
    import redis
    from mypy_boto3_sqs import SQSClient

    from vkc.jobs.registry import TaskRegistry
    from vkc.vk.client import VkClient


@dataclass(frozen=True, slots=True)
class WorkerDeps:
    """What a worker process builds once, in its composition place (`vkc.wiring.worker`), for every task.

    Task handlers open their units of work with `sessions()`; they never build an engine, a queue or a
    client themselves. The ports a feature needs beyond these (VK clients, object storage, secrets,
    the webhook HTTP client) are factories, built on first use so a worker only loads what its tasks need.
    """

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis
    sqs: SQSClient
    queue: TaskQueue
    registry: TaskRegistry
    events: EventBus
    remaining_ms: Callable[[], int]
    # wall-clock time in epoch seconds: when a waiting task is due (tests move it forward)
    clock: Callable[[], float] = time.time
    # a VK client over the workspace's token pool (closed by the caller)
    vk_client: Callable[[uuid.UUID], VkClient] | None = None
    # object storage for exports
    object_store: Callable[[], ObjectStore] = field(default=lambda: _missing("an object store"))
    # a secret store that reads every time (a rotated webhook secret must sign the very next delivery)
    fresh_secrets: Callable[[], SecretStore] = field(default=lambda: _missing("a secret store"))
    # the HTTP client webhook deliveries are sent with
    http_client: Callable[[], httpx.Client] = field(default=lambda: _missing("an HTTP client"))


def _missing(what: str) -> Any:
    raise RuntimeError(f"this worker was built without {what}")


@dataclass(frozen=True, slots=True)
class TaskContext:
    job_id: uuid.UUID
    workspace_id: uuid.UUID
    job_type: str
    priority: Priority
    correlation_id: str
    payload: dict[str, Any]
    message: TaskMessage
    deps: WorkerDeps
