"""Links between requests (B8), both ways in each request's partition: ``TICKET#<a> / LINK#<b>``
with the kind as seen from ``a``; written with their history events in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from boto3.dynamodb.conditions import Key

from ventanilla.errors import Conflict
from ventanilla.models.ticket import HistoryEvent
from ventanilla.storage.table import client, conditional_put, from_item, table, transact, written
from ventanilla.storage.tickets import event_item, ticket_pk

MAX_LINKS = 50


def _key(number: str, other: str) -> dict[str, str]:
    return {"PK": ticket_pk(number), "SK": f"LINK#{other}"}


def of_ticket(number: str) -> list[dict[str, str]]:
    response = table().query(
        KeyConditionExpression=Key("PK").eq(ticket_pk(number)) & Key("SK").begins_with("LINK#"),
        ConsistentRead=True,
        Limit=MAX_LINKS,
    )
    return [
        {"number": str(i["other"]), "kind": str(i["kind"])} for i in map(from_item, response.get("Items", []))
    ]


def add(a: str, b: str, kind_ab: str, kind_ba: str, events: Sequence[HistoryEvent]) -> None:
    items = [
        conditional_put(
            {**_key(a, b), "entity": "link", "other": b, "kind": kind_ab}, "attribute_not_exists(PK)"
        ),
        conditional_put(
            {**_key(b, a), "entity": "link", "other": a, "kind": kind_ba}, "attribute_not_exists(PK)"
        ),
        *(conditional_put(event_item(e, i), "attribute_not_exists(PK)") for i, e in enumerate(events)),
    ]
    canceled = transact(items)
    if canceled is not None:
        raise Conflict("already_linked") from canceled.error


def remove(a: str, b: str, events: Sequence[HistoryEvent]) -> bool:
    tbl = table().name
    items = [
        {"Delete": {"TableName": tbl, "Key": _key(a, b), "ConditionExpression": "attribute_exists(PK)"}},
        {"Delete": {"TableName": tbl, "Key": _key(b, a)}},
        *(conditional_put(event_item(e, i), "attribute_not_exists(PK)") for i, e in enumerate(events)),
    ]
    return written(client().transact_write_items, TransactItems=items)
