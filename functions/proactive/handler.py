"""Proactive queue -> one step of a fan-out (ventanilla.services.proactive_steps): an audience page, a
batch of recipients, or a campaign's schedule that fired. A step that fails transiently comes back
(its sends that went out are marked and are not repeated)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.batch import BatchResponse, SqsRecord, process_sqs
from ventanilla.function_tools import function_tools
from ventanilla.services import proactive_steps

logger, metrics, tracer = function_tools("proactive")


def record_handler(record: SqsRecord) -> None:
    counts = proactive_steps.handle(json.loads(record["body"]))
    for name in ("sent", "failed", "skipped"):
        if counts.get(name):
            metrics.add_metric(name=f"Alert{name.capitalize()}", unit=MetricUnit.Count, value=counts[name])


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return process_sqs(event, record_handler)
