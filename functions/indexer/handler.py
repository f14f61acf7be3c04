"""Table stream -> help search index: published articles indexed, archived or deleted ones removed.

Batch processing reports partial failures, so one bad record is retried alone; applying a record
again gives the same index (upsert or delete by slug and language).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.help.indexing import apply_change
from ventanilla.help.search.shared import shared_engine
from ventanilla.settings import get_settings

get_settings()  # validate the environment at cold start
logger = Logger(service="indexer")
metrics = Metrics(namespace="Ventanilla", service="indexer")
tracer = Tracer(service="indexer")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    data = record.dynamodb
    event_name = str(record.event_name.name if record.event_name else "")
    outcome = apply_change(
        shared_engine(), event_name, data.keys if data else None, data.new_image if data else None
    )
    if outcome != "ignored":
        metrics.add_metric(
            name="HelpArticlesIndexed" if outcome == "indexed" else "HelpArticlesRemoved",
            unit=MetricUnit.Count,
            value=1,
        )


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
