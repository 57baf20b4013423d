"""SchedulerFunction: the EventBridge tick that runs periodic duties (monitoring runs that are due, lost
webhook deliveries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from sqlalchemy.orm import Session
from vkc.adapters.aws import sqs
from vkc.adapters.redis_client import get_redis
from vkc.adapters.sqs_queue import SqsTaskQueue
from vkc.db.engine import get_engine
from vkc.monitoring.schedule import queue_due_monitoring
from vkc.scheduling import Duty, tick
from vkc.settings import get_settings
from vkc.webhooks.outbox import requeue_stalled_events

logger = Logger()
metrics = Metrics()


def _monitoring(now: datetime) -> dict[str, Any]:
    settings = get_settings()
    queue = SqsTaskQueue(settings, sqs(settings.aws_region))
    with Session(get_engine(settings), expire_on_commit=False) as session:
        return queue_due_monitoring(session, queue, now)


def _webhook_outbox(now: datetime) -> dict[str, Any]:
    settings = get_settings()
    queue = SqsTaskQueue(settings, sqs(settings.aws_region))
    with Session(get_engine(settings)) as session:
        return requeue_stalled_events(
            session, queue, now, stale_after=timedelta(seconds=settings.webhook_requeue_after_s)
        )


DUTIES: dict[str, Duty] = {"monitoring": _monitoring, "webhook_outbox": _webhook_outbox}


def _scheduled_time(event: dict[str, Any]) -> datetime:
    """EventBridge rules send `time`; a ScheduleV2 Input may carry `scheduled_time`. Fall back to now."""
    raw = event.get("time") or event.get("scheduled_time")
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            logger.warning("unparseable schedule time, using now", extra={"time": raw})
    return datetime.now(UTC)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # the event's time is whole seconds and may arrive late: never act earlier than the wall clock
    now = max(_scheduled_time(event), datetime.now(UTC))
    return tick(now, get_redis(get_settings()), DUTIES)
