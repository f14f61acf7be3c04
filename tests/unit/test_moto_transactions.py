"""The local stack's TransactWriteItems (infra/local/moto_transactions.py replaces moto's) keeps
moto's contract: each case runs once against plain moto and once with the replacement installed,
in-process, and both must answer the same error and cancellation reasons, leave the same items and
write the same stream records (a cancelled transaction writes none)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import moto.dynamodb.responses as dynamodb_responses
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from infra.local import moto_transactions

TABLE = "contract"
Client = Any
Case = Callable[[Client], None]


def _put(pk: str, sk: str, **attrs: Any) -> dict[str, Any]:
    item = {"PK": {"S": pk}, "SK": {"S": sk}, **attrs}
    return {"Put": {"TableName": TABLE, "Item": item}}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _seed(client: Client) -> None:
    client.put_item(TableName=TABLE, Item={**_key("T#1", "META"), "status": {"S": "open"}, "n": {"N": "1"}})
    client.put_item(TableName=TABLE, Item={**_key("T#2", "META"), "status": {"S": "closed"}})
    client.put_item(TableName=TABLE, Item={**_key("STATS#d", "2026-01"), "label": {"S": "x"}})


def _transact(client: Client, items: list[dict[str, Any]], **kw: Any) -> None:
    client.transact_write_items(TransactItems=items, **kw)


def puts_in_several_partitions(client: Client) -> None:
    _transact(
        client,
        [
            _put("T#3", "META", status={"S": "new"}),
            _put("T#3", "EVENT#1", kind={"S": "filed"}),
            _put("CITIZEN#c", "T#3", GSI1PK={"S": "TEAM#a"}, GSI1SK={"S": "2026"}),
            _put("T#1", "META", status={"S": "replaced"}),
        ],
    )


def unique_put_refused_with_old_item(client: Client) -> None:
    guarded = _put("T#1", "META", status={"S": "dup"})
    guarded["Put"] |= {
        "ConditionExpression": "attribute_not_exists(PK)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    _transact(client, [_put("T#4", "META"), guarded, _put("T#5", "META")])


def condition_check_refused(client: Client) -> None:
    check = {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": _key("T#2", "META"),
            "ConditionExpression": "#s = :open",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":open": {"S": "open"}},
        }
    }
    _transact(client, [check, _put("T#2", "EVENT#9"), _put("T#6", "META")])


def two_conditions_refused_without_old_item(client: Client) -> None:
    first = _put("T#1", "META")
    first["Put"]["ConditionExpression"] = "attribute_not_exists(PK)"
    second = _put("T#2", "META")
    second["Put"] |= {
        "ConditionExpression": "attribute_not_exists(PK)",
        "ReturnValuesOnConditionCheckFailure": "NONE",
    }
    _transact(client, [first, _put("T#7", "META"), second])


def condition_check_passes(client: Client) -> None:
    check = {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": _key("T#1", "META"),
            "ConditionExpression": "attribute_exists(PK)",
        }
    }
    _transact(client, [check, _put("T#1", "EVENT#2")])


def updates_and_counters(client: Client) -> None:
    update = {
        "Update": {
            "TableName": TABLE,
            "Key": _key("T#1", "META"),
            "UpdateExpression": "SET #s = :s, tags = list_append(if_not_exists(tags, :empty), :t) REMOVE n",
            "ConditionExpression": "#s = :open",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":s": {"S": "assigned"},
                ":open": {"S": "open"},
                ":t": {"L": [{"S": "a"}]},
                ":empty": {"L": []},
            },
        }
    }
    counters = {  # the statistics' shape: SET then ADD, taken by the replacement's direct path
        "Update": {
            "TableName": TABLE,
            "Key": _key("STATS#d", "2026-01"),
            "UpdateExpression": "SET #l = :l ADD #a :a, #b :b, c :c",
            "ExpressionAttributeNames": {"#l": "label", "#a": "filed", "#b": "closed"},
            "ExpressionAttributeValues": {
                ":l": {"S": "enero"},
                ":a": {"N": "2"},
                ":b": {"N": "1.5"},
                ":c": {"N": "-1"},
            },
        }
    }
    new_counters = {
        "Update": {
            "TableName": TABLE,
            "Key": _key("STATS#d", "2026-02"),
            "UpdateExpression": "ADD filed :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    _transact(client, [update, counters, new_counters])


def counters_on_a_string_are_invalid(client: Client) -> None:
    counters = {
        "Update": {
            "TableName": TABLE,
            "Key": _key("T#1", "META"),
            "UpdateExpression": "ADD #s :one",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    _transact(client, [_put("T#8", "META"), counters])


def invalid_update_after_writes(client: Client) -> None:
    """The replacement writes in order and undoes what it wrote when a later write fails."""
    broken = {
        "Update": {
            "TableName": TABLE,
            "Key": _key("T#2", "META"),
            "UpdateExpression": "SET total = total + :one",  # no such attribute: invalid
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    _transact(client, [_put("T#9", "META"), _put("T#1", "META", status={"S": "gone"}), broken])


def counters_past_the_item_size(client: Client) -> None:
    big = {f"#c{i}": f"counter_{i:03d}_{'x' * 21_000}" for i in range(20)}  # 20 x 21 KB names
    counters = {
        "Update": {
            "TableName": TABLE,
            "Key": _key("STATS#d", "2026-01"),
            "UpdateExpression": "ADD " + ", ".join(f"#c{i} :one" for i in range(20)),
            "ExpressionAttributeNames": big,
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    _transact(client, [_put("T#10", "META"), counters])


def deletes(client: Client) -> None:
    guarded = {
        "Delete": {
            "TableName": TABLE,
            "Key": _key("T#2", "META"),
            "ConditionExpression": "#s = :closed",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":closed": {"S": "closed"}},
        }
    }
    missing = {"Delete": {"TableName": TABLE, "Key": _key("T#404", "META")}}
    _transact(client, [guarded, missing, _put("T#11", "META")])


def delete_refused(client: Client) -> None:
    guarded = {
        "Delete": {
            "TableName": TABLE,
            "Key": _key("T#1", "META"),
            "ConditionExpression": "attribute_not_exists(PK)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    _transact(client, [{"Delete": {"TableName": TABLE, "Key": _key("T#2", "META")}}, guarded])


def same_item_twice(client: Client) -> None:
    _transact(client, [_put("T#12", "META"), _put("T#12", "META", status={"S": "again"})])


def more_than_a_hundred_items(client: Client) -> None:
    _transact(client, [_put(f"T#{n}", "META") for n in range(100, 201)])


def idempotency_token_repeated(client: Client) -> None:
    """moto ignores ClientRequestToken (DynamoDB answers a repeat within 10 minutes without
    writing again): both apply it twice; the contract is only that they agree."""
    counters = {
        "Update": {
            "TableName": TABLE,
            "Key": _key("STATS#d", "2026-01"),
            "UpdateExpression": "ADD filed :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    _transact(client, [counters, _put("T#13", "META")], ClientRequestToken="same-request")
    _transact(client, [counters, _put("T#13", "META")], ClientRequestToken="same-request")


CASES: list[Case] = [
    puts_in_several_partitions,
    unique_put_refused_with_old_item,
    condition_check_refused,
    two_conditions_refused_without_old_item,
    condition_check_passes,
    updates_and_counters,
    counters_on_a_string_are_invalid,
    invalid_update_after_writes,
    counters_past_the_item_size,
    deletes,
    delete_refused,
    same_item_twice,
    more_than_a_hundred_items,
    idempotency_token_repeated,
]


@pytest.fixture()
def own_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in-process in an account of its own, whatever else this process runs: the session's
    local stack shares moto's state and may have installed the replacement already."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    # the class attributes as they are now come back after the test, whoever set them
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", DynamoDBBackend.transact_write_items)
    monkeypatch.setattr(
        dynamodb_responses, "UpdateExpressionParser", dynamodb_responses.UpdateExpressionParser
    )
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield
    finally:
        mock.stop(remove_data=False)


@functools.cache
def _clients() -> tuple[Client, Client]:
    """Made once (under :func:`own_moto`'s environment): the account is read on each request."""
    return boto3.client("dynamodb", region_name="us-east-1"), boto3.client(
        "dynamodbstreams", region_name="us-east-1"
    )


def _outcome(case: Case, replaced: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    if replaced:
        moto_transactions.install()
    else:
        plain = moto_transactions.MOTO_ORIGINALS
        monkeypatch.setattr(DynamoDBBackend, "transact_write_items", plain.transact_write_items)
        monkeypatch.setattr(dynamodb_responses, "UpdateExpressionParser", plain.update_expression_parser)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", f"{uuid.uuid4().int % 10**12:012d}")
    client, streams = _clients()
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("PK", "SK", "GSI1PK", "GSI1SK")
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
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    _seed(client)
    try:
        case(client)
        answer: dict[str, Any] = {"ok": True}
    except ClientError as error:
        answer = {
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"]["Message"],
            "reasons": error.response.get("CancellationReasons"),
        }
    items = client.scan(TableName=TABLE)["Items"]  # a test's look at the whole table
    by_team = client.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :t",
        ExpressionAttributeValues={":t": {"S": "TEAM#a"}},
    )["Items"]
    arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
    return {
        "answer": answer,
        "items": sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"])),
        "by_team": by_team,
        "stream": [
            {
                "event": r["eventName"],
                "keys": r["dynamodb"]["Keys"],
                "old": r["dynamodb"].get("OldImage"),
                "new": r["dynamodb"].get("NewImage"),
            }
            for r in records
        ],
    }


def _as_dynamodb(stream: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """moto's update of an item that does not exist writes two INSERT records (the bare key, then
    the item); DynamoDB writes one, as the replacement's counters path does. Compared without the
    first."""
    out: list[dict[str, Any]] = []
    for record in stream:
        if (
            out
            and record["event"] == out[-1]["event"] == "INSERT"
            and record["keys"] == out[-1]["keys"]
            and out[-1]["new"] == out[-1]["keys"]
        ):
            out.pop()
        out.append(record)
    return out


EXPECTED = {
    "puts_in_several_partitions": "ok",
    "unique_put_refused_with_old_item": "TransactionCanceledException",
    "condition_check_refused": "TransactionCanceledException",
    "two_conditions_refused_without_old_item": "TransactionCanceledException",
    "condition_check_passes": "ok",
    "updates_and_counters": "ok",
    "counters_on_a_string_are_invalid": "ValidationException",
    "invalid_update_after_writes": "ValidationException",
    "counters_past_the_item_size": "ValidationException",
    "deletes": "ok",
    "delete_refused": "TransactionCanceledException",
    "same_item_twice": "ValidationException",
    "more_than_a_hundred_items": "ValidationException",
    "idempotency_token_repeated": "ok",
}
"""What each case must answer: the comparison is not of two identical accidents."""


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_the_replacement_answers_and_writes_as_moto_does(
    case: Case, own_moto: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _outcome(case, False, monkeypatch)
    replaced = _outcome(case, True, monkeypatch)
    assert plain["answer"].get("code", "ok") == EXPECTED[case.__name__], plain["answer"]
    if case is unique_put_refused_with_old_item:
        reasons = plain["answer"]["reasons"]
        assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed", "None"]
        assert reasons[1]["Item"]["status"] == {"S": "open"}
    assert replaced["answer"] == plain["answer"]
    assert replaced["items"] == plain["items"]
    assert replaced["by_team"] == plain["by_team"]
    assert _as_dynamodb(replaced["stream"]) == _as_dynamodb(plain["stream"])
