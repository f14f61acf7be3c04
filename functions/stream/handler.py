"""Table stream dispatcher: domain events on the bus, the tickets' SLA timers as schedules, and
help article events for the search indexer (ventanilla.services.dispatch). The table's stream
takes at most two readers per shard: this one and the statistics.

Batch processing reports partial failures, so one bad record is retried alone and never blocks the
rest of the batch; Lambda retries from the first failed record, and every step is idempotent
(events carry their history event's id, schedule names are deterministic, the indexer re-reads the
article), so records replayed after it change nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla import observability as obs
from ventanilla.batch import BatchResponse, process_stream, stream_image
from ventanilla.function_tools import function_tools
from ventanilla.integrations.scheduler import scheduler_settings
from ventanilla.services.dispatch import dispatch

logger, metrics, tracer = function_tools("stream")
scheduler_settings()


@tracer.capture_method
def record_handler(record: dict[str, Any]) -> None:
    done = dispatch(
        str(record.get("eventName") or ""),
        stream_image(record, "Keys"),
        stream_image(record, "OldImage"),
        stream_image(record, "NewImage"),
    )
    if done.correlation_id:
        logger.set_correlation_id(done.correlation_id)
    for name, value in (
        (obs.DOMAIN_EVENTS_PUBLISHED, done.ticket_events),
        (obs.HELP_ARTICLE_EVENTS_PUBLISHED, done.article_events),
        (obs.SLA_TIMERS_SCHEDULED, done.timers_scheduled),
        (obs.SLA_TIMERS_DELETED, done.timers_deleted),
    ):
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return process_stream(event, record_handler)
