"""The suppression list: addresses that bounced for good or complained, never written to again
(PK ``SUPPRESSION``, SK the address's SHA-256; see storage/table.py). Apart from the notices'
storage so the bounces function imports only this."""

from __future__ import annotations

import hashlib
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.storage.table import batch_read, from_item, table

SUPPRESSION_PK = "SUPPRESSION"


def digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def suppression(address: str) -> dict[str, Any] | None:
    item = table().get_item(Key={"PK": SUPPRESSION_PK, "SK": digest(address)}).get("Item")
    return from_item(item) | {"id": item["SK"]} if item else None


def suppressed_among(addresses: list[str]) -> set[str]:
    """Which of ``addresses`` are suppressed: BatchGetItem, 100 keys a call (a fan-out's batch)."""
    wanted = {digest(a): a for a in addresses}
    items, _ = batch_read([{"PK": SUPPRESSION_PK, "SK": d} for d in wanted], projection="SK")
    return {wanted[str(i["SK"])] for i in items}


def suppress(address: str, masked: str, reason: str, channel: str, now_iso: str) -> None:
    table().put_item(
        Item={
            "PK": SUPPRESSION_PK,
            "SK": digest(address),
            "entity": "suppression",
            "masked": masked,
            "reason": reason,
            "channel": channel,
            "at": now_iso,
        }
    )


def suppressions(limit: int, start: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    params: dict[str, Any] = {"KeyConditionExpression": Key("PK").eq(SUPPRESSION_PK), "Limit": limit}
    if start:
        params["ExclusiveStartKey"] = {"PK": SUPPRESSION_PK, "SK": start}
    response = table().query(**params)
    items = [from_item(i) | {"id": i["SK"]} for i in response.get("Items", [])]
    last = response.get("LastEvaluatedKey")
    return items, (str(last["SK"]) if last else None)


def unsuppress(suppression_id: str) -> bool:
    response = table().delete_item(Key={"PK": SUPPRESSION_PK, "SK": suppression_id}, ReturnValues="ALL_OLD")
    return bool(response.get("Attributes"))
