"""Exact counts of confirmed subscribers per sector and per topic (keys in storage/table.py).

    SUBCOUNT#<shard 0-15>   SECTOR#<code>   subscriptions that can be reached (confirmed email or SMS,
                                            or a browser) following the sector (``*``: every sector)
    SUBCOUNT#<shard 0-15>   TOPIC#<code>    the same, following the topic

A subscription's counters live in one shard, chosen by its id, so the transaction that changes it
(ventanilla.storage.subscriptions.save / delete_subscription) ADDs to each of its counters once, in
the same transaction as the subscription's conditional Put: the count moves exactly when the
subscription does, and a retried change, whose version no longer matches, moves nothing. Sixteen
shards spread one busy sector's writes over sixteen items and partitions. Reading every count is
sixteen Queries (one per shard), whatever the number of subscribers.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.storage.table import table

SHARDS = 16
ENTITY = "sub_count"


def shard_of(sub_id: str) -> int:
    return int(hashlib.sha256(sub_id.encode()).hexdigest()[:8], 16) % SHARDS


def shard_pk(shard: int) -> str:
    return f"SUBCOUNT#{shard}"


def keys_of(sectors: list[str], topics: list[str]) -> set[str]:
    """The counters one reachable subscription adds to."""
    return {f"SECTOR#{s}" for s in (sectors or ["*"])} | {f"TOPIC#{t}" for t in topics}


def deltas(old: set[str], new: set[str]) -> dict[str, int]:
    return {**{k: -1 for k in old - new}, **{k: 1 for k in new - old}}


def updates(sub_id: str, changes: dict[str, int]) -> list[dict[str, Any]]:
    """TransactWriteItems entries that ADD ``changes`` to the subscription's shard."""
    pk = shard_pk(shard_of(sub_id))
    return [
        {
            "Update": {
                "TableName": table().name,
                "Key": {"PK": pk, "SK": key},
                "UpdateExpression": "ADD #n :d SET entity = :e",
                "ExpressionAttributeNames": {"#n": "subscribers"},
                "ExpressionAttributeValues": {":d": delta, ":e": ENTITY},
            }
        }
        for key, delta in sorted(changes.items())
        if delta
    ]


def counts() -> dict[str, int]:
    """Every counter summed over the shards: {"SECTOR#<code>": n, "TOPIC#<code>": n}."""
    total: Counter[str] = Counter()
    for shard in range(SHARDS):
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(shard_pk(shard)),
            "ProjectionExpression": "SK, subscribers",
        }
        while True:
            page = table().query(**kwargs)
            for item in page.get("Items", []):
                total[str(item["SK"])] += int(item.get("subscribers") or 0)
            if not page.get("LastEvaluatedKey"):
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return dict(total)


def replace_all(exact: dict[str, int]) -> dict[str, int]:
    """Set the counters to ``exact`` (the offline recount): shard 0 holds each total, the other
    shards 0; counters of keys no longer followed are set to 0. Returns {key: old total} of the
    counters that changed."""
    before = counts()
    changed = {k: v for k, v in before.items() if v != exact.get(k, 0)}
    changed.update({k: 0 for k, v in exact.items() if k not in before and v})
    with table().batch_writer() as batch:
        for key in sorted(set(before) | set(exact)):
            if key not in changed:
                continue
            for shard in range(SHARDS):
                batch.put_item(
                    Item={
                        "PK": shard_pk(shard),
                        "SK": key,
                        "entity": ENTITY,
                        "subscribers": exact.get(key, 0) if shard == 0 else 0,
                    }
                )
    return changed


UPGRADES_PK = "UPGRADES"


def upgrade_done(name: str) -> bool:
    """Whether an upgrade step ran on this table (``UPGRADES / <name>``)."""
    return "Item" in table().get_item(Key={"PK": UPGRADES_PK, "SK": name}, ProjectionExpression="PK")


def mark_upgrade(name: str, at: str) -> None:
    table().put_item(Item={"PK": UPGRADES_PK, "SK": name, "entity": "upgrade", "at": at})
