"""SES bounces and complaints (SNS topic -> queue) -> the suppression list; SES events of an
alert's or a campaign's email (deliveries too) -> that source's figures."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.batch import BatchResponse, SqsRecord, process_sqs, sns_message
from ventanilla.function_tools import function_tools
from ventanilla.services import proactive_figures, suppressions

logger, metrics, tracer = function_tools("bounces")


@tracer.capture_method
def record_handler(record: SqsRecord) -> None:
    notification = sns_message(record)
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
