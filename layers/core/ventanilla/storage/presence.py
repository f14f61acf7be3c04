"""Who on staff has a request open right now: one small item per (request, staff member).

    presence   PRESENCE#<number>   STAFF#<sub>   name, state (viewing | replying), seen_at; TTL

Each agent's page writes only its own item (a PutItem every half minute or so), so no item is hot
and none grows; the page reads the request's partition with one Query (a Limit). Items expire
through TTL; DynamoDB deletes them lazily, so the reader also drops those past ``expires_at``.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.storage.table import table

MAX_PRESENT = 25
"""More people than this on one request at once is not a conversation: the Query's Limit."""


def _pk(number: str) -> str:
    return f"PRESENCE#{number}"


def put(number: str, sub: str, name: str, state: str, seen_at: str, expires_at: int) -> None:
    table().put_item(
        Item={
            "PK": _pk(number),
            "SK": f"STAFF#{sub}",
            "entity": "presence",
            "sub": sub,
            "name": name,
            "state": state,
            "seen_at": seen_at,
            "expires_at": expires_at,
            "ttl": expires_at,
        }
    )


def delete(number: str, sub: str) -> None:
    table().delete_item(Key={"PK": _pk(number), "SK": f"STAFF#{sub}"})


def list_for(number: str, now: int) -> list[dict[str, Any]]:
    """The request's presence items still alive at ``now`` (epoch seconds)."""
    answer = table().query(
        KeyConditionExpression=Key("PK").eq(_pk(number)) & Key("SK").begins_with("STAFF#"),
        Limit=MAX_PRESENT,
    )
    return [
        {k: item[k] for k in ("sub", "name", "state", "seen_at")}
        for item in answer.get("Items", [])
        if int(item.get("expires_at", 0)) > now
    ]
