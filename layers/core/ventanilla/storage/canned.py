"""Canned responses: one small partition (``CANNED`` / ``RESP#<id>``), read with one Query."""

from __future__ import annotations

from boto3.dynamodb.conditions import Key

from ventanilla.models.canned import CannedResponse
from ventanilla.storage.table import from_item, put_model, table, written

MAX_CANNED = 500


def list_all() -> list[CannedResponse]:
    response = table().query(KeyConditionExpression=Key("PK").eq("CANNED"), Limit=MAX_CANNED)
    return [CannedResponse.model_validate(from_item(i)) for i in response.get("Items", [])]


def get(canned_id: str) -> CannedResponse | None:
    item = table().get_item(Key={"PK": "CANNED", "SK": f"RESP#{canned_id}"}).get("Item")
    return CannedResponse.model_validate(from_item(item)) if item else None


def put(canned: CannedResponse, *, create: bool) -> bool:
    """Write; with ``create`` only when the id is free, otherwise only when it exists."""
    return put_model(canned, create=create, PK="CANNED", SK=f"RESP#{canned.id}", entity="canned")


def delete(canned_id: str) -> bool:
    return written(
        table().delete_item,
        Key={"PK": "CANNED", "SK": f"RESP#{canned_id}"},
        ConditionExpression="attribute_exists(PK)",
    )
