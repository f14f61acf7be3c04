"""A Scheduler timer fired: record the SLA warning or breach unless the timer is stale."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.function_tools import function_tools
from ventanilla.observability import SLA_OUTCOME_METRIC
from ventanilla.services.sla import FiredTimer, on_timer_fired

logger, metrics, tracer = function_tools("sla-fired")


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    fired = FiredTimer.model_validate(event)
    logger.set_correlation_id(fired.number)
    outcome = on_timer_fired(fired)
    logger.info("sla timer", extra={"timer": fired.name, "outcome": outcome})
    # SlaBreaches feeds the operators' breach-spike alarm; SlaEscalations counts overdue levels.
    metrics.add_metric(name=SLA_OUTCOME_METRIC[outcome], unit=MetricUnit.Count, value=1)
    return {"outcome": outcome}
