"""Partial batch responses for the SQS- and stream-triggered functions: each record is handled on
its own and those that raise are answered in ``batchItemFailures``, so only they are retried (the
event source mappings set ``ReportBatchItemFailures``). Powertools' BatchProcessor does the same;
its import, with its event data classes and asyncio, cost about a quarter of ``import boto3`` at
every cold start of these functions, for a loop. Stream images are read with Powertools'
deserializer alone (numbers as Decimal, binaries as bytes, as its data classes gave them).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Literal, TypedDict

from aws_lambda_powertools.shared.dynamodb_deserializer import TypeDeserializer

_log = logging.getLogger(__name__)
_DESERIALIZER = TypeDeserializer()


class BatchFailed(Exception):
    """Every record of a stream batch failed: the whole batch is retried (Powertools' behaviour)."""


class SqsRecord(TypedDict):
    """One record of an SQS event, as Lambda hands it (the fields the functions read)."""

    messageId: str
    receiptHandle: str
    body: str
    attributes: dict[str, str]


class ItemFailure(TypedDict):
    itemIdentifier: str


class BatchResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


def receive_count(record: SqsRecord) -> int:
    """How many times SQS has delivered this message (1 on the first delivery)."""
    return int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1)


def sns_message(record: SqsRecord) -> Any:
    """The message an SNS topic delivered through a queue: with raw delivery off the body is SNS's
    envelope holding the message as a JSON string, with it on the body is the message itself."""
    body = json.loads(record["body"])
    return json.loads(body["Message"]) if isinstance(body.get("Message"), str) else body


def process_sqs(event: dict[str, Any], handle: Callable[[SqsRecord], None]) -> BatchResponse:
    """``handle`` each record of ``event``; the ids of those that raised, for SQS to redeliver
    (a batch where every record failed too: it is answered, not raised)."""
    failures: list[ItemFailure] = []
    for record in event.get("Records") or []:
        try:
            handle(record)
        except Exception:
            _log.debug("record failed", exc_info=True)  # as Powertools: the handler logs its own
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def stream_image(
    record: dict[str, Any], part: Literal["Keys", "OldImage", "NewImage"]
) -> dict[str, Any] | None:
    """A stream record's keys or image in Python types; None when the record has no ``dynamodb``."""
    data = record.get("dynamodb")
    if data is None:
        return None
    return {k: _DESERIALIZER.deserialize(v) for k, v in (data.get(part) or {}).items()}


def process_stream(event: dict[str, Any], handle: Callable[[dict[str, Any]], None]) -> BatchResponse:
    """``handle`` each DynamoDB stream record; failures named by sequence number, and
    :class:`BatchFailed` when every record failed."""
    records = event.get("Records") or []
    failures: list[ItemFailure] = []
    first: Exception | None = None
    for record in records:
        try:
            handle(record)
        except Exception as error:
            _log.debug("record failed", exc_info=True)
            first = first or error
            failures.append({"itemIdentifier": str((record.get("dynamodb") or {}).get("SequenceNumber"))})
    if failures and len(failures) == len(records):
        raise BatchFailed(f"all {len(records)} records failed") from first
    return {"batchItemFailures": failures}
