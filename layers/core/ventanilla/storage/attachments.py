"""Attachment records in their ticket's partition: ``TICKET#<n> / ATT#<id>`` (keys in table.py)."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.attachments import Attachment
from ventanilla.rules.attachments import MAX_FILES
from ventanilla.storage.table import from_item, table, to_item, written
from ventanilla.storage.tickets import ticket_pk

LIST_LIMIT = 4 * MAX_FILES
"""Rejected files stay listed (the citizen sees why), so a request holds a few more records than files."""


def _key(number: str, attachment_id: str) -> dict[str, str]:
    return {"PK": ticket_pk(number), "SK": f"ATT#{attachment_id}"}


def put_new(attachment: Attachment) -> None:
    table().put_item(
        Item=to_item(attachment, **_key(attachment.number, attachment.attachment_id), entity="attachment"),
        ConditionExpression="attribute_not_exists(PK)",
    )


def get(number: str, attachment_id: str) -> Attachment | None:
    item = table().get_item(Key=_key(number, attachment_id), ConsistentRead=True).get("Item")
    return Attachment.model_validate(from_item(item)) if item else None


def of_ticket(number: str) -> list[Attachment]:
    """The request's attachment records, oldest first (one bounded Query)."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(ticket_pk(number)) & Key("SK").begins_with("ATT#"),
        ConsistentRead=True,
        Limit=LIST_LIMIT,
    )
    found = [Attachment.model_validate(from_item(i)) for i in response.get("Items", [])]
    return sorted(found, key=lambda a: a.created_at)


def settle(attachment: Attachment) -> bool:
    """Write the checker's verdict once: only a pending record changes (a redelivered event is a no-op)."""
    return written(
        table().put_item,
        Item=to_item(attachment, **_key(attachment.number, attachment.attachment_id), entity="attachment"),
        ConditionExpression="#s = :pending",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":pending": "pending"},
    )


def plain(attachment: Attachment) -> dict[str, Any]:
    return attachment.model_dump(mode="json")
