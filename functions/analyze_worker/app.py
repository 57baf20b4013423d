"""AnalyzeWorkerFunction: analysis tasks from the analyze-{high,normal,low} queues.

A thin door: typed SQS records in, one task per record, partial batch failures out. What a task runs
with is built in the workers' composition place, `vkc.wiring.worker`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from vkc.adapters.emf import install as install_metrics_hook
from vkc.wiring.worker import TaskRecord, handle_task_record

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS, model=TaskRecord)
install_metrics_hook()  # the domain's counts go to this process's EMF lines


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    def record_handler(record: TaskRecord) -> None:
        handle_task_record(
            record, logger=logger, metrics=metrics, tracer=tracer, remaining_ms=context.get_remaining_time_in_millis
        )

    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
