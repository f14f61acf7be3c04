"""SQS calls of the notification pipeline: backoff of a failed message, the dead-letter queue."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ventanilla.settings import get_settings


def _sqs() -> Any:
    return boto3.client("sqs", region_name=get_settings().region)


def delay_retry(queue_url: str, receipt_handle: str, seconds: int) -> None:
    """Make a failed message visible again after ``seconds`` (instead of the queue's timeout)."""
    # On failure the queue's own visibility timeout applies: the message is retried anyway.
    with contextlib.suppress(ClientError):
        _sqs().change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )


def peek(queue_url: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` messages, hidden for a few seconds only (a look, not a take)."""
    out: list[dict[str, Any]] = []
    sqs = _sqs()
    seen: set[str] = set()
    while len(out) < limit:
        batch = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(10, limit - len(out)),
            VisibilityTimeout=5,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in seen]
        if not fresh:
            break
        for m in fresh:
            seen.add(m["MessageId"])
            out.append(m)
    for m in out:  # visible again at once: peeking must not delay a redrive
        with contextlib.suppress(ClientError):
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
            )
    return out


def depth(queue_url: str) -> int:
    attributes = _sqs().get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0))


def redrive(source_url: str, target_url: str, limit: int) -> int:
    """Move up to ``limit`` messages from the DLQ back to the queue; each is sent before it is
    deleted, so a crash in between duplicates (the notifier is idempotent) and never loses."""
    sqs = _sqs()
    moved = 0
    while moved < limit:
        batch = sqs.receive_message(
            QueueUrl=source_url, MaxNumberOfMessages=min(10, limit - moved), VisibilityTimeout=60
        ).get("Messages", [])
        if not batch:
            break
        for m in batch:
            sqs.send_message(QueueUrl=target_url, MessageBody=m["Body"])
            sqs.delete_message(QueueUrl=source_url, ReceiptHandle=m["ReceiptHandle"])
            moved += 1
    return moved


def body_of(message: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(message.get("Body") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class SendFailed(Exception):
    """Some messages were not accepted; the caller's own message is retried (duplicates are fine:
    deliveries carry an event id receivers deduplicate on)."""


def send_all(queue_url: str, bodies: list[dict[str, Any]]) -> None:
    """Put each body on the queue as a JSON message (SendMessageBatch, 10 at a time)."""
    sqs = _sqs()
    for start in range(0, len(bodies), 10):
        chunk = bodies[start : start + 10]
        answer = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "MessageBody": json.dumps(b)} for i, b in enumerate(chunk)],
        )
        if answer.get("Failed"):
            raise SendFailed(f"{len(answer['Failed'])} of {len(chunk)} messages refused")


def send_delayed(queue_url: str, body: dict[str, Any], seconds: int) -> None:
    """Put ``body`` on the queue, invisible for ``seconds`` (SQS allows up to 900)."""
    _sqs().send_message(
        QueueUrl=queue_url, MessageBody=json.dumps(body), DelaySeconds=min(max(seconds, 0), 900)
    )
