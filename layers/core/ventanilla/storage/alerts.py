"""Monitoring sources, the open request of each alert fingerprint, deliveries seen (keys in table.py):

source       ALERTSOURCES               SOURCE#<source>
open alert   ALERT#<source>#<sha256>    OPEN            number of the request, count of repeats
delivery     ALERTDELIVERY#<source>#<sha256>  SEEN     a payload processed (TTL 7 days)
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.alerts import AlertSource
from ventanilla.storage.table import from_item, table, to_item, written

DELIVERY_TTL = 7 * 24 * 3600
MAX_SOURCES = 100


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def put_source(source: AlertSource) -> None:
    item = to_item(source, PK="ALERTSOURCES", SK=f"SOURCE#{source.source}", entity="alert_source")
    item["secret"] = source.secret
    table().put_item(Item=item)


def get_source(source: str) -> AlertSource | None:
    item = (
        table()
        .get_item(Key={"PK": "ALERTSOURCES", "SK": f"SOURCE#{source}"}, ConsistentRead=True)
        .get("Item")
    )
    return AlertSource.model_validate(from_item(item)) if item else None


def list_sources() -> list[AlertSource]:
    response = table().query(KeyConditionExpression=Key("PK").eq("ALERTSOURCES"), Limit=MAX_SOURCES)
    return [AlertSource.model_validate(from_item(i)) for i in response.get("Items", [])]


def first_delivery(source: str, delivery_id: str) -> bool:
    """Record a delivery; False when it was seen already (a replay)."""
    return written(
        table().put_item,
        Item={
            "PK": f"ALERTDELIVERY#{source}#{_digest(delivery_id)}",
            "SK": "SEEN",
            "ttl": int(time.time()) + DELIVERY_TTL,
        },
        ConditionExpression="attribute_not_exists(PK)",
    )


def forget_delivery(source: str, delivery_id: str) -> None:
    """A delivery that failed half-way may be sent again."""
    table().delete_item(Key={"PK": f"ALERTDELIVERY#{source}#{_digest(delivery_id)}", "SK": "SEEN"})


def _open_key(source: str, fingerprint: str) -> dict[str, str]:
    return {"PK": f"ALERT#{source}#{_digest(fingerprint)}", "SK": "OPEN"}


def open_alert(source: str, fingerprint: str) -> dict[str, Any] | None:
    item = table().get_item(Key=_open_key(source, fingerprint), ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def claim_open(source: str, fingerprint: str, number: str) -> None:
    table().put_item(Item={**_open_key(source, fingerprint), "number": number, "count": 1})


def repeat(source: str, fingerprint: str) -> int:
    answer = table().update_item(
        Key=_open_key(source, fingerprint),
        UpdateExpression="ADD #c :one",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"]["count"])


def close_open(source: str, fingerprint: str) -> None:
    table().delete_item(Key=_open_key(source, fingerprint))
