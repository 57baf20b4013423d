"""The worker processes' composition place: what the parse and analyze workers build once, and how a record runs.

Everything a task handler uses is built here, once per process (a Lambda container), and handed down in
`WorkerDeps`: the engine and its session factory, Redis, the task queue, the catalogue's task registry,
the domain event subscriptions (new matches → webhook alerts), and factories for the ports some tasks
need (VK clients, object storage, secrets, the webhook HTTP client), built on first use so a worker only
loads what its tasks need.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json
from sqlalchemy.orm import sessionmaker

from vkc import observability
from vkc.adapters.aws import client as aws_client
from vkc.adapters.aws import sqs
from vkc.adapters.emf import HOOK, emit
from vkc.adapters.log_context import log_context
from vkc.adapters.redis_client import get_redis
from vkc.adapters.secrets import SecretsManagerStore, secret_store
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.analysis_store.hooks import NewMatchesStored
from vkc.db.engine import get_engine
from vkc.events import EventBus
from vkc.health import record_queue_lag
from vkc.jobs.context import WorkerDeps
from vkc.jobs.ports import TaskQueue
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import TaskMessage
from vkc.settings import Priority, Settings, WorkerKind, get_settings
from vkc.webhooks.alerts import alerts_for_new_matches
from vkc.wiring.catalogue import REGISTRY
from vkc.wiring.once import PerSettings

if TYPE_CHECKING:
    import httpx
    import redis
    from mypy_boto3_sqs import SQSClient
    from sqlalchemy import Engine

    from vkc.ports import ObjectStore
    from vkc.vk.client import VkClient


class TaskRecord(SqsRecordModel):
    """An SQS record whose body is a TaskMessage; a malformed body fails only that record."""

    body: Json[TaskMessage]


def subscriptions(queue: TaskQueue) -> EventBus:
    """Who hears which domain event in a worker: new matches → webhook alerts (queued on `queue`)."""
    return EventBus({NewMatchesStored: [alerts_for_new_matches(queue)]})


#: the process's dependencies, built on its first record (nothing connects until used)
worker_deps = PerSettings(lambda settings: build_worker_deps(settings))


def build_worker_deps(
    settings: Settings,
    *,
    engine: Engine | None = None,
    sqs_client: SQSClient | None = None,
    queue: TaskQueue | None = None,
    vk_client: Callable[[uuid.UUID], VkClient] | None = None,
    remaining_ms: Callable[[], int] = lambda: 0,
) -> WorkerDeps:
    """A worker's dependencies; the keyword arguments replace one part (dev tools, tests: a recording queue)."""
    engine = engine or get_engine(settings)
    redis_client = get_redis(settings)
    if queue is None:
        sqs_client = sqs_client or sqs(settings.aws_region)
        queue = SqsTaskQueue(settings, sqs_client)
    return WorkerDeps(
        settings=settings,
        engine=engine,
        sessions=sessionmaker(bind=engine),
        redis=redis_client,
        sqs=sqs_client,  # type: ignore[arg-type]  # None only where no task reads queue depths (dev tools)
        queue=queue,
        registry=REGISTRY,
        events=subscriptions(queue),
        remaining_ms=remaining_ms,
        vk_client=vk_client or _vk_clients(engine, settings, redis_client),
        object_store=lambda: _object_store(settings),
        fresh_secrets=lambda: SecretsManagerStore(aws_client("secretsmanager", settings.aws_region), cache_ttl_s=0),
        http_client=_http_client,
    )


def _vk_clients(engine: Engine, settings: Settings, redis_client: redis.Redis) -> Callable[[uuid.UUID], VkClient]:
    """`WorkerDeps.vk_client`: workspace id → a client over its pool (use it in `with`, it closes)."""

    def make(workspace_id: uuid.UUID) -> VkClient:
        # imported by the first task that calls VK (the parse worker's); the analyze worker never loads it (cold start)
        from vkc.vk_tokens.clients import workspace_client_factory

        return workspace_client_factory(engine, settings, redis_client, secret_store(settings))(workspace_id)

    return make


def _object_store(settings: Settings) -> ObjectStore:
    from vkc.adapters.s3 import exports_store  # boto3's S3 client only in the worker that exports

    return exports_store(settings)


@cache
def _http_client() -> httpx.Client:
    from vkc.webhooks.sender import http_client  # httpx only in the worker that delivers

    return http_client()


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
                dataclasses.replace(worker_deps(), remaining_ms=remaining_ms),
                receive_count=int(record.attributes.ApproximateReceiveCount),
            )
            outcome = result.status
        finally:
            observability.count(observability.TASKS, task=message.task, outcome=outcome)
            HOOK.flush(metrics)
