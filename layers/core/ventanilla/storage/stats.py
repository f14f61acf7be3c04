"""Aggregates, per-ticket aggregation facts, event markers and goals (keys in :mod:`.table`).

Every read here is a GetItem or a Query bounded by a key range (days of a period, the goals'
small partition): its cost follows the calendar and the catalog, never the number of tickets.
"""

from __future__ import annotations

import json
import time
import uuid
import zlib
from collections.abc import Iterable
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ventanilla.models.stats import Goal
from ventanilla.stats.aggregate import Deltas, Facts
from ventanilla.stats.keys import NOW_SK, day_of, stats_pk
from ventanilla.storage.table import (
    CHECK_FAILED,
    KEY_ATTRS,
    batch_read,
    from_item,
    is_error,
    table,
    to_item,
    transact,
    written,
)

MAX_TRANSACTION = 100
MARKER_TTL_SECONDS = 8 * 24 * 3600
"""Event markers outlive the stream's 24 h retention, so any replay still finds its marker."""
MAX_GOALS = 50

items_read = 0
"""Items returned by this module's reads (the bench reports it for one dashboard load)."""


def _count(items: Iterable[Any]) -> None:
    global items_read
    items_read += sum(1 for _ in items)


def facts_key(number: str) -> dict[str, str]:
    return {"PK": f"STATSTICKET#{number}", "SK": "FACTS"}


def get_facts(number: str) -> Facts | None:
    item = table().get_item(Key=facts_key(number), ConsistentRead=True).get("Item")
    return Facts.from_item(item) if item else None


def get_facts_many(numbers: Iterable[str]) -> dict[str, Facts | None]:
    """The facts of several tickets (consistent reads, 100 per BatchGetItem, leftovers retried);
    every number asked for is in the answer, None when the ticket was never counted."""
    wanted = list(dict.fromkeys(numbers))
    found: dict[str, Facts | None] = dict.fromkeys(wanted)
    items, unread = batch_read([facts_key(n) for n in wanted], consistent=True)
    for item in items:
        found[str(item["PK"]).removeprefix("STATSTICKET#")] = Facts.from_item(item)
    for key in unread:  # still unprocessed: those are read one by one when applied
        found.pop(str(key["PK"]).removeprefix("STATSTICKET#"), None)
    return found


