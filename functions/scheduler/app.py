"""SchedulerFunction: the EventBridge tick that runs periodic duties (jobs whose first message was lost,
monitoring runs that are due, lost webhook deliveries, old finished jobs; the list is `vkc.wiring.scheduler`'s)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from vkc.scheduling import tick
from vkc.wiring.scheduler import scheduler_deps

logger = Logger()
metrics = Metrics()


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
    deps = scheduler_deps()
    return tick(now, deps.redis, deps.duties())
