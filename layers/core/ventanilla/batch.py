"""Partial batch responses for the SQS-triggered functions: each record is handled on its own and
those that raise are answered in ``batchItemFailures``, so SQS redelivers only them (the event
source mappings set ``ReportBatchItemFailures``). Powertools' BatchProcessor does the same; its
import, with its event data classes and asyncio, cost about a quarter of ``import boto3`` at every
cold start of these functions, for a loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypedDict

_log = logging.getLogger(__name__)


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