def _adds(pk: str, sk: str, attrs: dict[str, int]) -> dict[str, Any]:
    names = {f"#a{i}": a for i, a in enumerate(attrs)}
    values: dict[str, Any] = {f":v{i}": n for i, n in enumerate(attrs.values())}
    values[":e"] = "stats"
    return {
        "Update": {
            "TableName": table().name,
            "Key": {"PK": pk, "SK": sk},
            "UpdateExpression": "SET entity = :e ADD " + ", ".join(f"#a{i} :v{i}" for i in range(len(attrs))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


class Stale(Exception):
    """The facts moved since they were read (a concurrent delivery): the record is retried."""


def apply(number: str, previous_version: int | None, facts: Facts, deltas: Deltas) -> bool:
    """Write the new facts and every delta in one transaction; False when it was applied already.

    The facts are written only if still at ``previous_version`` (absent for a first version), so
    two deliveries of one record cannot both add their deltas.
    """
    condition = "attribute_not_exists(PK)" if previous_version is None else "v = :prev"
    put: dict[str, Any] = {
        "TableName": table().name,
        "Item": {**facts_key(number), "entity": "stats-facts", **facts.to_item()},
        "ConditionExpression": condition,
    }
    if previous_version is not None:
        put["ExpressionAttributeValues"] = {":prev": previous_version}
    items = [{"Put": put}, *(_adds(pk, sk, attrs) for (pk, sk), attrs in deltas.items())]
    if len(items) > MAX_TRANSACTION:
        raise ValueError(f"{len(items)} items exceed one transaction")
    canceled = transact(items)
    if canceled is None:
        return True
    if not canceled.failed(0):
        raise canceled.error
    current = get_facts(number)
    if current is not None and current.version >= facts.version:
        return False
    raise Stale(number) from canceled.error


# ---- journaled batches ----------------------------------------------------------------------------
# A stream batch's ticket versions are counted in two steps, so each counter item is written once
# per batch and outside a transaction (a transaction bills every item twice): (1) one transaction
# writes the tickets' new facts (each conditioned on the version read) with one *journal* item
# holding the batch's merged deltas; (2) one applier at a time (a lease on ``STATSLOCK``) ADDs each
# pending journal's deltas to its counter items, marking each item with the journal's id (``j``),
# then deletes the journal. A crash in (2) leaves the journal pending; the next applier resumes it
# and skips the items already marked with its id: since appliers never overlap and a pending
# journal is resumed before any newer one, an item marked with another id has not received it.

JOURNAL_PK = "STATSJOURNAL"
LOCK_KEY = {"PK": "STATSLOCK", "SK": "APPLIER"}
LOCK_SECONDS = 60
"""An applier's lease: longer than one applying run; a crashed applier's lease simply runs out."""
MAX_JOURNAL_BYTES = 350_000
MAX_PENDING = 25
"""Journals applied per run (the rest wait for the next run)."""
JOURNAL_MARK = "j"


def new_journal_id() -> str:
    """Journals sort by creation: pending ones are applied oldest first."""
    return f"{time.time_ns():020d}#{uuid.uuid4().hex[:8]}"


def _pack(deltas: Deltas) -> bytes:
    rows = [[pk, sk, attrs] for (pk, sk), attrs in sorted(deltas.items())]
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 6)


def _unpack(blob: Any) -> Deltas:
    raw = bytes(blob.value if hasattr(blob, "value") else blob)
    return {
        (str(pk), str(sk)): {str(a): int(n) for a, n in attrs.items()}
        for pk, sk, attrs in json.loads(zlib.decompress(raw))
    }


def journal(writes: list[tuple[str, int | None, Facts]], journal_id: str, deltas: Deltas) -> bool:
    """Step (1): the tickets' new facts and the journal of their deltas, all or nothing. False when
    a ticket's facts moved (a replay or a concurrent delivery): nothing was written, and the caller
    counts those versions one by one (:func:`apply`)."""
    blob = _pack(deltas)
    if len(writes) + 1 > MAX_TRANSACTION or len(blob) > MAX_JOURNAL_BYTES:
        return False
    items: list[dict[str, Any]] = []
    for number, previous_version, facts in writes:
        put: dict[str, Any] = {
            "TableName": table().name,
            "Item": {**facts_key(number), "entity": "stats-facts", **facts.to_item()},
            "ConditionExpression": "attribute_not_exists(PK)" if previous_version is None else "v = :prev",
        }
        if previous_version is not None:
            put["ExpressionAttributeValues"] = {":prev": previous_version}
        items.append({"Put": put})
    if deltas:
        items.append(
            {
                "Put": {
                    "TableName": table().name,
                    "Item": {"PK": JOURNAL_PK, "SK": journal_id, "entity": "stats-journal", "deltas": blob},
                }
            }
        )
    canceled = transact(items)
    if canceled is not None and CHECK_FAILED not in canceled.codes:
        raise canceled.error
    return canceled is None


def acquire_applier(owner: str) -> bool:
    """Take the applier's lease, if free or run out."""
    now = int(time.time())
    return written(
        table().put_item,
        Item={**LOCK_KEY, "entity": "stats-lock", "owner": owner, "until": now + LOCK_SECONDS},
        ConditionExpression="attribute_not_exists(PK) OR #u < :now",
        ExpressionAttributeNames={"#u": "until"},
        ExpressionAttributeValues={":now": now},
    )


def release_applier(owner: str) -> None:
    written(
        table().delete_item,
        Key=LOCK_KEY,
        ConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": owner},
    )


def has_pending_journals() -> bool:
    """Whether any journal waits (a read: it leaves no stream record, so a batch with nothing to
    apply writes nothing and does not invoke the consumer again through the stream)."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(JOURNAL_PK),
        ConsistentRead=True,
        Limit=1,
        ProjectionExpression="PK",
    )
    return bool(response.get("Items"))


def pending_journals() -> list[tuple[str, Deltas]]:
    """The oldest pending journals (a consistent Query of one small partition; usually empty)."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(JOURNAL_PK), ConsistentRead=True, Limit=MAX_PENDING
    )
    return [(str(i["SK"]), _unpack(i["deltas"])) for i in response.get("Items", [])]


def apply_journal(journal_id: str, deltas: Deltas) -> None:
    """Step (2), under the applier's lease: ADD each item's deltas once, then drop the journal."""
    for (pk, sk), attrs in deltas.items():
        update = _adds(pk, sk, attrs)["Update"]
        del update["TableName"]
        update["UpdateExpression"] = update["UpdateExpression"].replace(
            "SET entity = :e", "SET entity = :e, #j = :jid"
        )
        update["ExpressionAttributeNames"]["#j"] = JOURNAL_MARK
        update["ExpressionAttributeValues"][":jid"] = journal_id
        update["ConditionExpression"] = "attribute_not_exists(#j) OR #j <> :jid"
        written(table().update_item, **update)  # refused: applied by a run that crashed before dropping it
    table().delete_item(Key={"PK": JOURNAL_PK, "SK": journal_id})


def apply_marked(marker: dict[str, str], deltas: Deltas) -> bool:
    """Add ``deltas`` once per marker (a history event): False when the marker exists already."""
    put = {
        "TableName": table().name,
        "Item": {**marker, "entity": "stats-marker", "ttl": int(time.time()) + MARKER_TTL_SECONDS},
        "ConditionExpression": "attribute_not_exists(PK)",
    }
    items = [{"Put": put}, *(_adds(pk, sk, attrs) for (pk, sk), attrs in deltas.items())]
    canceled = transact(items)
    if canceled is not None and not canceled.failed(0):
        raise canceled.error
    return canceled is None


def add_counters(pk: str, sk: str, attrs: dict[str, int]) -> None:
    """Plain ADD of counters (tools and the bench; the stream consumer uses :func:`apply`)."""
    update = _adds(pk, sk, attrs)["Update"]
    del update["TableName"]
    table().update_item(**update)


QUERY_COUNT_TTL_DAYS = 400
"""Per-query day counts are only needed while their day's top list can still change."""
MAX_TOP_RETRIES = 5


def add_query_count(day: str, query: str, amount: int) -> int:
    """ADD ``amount`` searches of ``query`` on ``day`` (one small item per query and day, expiring
    through TTL); returns the day's new count for that query."""
    answer = table().update_item(
        Key={"PK": f"HELPQ#{day}", "SK": f"Q#{query}"},
        UpdateExpression="ADD #n :n SET entity = :e, #ttl = if_not_exists(#ttl, :ttl)",
        ExpressionAttributeNames={"#n": "count", "#ttl": "ttl"},
        ExpressionAttributeValues={
            ":n": amount,
            ":e": "help_query_day",
            ":ttl": int(time.time()) + QUERY_COUNT_TTL_DAYS * 86_400,
        },
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"]["count"])


def update_top(pk: str, sk: str, counts: dict[str, int], keep: int) -> None:
    """Merge the new absolute ``counts`` of some queries into the top list item ``pk/sk`` (``q#<text>``
    attributes, at most ``keep``), conditioned on the version read so concurrent batches (one per
    stream shard) never lose each other's counts. Counts only grow, so a query that belongs to the
    final top list enters it when it reaches its final count."""
    for _ in range(MAX_TOP_RETRIES):
        item = table().get_item(Key={"PK": pk, "SK": sk}, ConsistentRead=True).get("Item") or {}
        version = int(item.get("qv", 0))
        current = {str(k)[2:]: int(v) for k, v in item.items() if str(k).startswith("q#")}
        merged = {**current, **{q: max(n, current.get(q, 0)) for q, n in counts.items()}}
        kept = dict(sorted(merged.items(), key=lambda qn: (-qn[1], qn[0]))[:keep])
        changed = {q: n for q, n in kept.items() if current.get(q) != n}
        dropped = [q for q in current if q not in kept]
        if not changed and not dropped:
            return
        names = {"#v": "qv"}
        values: dict[str, Any] = {":e": "stats", ":next": version + 1}
        sets = ["entity = :e", "#v = :next"]
        for i, (q, n) in enumerate(changed.items()):
            names[f"#s{i}"] = f"q#{q}"
            values[f":s{i}"] = n
            sets.append(f"#s{i} = :s{i}")
        removes = []
        for i, q in enumerate(dropped):
            names[f"#r{i}"] = f"q#{q}"
            removes.append(f"#r{i}")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        if version:
            condition, values[":v"] = "#v = :v", version
        else:
            condition = "attribute_not_exists(#v)"
        try:
            table().update_item(
                Key={"PK": pk, "SK": sk},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
            return
        except ClientError as error:
            if not is_error(error, "ConditionalCheckFailedException"):
                raise
    raise Stale(sk)


def _counters(item: dict[str, Any]) -> dict[str, int]:
    return {
        k: int(v)
        for k, v in item.items()
        if k not in KEY_ATTRS and k not in ("qv", JOURNAL_MARK) and not isinstance(v, str)
    }


def rows(slice_: str, low: str, high: str) -> dict[str, dict[str, int]]:
    """The counters of a slice's items whose sort keys lie in [low, high], by sort key; the parts
    of a day (:func:`~ventanilla.stats.keys.day_part_sk`) added up under the day's own key, the
    last day's parts included."""
    out: dict[str, dict[str, int]] = {}
    if high.startswith("D#") and "#" not in high[2:]:
        high += "#~"
    params: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(stats_pk(slice_)) & Key("SK").between(low, high)
    }
    while True:
        response = table().query(**params)
        items = response.get("Items", [])
        _count(items)
        for item in items:
            row = out.setdefault(day_of(str(item["SK"])), {})
            for name, value in _counters(item).items():
                row[name] = row.get(name, 0) + value
        if "LastEvaluatedKey" not in response:
            return out
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def now(slice_: str) -> dict[str, int]:
    item = table().get_item(Key={"PK": stats_pk(slice_), "SK": NOW_SK}).get("Item")
    _count([item] if item else [])
    return _counters(item) if item else {}


# ---- goals --------------------------------------------------------------------------------------


def list_goals() -> list[Goal]:
    response = table().query(KeyConditionExpression=Key("PK").eq("GOALS"), Limit=MAX_GOALS)
    items = response.get("Items", [])
    _count(items)
    return [Goal.model_validate(from_item(i)) for i in items]


def get_goal(goal_id: str) -> Goal | None:
    item = table().get_item(Key={"PK": "GOALS", "SK": f"GOAL#{goal_id}"}, ConsistentRead=True).get("Item")
    return Goal.model_validate(from_item(item)) if item else None


def put_goal(goal: Goal, *, create: bool, expected: int | None = None) -> bool:
    """Create (only if new) or replace (only if it exists and, with ``expected``, still has that
    version: an optimistic lock; goals stored before versions count as version 1)."""
    values: dict[str, Any] = {}
    if create:
        condition = "attribute_not_exists(PK)"
    elif expected is None:
        condition = "attribute_exists(PK)"
    elif expected == 1:
        condition = "attribute_exists(PK) AND (attribute_not_exists(version) OR version = :expected)"
        values = {":expected": expected}
    else:
        condition = "attribute_exists(PK) AND version = :expected"
        values = {":expected": expected}
    extra: dict[str, Any] = {"ExpressionAttributeValues": values} if values else {}
    return written(
        table().put_item,
        Item=to_item(goal, PK="GOALS", SK=f"GOAL#{goal.id}", entity="goal"),
        ConditionExpression=condition,
        **extra,
    )


def delete_goal(goal_id: str) -> bool:
    return written(
        table().delete_item,
        Key={"PK": "GOALS", "SK": f"GOAL#{goal_id}"},
        ConditionExpression="attribute_exists(PK)",
    )
