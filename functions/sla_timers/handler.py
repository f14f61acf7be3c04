"""Table stream -> SLA timers: creates, moves and deletes each ticket's one-time schedules.

Batch processing reports partial failures, so one bad record is retried alone; re-running a record
is harmless (schedule names are deterministic: create falls back to update, delete ignores missing).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.integrations.scheduler import scheduler_settings
from ventanilla.services import timers
from ventanilla.settings import get_settings

get_settings()  # validate the environment at cold start
scheduler_settings()
logger = Logger(service="sla-timers")
metrics = Metrics(service="sla-timers")  # namespace: POWERTOOLS_METRICS_NAMESPACE
tracer = Tracer(service="sla-timers")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    keys = record.dynamodb.keys if record.dynamodb else None
    if not keys or keys.get("SK") != "TICKET":
        return
    number = str(keys["PK"]).removeprefix("TICKET#")
    logger.set_correlation_id(number)
    upserted, deleted = timers.sync(number, record.dynamodb.old_image, record.dynamodb.new_image)
    if upserted:
        metrics.add_metric(name="SlaTimersScheduled", unit=MetricUnit.Count, value=upserted)
    if deleted:
        metrics.add_metric(name="SlaTimersDeleted", unit=MetricUnit.Count, value=deleted)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
