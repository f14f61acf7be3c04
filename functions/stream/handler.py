"""Table stream -> domain events on the bus. Batch processing reports partial failures, so one bad
record is retried alone and never blocks or repeats the rest of the batch."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla import domain_events
from ventanilla.integrations import eventbus
from ventanilla.settings import get_settings

get_settings()  # validate the environment at cold start
logger = Logger(service="stream")
metrics = Metrics(service="stream")  # namespace: POWERTOOLS_METRICS_NAMESPACE
tracer = Tracer(service="stream")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    new_image = record.dynamodb.new_image if record.dynamodb else None
    events = domain_events.from_stream_record(
        str(record.event_name.name if record.event_name else ""), new_image
    )
    if not events:
        return
    logger.set_correlation_id(events[0].detail["number"])
    eventbus.publish(events)
    metrics.add_metric(name="DomainEventsPublished", unit=MetricUnit.Count, value=len(events))


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
