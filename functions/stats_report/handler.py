"""Monthly schedule -> the previous month's service level report mailed to the supervisors.
Invocable by hand too: ``{"period": "2026-11"}`` makes that month's."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla import emf
from ventanilla.settings import get_settings
from ventanilla.stats import mailing
from ventanilla.tracing import make_tracer

get_settings()  # validate the environment at cold start
logger = Logger(service="stats-report")
metrics = emf.metrics("stats-report", namespace="Ventanilla")
tracer = make_tracer("stats-report")


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    period = event.get("period") if isinstance(event, dict) else None
    result = mailing.mail_monthly_report(period)
    if not period:  # the monthly run also tells each team of its warranties ending soon
        result["warranties"] = mailing.mail_warranty_notices()
    metrics.add_metric(name="ReportsMailed", unit=MetricUnit.Count, value=1 if result["message_id"] else 0)
    logger.info("report", extra={"period": result["period"], "recipients": result["recipients"]})
    return result
