"""Inbound SMS (End User Messaging -> SNS topic -> queue) -> appended to a request or a new one."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.services import sms_intake
from ventanilla.settings import get_settings
from ventanilla.tracing import make_tracer

get_settings()
logger = Logger(service="sms-in")
metrics = Metrics(service="sms-in")  # namespace: POWERTOOLS_METRICS_NAMESPACE
tracer = make_tracer("sms-in")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    # Raw delivery off: the SNS envelope holds the inbound SMS as a JSON string.
    message = json.loads(body["Message"]) if isinstance(body.get("Message"), str) else body
    outcome = sms_intake.handle(message)
    logger.info("sms in", extra={"outcome": outcome})  # never the number or the text
    metrics.add_metric(name="SmsInbound", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
