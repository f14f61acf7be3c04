"""The statistics function's journaled batches: a batch's ticket versions are written as one
journal next to their facts and applied as one plain ADD per counter item; an applier that stops
midway is resumed without counting anything twice, and a busy applier's journal waits, not lost."""

from __future__ import annotations

import itertools
import time
from collections import Counter
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.client import BaseClient

from infra.local.functions import LambdaContext
from tests.conftest import Aws
from tests.integration.test_stats_aggregation import _record, _snapshot
from ventanilla.stats.keys import NOW_SK, stats_pk
from ventanilla.storage import stats as store

_n = itertools.count(1)


def _batch(kind: str, tickets: int = 3) -> tuple[list[dict[str, Any]], str]:
    """``tickets`` tickets of a type of their own, each filed and then answered, as one batch."""
    n = next(_n)
    code = f"stats-j{kind}{n}"
    records = []
    seq = itertools.count(900_000 + 1000 * n)
    for t in range(tickets):
        first = {
            "number": f"2031-{900000 + 100 * n + t:06d}",  # a year no other test files in
            "version": 1,
            "type_code": code,
            "subtype_code": "s1",
            "channel": "web",
            "team": "stats-a",
            "priority": "low",
            "status": "received",
            "created_at": "2026-11-02T12:00:00.000Z",
            "updated_at": "2026-11-02T12:00:00.000Z",
            "breached": [],
            "escalation_level": 0,
        }
        second = {
            **first,
            "version": 2,
            "status": "in_progress",
            "updated_at": "2026-11-02T13:00:00.000Z",
            "first_response_at": "2026-11-02T13:00:00.000Z",
            "first_response_business_seconds": 3600,
        }
        records += [_record(first, next(seq), old=None), _record(second, next(seq), old=first)]
    return records, code


def _figures(aws: Aws, code: str) -> tuple[int, int, int, int]:
    pk = stats_pk(f"type={code}")
    items = _snapshot(aws, {pk})
    day, now = items.get((pk, "D#2026-11-02"), {}), items.get((pk, NOW_SK), {})
    return day.get("created", 0), day.get("fr_n", 0), now.get("open", 0), now.get("open#in_progress", 0)


def _pending(aws: Aws) -> int:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    return len(
        table.query(KeyConditionExpression=Key("PK").eq(store.JOURNAL_PK), ConsistentRead=True)["Items"]
    )


def test_a_batch_writes_one_journal_and_each_counter_item_once(aws: Aws) -> None:
    handler = aws.stack.functions["StatsFunction"].load()
    records, code = _batch("one")
    calls: Counter[str] = Counter()
    updated: Counter[tuple[str, str]] = Counter()
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls[operation] += 1
        if operation == "TransactWriteItems":
            calls["transaction items"] += len(params["TransactItems"])
        if operation == "UpdateItem":
            updated[(str(params["Key"]["PK"]), str(params["Key"]["SK"]))] += 1
        return original(self, operation, params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        assert handler({"Records": records}, LambdaContext("StatsFunction")) == {"batchItemFailures": []}
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
    # 3 tickets x 2 versions: one transaction (3 facts + the journal), one ADD per counter item
    assert calls["TransactWriteItems"] == 1 and calls["transaction items"] == 4
    assert updated and max(updated.values()) == 1
    assert (stats_pk(f"type={code}"), "D#2026-11-02") in updated
    assert _figures(aws, code) == (3, 3, 3, 3)
    assert _pending(aws) == 0
    # the same batch again (Lambda's retry): replays, nothing counted twice, no journal written
    assert handler({"Records": records}, LambdaContext("StatsFunction")) == {"batchItemFailures": []}
    assert _figures(aws, code) == (3, 3, 3, 3)


def test_an_applier_that_stops_midway_is_resumed_without_counting_twice(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = aws.stack.functions["StatsFunction"].load()
    records, code = _batch("crash")
    real = store.table
    writes = itertools.count()

    class Failing:
        """The table, failing at the applier's fourth counter update (a throttle, a timeout)."""

        def __getattr__(self, name: str) -> Any:
            return getattr(real(), name)

        def update_item(self, **kwargs: Any) -> Any:
            if kwargs["Key"]["PK"] != "STATSLOCK" and next(writes) == 3:
                raise RuntimeError("stopped midway")
            return real().update_item(**kwargs)

    monkeypatch.setattr(store, "table", lambda: Failing())
    with pytest.raises(RuntimeError):
        handler({"Records": records}, LambdaContext("StatsFunction"))
    monkeypatch.setattr(store, "table", real)
    assert _pending(aws) == 1
    partly = _figures(aws, code)
    assert partly != (3, 3, 3, 3)
    # Lambda hands the batch back: the versions are replays now, the journal is resumed once
    assert handler({"Records": records}, LambdaContext("StatsFunction")) == {"batchItemFailures": []}
    assert _pending(aws) == 0
    assert _figures(aws, code) == (3, 3, 3, 3)


def test_a_busy_applier_leaves_the_journal_for_the_next_run_and_a_lapsed_lease_is_taken(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ventanilla.stats import consume

    handler = aws.stack.functions["StatsFunction"].load()
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    monkeypatch.setattr(consume, "APPLIER_WAIT_SECONDS", 0.2)
    records, code = _batch("busy", tickets=2)
    table.put_item(Item={**store.LOCK_KEY, "owner": "another run", "until": int(time.time()) + 600})
    try:
        assert handler({"Records": records}, LambdaContext("StatsFunction")) == {"batchItemFailures": []}
        assert _pending(aws) == 1
        assert _figures(aws, code) == (0, 0, 0, 0)
    finally:
        # that run crashed holding the lease: it lapses, and the next batch (any) applies the journal
        table.put_item(Item={**store.LOCK_KEY, "owner": "another run", "until": int(time.time()) - 1})
    later, other = _batch("later", tickets=1)
    assert handler({"Records": later}, LambdaContext("StatsFunction")) == {"batchItemFailures": []}
    assert _pending(aws) == 0
    assert _figures(aws, code) == (2, 2, 2, 2)
    assert _figures(aws, other) == (1, 1, 1, 1)
    assert "Item" not in table.get_item(Key=store.LOCK_KEY, ConsistentRead=True)


def test_a_batch_with_nothing_to_count_writes_nothing(aws: Aws) -> None:
    """No journal pending, nothing new: no lease taken either (its writes are stream records, and
    a consumer that writes on every batch keeps itself invoked)."""
    handler = aws.stack.functions["StatsFunction"].load()
    records, code = _batch("quiet", tickets=1)
    assert handler({"Records": records}, LambdaContext("StatsFunction")) == {"batchItemFailures": []}
    assert _pending(aws) == 0
    writes: Counter[str] = Counter()
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation in {"PutItem", "DeleteItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem"}:
            writes[operation] += 1
        return original(self, operation, params)

    BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        assert handler({"Records": records}, LambdaContext("StatsFunction")) == {"batchItemFailures": []}
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
    assert writes == Counter()
    assert _figures(aws, code) == (1, 1, 1, 1)
