"""S3 ObjectCreated (attachments bucket -> queue) -> the file checked by its bytes, kept or refused."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.batch import BatchResponse, SqsRecord, process_sqs
from ventanilla.function_tools import function_tools
from ventanilla.services import attachments

logger, metrics, tracer = function_tools("attachments")


@tracer.capture_method
def record_handler(record: SqsRecord) -> None:
    body = json.loads(record["body"])
    for s3_record in body.get("Records", []):  # s3:TestEvent has none
        if not str(s3_record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        key = unquote_plus(s3_record["s3"]["object"]["key"])
        outcome = attachments.check_upload(key)
        logger.info("attachment checked", extra={"outcome": outcome})  # the key holds no personal data
        name = "AttachmentsAccepted" if outcome == "available" else "AttachmentsRejected"
        if outcome != "ignored":
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    return process_sqs(event, record_handler)
