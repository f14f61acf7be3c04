"""Notifications queue -> notices. Each SQS record is one domain event from the bus (an EventBridge
envelope); partial batch failures send back only the records that failed transiently, each made
visible again after an exponential backoff. What the batch sent, failed, retried or skipped goes
to CloudWatch per channel when the batch ends (ventanilla.observability)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla import observability
from ventanilla.batch import BatchResponse, SqsRecord, process_sqs, receive_count
from ventanilla.function_tools import function_tools
from ventanilla.integrations import queues
from ventanilla.notify.plan import backoff_seconds
from ventanilla.services import delivery
from ventanilla.settings import get_settings

logger, metrics, tracer = function_tools("notifier")


@tracer.capture_method
def record_handler(record: SqsRecord, tally: Counter[tuple[str, str]]) -> None:
    envelope = json.loads(record["body"])
    detail = envelope.get("detail") or {}
    logger.set_correlation_id(detail.get("number"))
    settings = get_settings()
    attempt = receive_count(record)
    try:
        result = delivery.handle(
            str(envelope.get("detail-type", "")), detail, last_attempt=attempt >= settings.notify_max_receives
        )
    except delivery.RetryLater as later:
        if later.result is not None:
            tally.update(later.result.by_channel)
        if settings.notifications_queue_url:
            queues.delay_retry(
                settings.notifications_queue_url,
                record["receiptHandle"],
                backoff_seconds(attempt, settings.notify_retry_base_seconds),
            )
        raise
    tally.update(result.by_channel)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    tally: Counter[tuple[str, str]] = Counter()
    try:
        return process_sqs(event, lambda record: record_handler(record, tally))
    finally:
        observability.emit_by_channel(tally, "notifier")
