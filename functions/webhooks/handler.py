"""Webhooks queue -> endpoints. A record is either a domain event from the bus (an EventBridge
envelope), fanned out into one delivery message per subscribed endpoint, or one such delivery,
POSTed signed. Partial batch failures send back only the records that failed, each made visible
again after an exponential backoff; SQS dead-letters a delivery after its last receive."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.batch import BatchResponse, SqsRecord, process_sqs, receive_count
from ventanilla.integrations import queues
from ventanilla.rules.webhook_signing import backoff_seconds
from ventanilla.services import webhooks
from ventanilla.settings import get_settings
from ventanilla.tracing import make_tracer

get_settings()  # validate the environment at cold start
logger = Logger(service="webhooks")
tracer = make_tracer("webhooks")

RESERVE_MS = 10_000
"""A delivery is only started with this much of the invocation left (one takes ~8 s at most)."""


@tracer.capture_method
def record_handler(record: SqsRecord, context: LambdaContext) -> None:
    settings = get_settings()
    body = json.loads(record["body"])
    attempt = receive_count(record)
    if body.get("kind") != webhooks.DELIVERY:
        detail = body.get("detail") or {}
        messages = webhooks.fan_out(str(body.get("detail-type", "")), detail, str(body.get("id", "")))
        if messages:
            queues.send_all(settings.webhooks_queue_url, messages)
        logger.info("fanned out", extra={"event": body.get("detail-type"), "deliveries": len(messages)})
        return
    if context.get_remaining_time_in_millis() < RESERVE_MS:
        queues.delay_retry(settings.webhooks_queue_url, record["receiptHandle"], 1)
        raise webhooks.RetryLater("out of time")
    try:
        outcome = webhooks.deliver(body, attempt, last_attempt=attempt >= settings.webhook_max_receives)
    except webhooks.RetryLater as failed:
        logger.info(
            "delivery failed",
            extra={"webhook": body.get("webhook_id"), "attempt": attempt, "outcome": str(failed)},
        )
        queues.delay_retry(
            settings.webhooks_queue_url,
            record["receiptHandle"],
            backoff_seconds(attempt, settings.webhook_retry_base_seconds),
        )
        raise
    logger.info("delivery", extra={"webhook": body.get("webhook_id"), "attempt": attempt, "outcome": outcome})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return process_sqs(event, lambda record: record_handler(record, context))
