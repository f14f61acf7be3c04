"""The local moto server's partition-only Query (infra/local/moto_queries.py) answers exactly as
plain moto does: the same queries, page by page, with and without the patch."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.conftest import Aws


@pytest.fixture()
def table(aws: Aws) -> Iterator[Any]:
    ddb = boto3.resource("dynamodb")
    name = f"ContractQueries-{uuid.uuid4().hex[:8]}"
    created = ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK", "GSI1PK", "GSI1SK")
        ],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    with created.batch_writer() as batch:
        for p in range(12):
            for s in range(p * 3):  # partitions of 0 to 33 items
                item = {"PK": f"P#{p:02d}", "SK": f"EV#{s:03d}", "n": s, "odd": s % 2 == 1}
                if s % 4:
                    item |= {"GSI1PK": f"Q#{s % 3}", "GSI1SK": f"{(s * 7) % 11:02d}#{p:02d}#{s:03d}"}
                batch.put_item(Item=item)
        batch.put_item(Item={"PK": "P#99", "SK": "TICKET"})
    yield created
    created.delete()


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": "P#07"}},
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": "P#00"}},
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": "P#nope"}},
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": "P#99"}},
    {
        "KeyConditionExpression": "PK = :p AND begins_with(SK, :s)",
        "ExpressionAttributeValues": {":p": "P#11", ":s": "EV#01"},
    },
    {
        "KeyConditionExpression": "PK = :p AND SK BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":p": "P#10", ":a": "EV#005", ":b": "EV#020"},
        "ScanIndexForward": False,
    },
    {
        "KeyConditionExpression": "PK = :p",
        "FilterExpression": "odd = :t",
        "ExpressionAttributeValues": {":p": "P#09", ":t": True},
        "Limit": 4,
    },
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": "P#08"}, "Limit": 5},
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :q",
        "ExpressionAttributeValues": {":q": "Q#1"},
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :q AND GSI1SK > :k",
        "ExpressionAttributeValues": {":q": "Q#2", ":k": "05"},
        "ScanIndexForward": False,
        "Limit": 7,
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :q AND begins_with(GSI1SK, :k)",
        "ExpressionAttributeValues": {":q": "Q#0", ":k": "03"},
    },
]


def pages(table: Any, query: dict[str, Any]) -> list[tuple[list[dict[str, Any]], Any, int]]:
    out, start = [], None
    while True:
        answer = table.query(**query, **({"ExclusiveStartKey": start} if start else {}))
        out.append((answer["Items"], answer.get("LastEvaluatedKey"), answer["Count"]))
        start = answer.get("LastEvaluatedKey")
        if not start:
            return out


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q["KeyConditionExpression"][:40])
def test_partition_query_answers_as_plain_moto(table: Any, query: dict[str, Any]) -> None:
    from infra.local import moto_queries

    patched = pages(table, query)
    moto_queries.uninstall()
    try:
        plain = pages(table, query)
    finally:
        moto_queries.install()
    assert patched == plain
    assert sum(count for _, _, count in patched) == sum(len(items) for items, _, _ in plain)


def test_scans_still_list_every_partition(table: Any) -> None:
    items = table.scan()["Items"]
    assert len(items) == sum(p * 3 for p in range(12)) + 1
