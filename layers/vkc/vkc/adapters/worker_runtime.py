"""What a worker door needs to run tasks from SQS: the typed record and the adapters, built once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json

from vkc import observability
from vkc.adapters.aws import sqs
from vkc.adapters.emf import HOOK, emit, install
from vkc.adapters.log_context import log_context
from vkc.adapters.redis_client import get_redis
from vkc.adapters.secrets import secret_store
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.db.engine import get_engine
from vkc.health import record_queue_lag
from vkc.jobs.context import WorkerDeps
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, Settings, WorkerKind, get_settings

if TYPE_CHECKING:
    import redis
    from sqlalchemy import Engine

    from vkc.vk.client import VkClient

install()  # the domain's counts go to this process's EMF hook


class TaskRecord(SqsRecordModel):
    """An SQS record whose body is a TaskMessage; a malformed body fails only that record."""

    body: Json[TaskMessage]


def build_worker_deps(remaining_ms: Callable[[], int]) -> WorkerDeps:
    settings = get_settings()
    client = sqs(settings.aws_region)
    engine = get_engine(settings)
    redis_client = get_redis(settings)
    return WorkerDeps(
        settings=settings,
        engine=engine,
        redis=redis_client,
        sqs=client,
        queue=SqsTaskQueue(settings, client),
        remaining_ms=remaining_ms,
        vk_client=_vk_clients(engine, settings, redis_client),
    )


def _vk_clients(engine: Engine, settings: Settings, redis_client: redis.Redis) -> Callable[[uuid.UUID], VkClient]:
    """`WorkerDeps.vk_client`: workspace id → a client over its pool (use it in `with`, it closes)."""

    def make(workspace_id: uuid.UUID) -> VkClient:
        # imported by the first task that calls VK (the parse worker's); the analyze worker never loads it (cold start)
        from vkc.vk_tokens.clients import workspace_client_factory

        return workspace_client_factory(engine, settings, redis_client, secret_store(settings))(workspace_id)

    return make


def correlation_id_of(record: TaskRecord) -> str | None:
    attr = record.messageAttributes.get("correlation_id")
    return attr.stringValue if attr else None


def queue_name_of(record: TaskRecord, settings: Settings) -> str:
    """`parse-high` … for the record's source queue (a low-cardinality metric dimension)."""
    name = record.eventSourceARN.rsplit(":", 1)[-1]
    for worker in WorkerKind:
        for priority in Priority:
            if settings.queue_url(worker, priority).rstrip("/").endswith("/" + name):
                return f"{worker.value}-{priority.value}"
    return "other"


def queue_lag_ms(record: TaskRecord) -> float:
    """How long the message waited: now minus SQS's SentTimestamp (redeliveries included)."""
    sent = record.attributes.SentTimestamp
    return max(0.0, (datetime.now(UTC) - sent).total_seconds() * 1000)


def handle_task_record(
    record: TaskRecord,
    *,
    logger: Logger,
    metrics: Metrics,
    remaining_ms: Callable[[], int],
    tracer: Tracer | None = None,
) -> None:
    """Run one record's task with its correlation id on every log line; raise to report it failed.

    The log keys are context-local (Powertools' thread-safe keys), so they also reach the lines the
    VK client and the DB writer emit from their thread pools (`vkc.observability.ContextThreadPool`)
    and never leak into another record. Metrics counted by the domain while the task ran are
    published as EMF when it ends, with the task's outcome and the message's queue lag.
    """
    message = record.body
    settings = get_settings()
    queue = queue_name_of(record, settings)
    workspace = record.messageAttributes.get("workspace_id")
    keys = {
        "correlation_id": correlation_id_of(record),
        "job_id": str(message.job_id),
        "task": message.task,
        "message_id": record.messageId,
        "queue": queue,
    }
    if tracer is not None:
        tracer.put_annotation("job_id", str(message.job_id))
        tracer.put_annotation("task", message.task)
        if workspace is not None and workspace.stringValue:
            tracer.put_annotation("workspace_id", workspace.stringValue)
    metrics.add_metric(name="Records", unit=MetricUnit.Count, value=1)
    lag_ms = queue_lag_ms(record)
    emit(metrics, "QueueLag", lag_ms, {"queue": queue}, unit=MetricUnit.Milliseconds)
    try:  # for /v1/health/deep; never worth failing the record over
        record_queue_lag(get_redis(settings), queue, lag_ms, datetime.now(UTC))
    except Exception as exc:
        logger.warning("could not record the queue lag", extra={"error": type(exc).__name__})
    outcome = "error"
    with log_context(logger, **keys):
        try:
            result = run_task(
                message,
                build_worker_deps(remaining_ms),
                receive_count=int(record.attributes.ApproximateReceiveCount),
            )
            outcome = result.status
        finally:
            observability.count(observability.TASKS, task=message.task, outcome=outcome)
            HOOK.flush(metrics)
