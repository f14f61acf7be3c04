"""Inbound SMS (End User Messaging -> SNS topic -> queue) -> appended to a request or a new one."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.batch import BatchResponse, SqsRecord, process_sqs, sns_message
from ventanilla.function_tools import function_tools
from ventanilla.services import sms_intake

logger, metrics, tracer = function_tools("sms-in")


@tracer.capture_method
def record_handler(record: SqsRecord) -> None:
    message = sns_message(record)
    outcome = sms_intake.handle(message)
    logger.info("sms in", extra={"outcome": outcome})  # never the number or the text
    metrics.add_metric(name="SmsInbound", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return process_sqs(event, record_handler)
