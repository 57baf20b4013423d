"""What a task handler gets to work with: the job, its message, and the adapters (no globals)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from vkc.jobs.ports import TaskQueue
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, Settings

if TYPE_CHECKING:
    import redis
    from mypy_boto3_sqs import SQSClient

    from vkc.vk.client import VkClient


@dataclass(frozen=True, slots=True)
class WorkerDeps:
    """Adapters a worker process builds once and hands to every task."""

    settings: Settings
    engine: Engine
    redis: redis.Redis
    sqs: SQSClient
    queue: TaskQueue
    remaining_ms: Callable[[], int]
    # a VK client over the workspace's token pool (closed by the caller)
    vk_client: Callable[[uuid.UUID], VkClient] | None = None


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
