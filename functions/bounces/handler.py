"""SES bounces and complaints (SNS topic -> queue) -> the suppression list; SES events of an
alert's or a campaign's email (deliveries too) -> that source's figures."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.batch import BatchResponse, SqsRecord, process_sqs
from ventanilla.services import proactive_figures, suppressions
from ventanilla.settings import get_settings
from ventanilla.tracing import make_tracer

get_settings()
logger = Logger(service="bounces")
metrics = Metrics(service="bounces")  # namespace: POWERTOOLS_METRICS_NAMESPACE
tracer = make_tracer("bounces")


@tracer.capture_method
def record_handler(record: SqsRecord) -> None:
    body = json.loads(record["body"])
    # Raw delivery off: the SNS envelope holds the SES notification as a JSON string.
    notification = json.loads(body["Message"]) if isinstance(body.get("Message"), str) else body
    count = suppressions.suppress_feedback(notification)
    metrics.add_metric(name="AddressesSuppressed", unit=MetricUnit.Count, value=count)
    # An alert's or a campaign's email (its SES message tag): one ADD on that source's figures.
    figure = proactive_figures.record_feedback(notification)
    if figure:
        metrics.add_metric(name=f"Proactive_{figure}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return process_sqs(event, record_handler)
