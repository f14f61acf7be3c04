"""Daily schedule -> anonymise the closed requests whose retention period ended (README: retention).
Invocable by hand too: ``{"days_back": 30}`` catches up a month of missed runs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.function_tools import function_tools
from ventanilla.services import accounts

logger, metrics, tracer = function_tools("retention")


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    days_back = int(event.get("days_back", 7)) if isinstance(event, dict) else 7
    done = accounts.anonymise_due(days_back=max(0, min(days_back, 366)))
    metrics.add_metric(name="RequestsAnonymised", unit=MetricUnit.Count, value=len(done))
    logger.info("retention", extra={"anonymised": len(done)})
    return {"anonymised": len(done)}
