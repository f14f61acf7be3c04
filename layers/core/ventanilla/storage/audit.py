"""The audit trail: append-only items in one partition per month.

    audit record   AUDIT#<yyyy-mm>     <iso at>#<id>     (who, what, target, changes as JSON)

Written with ``attribute_not_exists`` (never overwritten) and never updated or deleted by any code
path; read newest first with one bounded Query per month (filters on kind and actor are applied by
DynamoDB within the page). Admin changes are rare, so a month's partition stays far below the
partition limits.
"""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from ventanilla.models.audit import AuditRecord
from ventanilla.storage.table import table

MAX_CHANGES_JSON = 60_000
"""Bytes of the changes kept on one record (well below the 400 KB item limit)."""


def put(record: AuditRecord) -> None:
    changes = json.dumps([c.model_dump(mode="json") for c in record.changes], ensure_ascii=False)
    item: dict[str, Any] = {
        "PK": f"AUDIT#{record.at:%Y-%m}",
        "SK": f"{record.at.isoformat()}#{record.id}",
        "entity": "audit",
        **record.model_dump(mode="json", exclude={"changes"}),
        "changes": changes,
    }
    table().put_item(Item=item, ConditionExpression="attribute_not_exists(PK)")


def query_month(
    month: str,
    *,
    limit: int,
    start: dict[str, Any] | None = None,
    before: str | None = None,
    after: str | None = None,
    kind: str | None = None,
    actor: str | None = None,
) -> tuple[list[AuditRecord], dict[str, Any] | None]:
    """One page of a month's records, newest first; ``before``/``after`` bound the sort key."""
    key: Any = Key("PK").eq(f"AUDIT#{month}")
    if before and after:
        key = key & Key("SK").between(after, before)
    elif before:
        key = key & Key("SK").lte(before)
    elif after:
        key = key & Key("SK").gte(after)
    kwargs: dict[str, Any] = {"KeyConditionExpression": key, "ScanIndexForward": False, "Limit": limit}
    filters: Any = None
    if kind:
        filters = Attr("kind").eq(kind)
    if actor:
        filters = Attr("actor").eq(actor) if filters is None else filters & Attr("actor").eq(actor)
    if filters is not None:
        kwargs["FilterExpression"] = filters
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = table().query(**kwargs)
    records = []
    for item in response.get("Items", []):
        data = {k: v for k, v in item.items() if k not in ("PK", "SK", "entity")}
        data["changes"] = json.loads(str(data.get("changes") or "[]"))
        records.append(AuditRecord.model_validate(data))
    return records, response.get("LastEvaluatedKey")
