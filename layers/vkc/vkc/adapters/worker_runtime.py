"""What a worker door needs to run tasks from SQS: the typed record and the adapters, built once."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.parser.types import Json

from vkc.adapters.aws import sqs
from vkc.adapters.redis_client import get_redis
from vkc.adapters.secrets import secret_store
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.db.engine import get_engine
from vkc.jobs.context import WorkerDeps
from vkc.jobs.runner import run_task
from vkc.jobs.schemas import TaskMessage
from vkc.settings import get_settings
from vkc.vk_tokens.clients import workspace_client_factory


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
        vk_client=workspace_client_factory(engine, settings, redis_client, secret_store(settings)),
    )


def correlation_id_of(record: TaskRecord) -> str | None:
    attr = record.messageAttributes.get("correlation_id")
    return attr.stringValue if attr else None


def handle_task_record(
    record: TaskRecord, *, logger: Logger, metrics: Metrics, remaining_ms: Callable[[], int]
) -> None:
    """Run one record's task with its correlation id on every log line; raise to report it failed."""
    message = record.body
    logger.set_correlation_id(correlation_id_of(record))
    # scoped to this record: the next record (or another handler in the same process) starts clean
    with logger.append_context_keys(job_id=str(message.job_id), task=message.task, message_id=record.messageId):
        outcome = run_task(
            message,
            build_worker_deps(remaining_ms),
            receive_count=int(record.attributes.ApproximateReceiveCount),
        )
    metrics.add_metric(name=f"Tasks_{outcome.status}", unit=MetricUnit.Count, value=1)
