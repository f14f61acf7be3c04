"""Table stream -> statistics aggregates. Batch processing reports partial failures; each record
is applied once (a per-ticket version guard, a per-event marker, in the same transaction as the
counters), so a duplicated or replayed record changes nothing. The batch's tickets' facts are read
ahead in one BatchGetItem, so a record costs one call: its transaction."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.settings import get_settings
from ventanilla.stats import consume

get_settings()  # validate the environment at cold start
logger = Logger(service="stats")
metrics = Metrics(namespace="Ventanilla", service="stats")
tracer = Tracer(service="stats")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    data = record.dynamodb
    keys = data.keys if data else None
    image = data.new_image if data else None
    if not keys or not image:  # removals (TTL of other items) carry nothing to count
        return
    pk, sk = str(keys.get("PK", "")), str(keys.get("SK", ""))
    if not pk.startswith("TICKET#"):
        return
    number = pk.removeprefix("TICKET#")
    logger.set_correlation_id(number)
    if sk == "TICKET":
        applied = consume.apply_ticket(number, image)
        if image.get("version") == 1 and applied:
            metrics.add_metric(name="TicketsCounted", unit=MetricUnit.Count, value=1)
    elif sk.startswith("EV#"):
        applied = consume.apply_event(pk, sk, image)
    else:
        return
    if not applied:
        metrics.add_metric(name="StatsRecordsSkipped", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    consume.read_ahead(_ticket_numbers(event))
    try:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    finally:
        consume.forget()


def _ticket_numbers(event: dict[str, Any]) -> list[str]:
    """The tickets whose versions the batch carries (their facts are read in one call)."""
    out = []
    for record in event.get("Records") or []:
        keys = (record.get("dynamodb") or {}).get("Keys") or {}
        pk, sk = (keys.get("PK") or {}).get("S", ""), (keys.get("SK") or {}).get("S", "")
        if pk.startswith("TICKET#") and sk == "TICKET" and (record.get("dynamodb") or {}).get("NewImage"):
            out.append(pk.removeprefix("TICKET#"))
    return out
