"""An institution's own search terms (editors' synonyms), beside the packaged lexicon.

One small partition, ``HELPTERMS / T#<term id>``: read whole (one Query, at most ``MAX_TERMS``
items) when an engine loads them, written one item per edit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ventanilla.models.common import iso
from ventanilla.storage.table import from_item, table

PK = "HELPTERMS"
MAX_TERMS = 500


def put_term(
    term_id: str, term: str, means: str, countries: list[str], note: str, by: str, now: datetime
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "PK": PK,
        "SK": f"T#{term_id}",
        "entity": "help_term",
        "id": term_id,
        "term": term,
        "means": means,
        "countries": countries,
        "note": note,
        "updated_at": iso(now),
        "updated_by": by,
    }
    table().put_item(Item=item)
    return from_item(item)


def delete_term(term_id: str) -> bool:
    """True when there was such a term."""
    response = table().delete_item(Key={"PK": PK, "SK": f"T#{term_id}"}, ReturnValues="ALL_OLD")
    return bool(response.get("Attributes"))


def count_terms() -> int:
    response = table().query(KeyConditionExpression=Key("PK").eq(PK), Select="COUNT", Limit=MAX_TERMS + 1)
    return int(response.get("Count", 0))


class Unavailable(Exception):
    """The terms could not be read (throttled, table unreachable); searching can go on without."""


def list_terms() -> list[dict[str, Any]]:
    try:
        response = table().query(KeyConditionExpression=Key("PK").eq(PK), Limit=MAX_TERMS)
    except ClientError as error:
        raise Unavailable(str(error)) from error
    return [from_item(i) for i in response.get("Items", [])]
