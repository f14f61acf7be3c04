"""Inbound SMS (End User Messaging -> SNS topic -> queue) -> appended to a request or a new one."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.batch import BatchResponse, SqsRecord, process_sqs
from ventanilla.services import sms_intake
from ventanilla.settings import get_settings
from ventanilla.tracing import make_tracer

get_settings()
logger = Logger(service="sms-in")
metrics = Metrics(service="sms-in")  # namespace: POWERTOOLS_METRICS_NAMESPACE
tracer = make_tracer("sms-in")


@tracer.capture_method
def record_handler(record: SqsRecord) -> None:
    body = json.loads(record["body"])
    # Raw delivery off: the SNS envelope holds the inbound SMS as a JSON string.
    message = json.loads(body["Message"]) if isinstance(body.get("Message"), str) else body
    outcome = sms_intake.handle(message)
    logger.info("sms in", extra={"outcome": outcome})  # never the number or the text
    metrics.add_metric(name="SmsInbound", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return process_sqs(event, record_handler)
