"""The check that nothing was half written counts what the table holds, abuse counters aside."""

from __future__ import annotations

import boto3

from tests.conftest import Aws, table_items


def test_table_items_sees_one_more_item_and_ignores_abuse_counters(aws: Aws) -> None:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    before = table_items(aws)
    table.put_item(Item={"PK": "TESTCOUNT#x", "SK": "A"})
    table.put_item(Item={"PK": "TESTCOUNT#x", "SK": "B"})  # same partition, another item
    table.put_item(Item={"PK": "GUESS#2026-000001", "SK": "W#1"})
    table.put_item(Item={"PK": "LIMIT#client#x", "SK": "B"})
    try:
        assert table_items(aws) == before + 2
    finally:
        for pk, sk in (
            ("TESTCOUNT#x", "A"),
            ("TESTCOUNT#x", "B"),
            ("GUESS#2026-000001", "W#1"),
            ("LIMIT#client#x", "B"),
        ):
            table.delete_item(Key={"PK": pk, "SK": sk})
    assert table_items(aws) == before
