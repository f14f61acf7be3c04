"""In-process boto3 calls reach moto's server application without a socket, and answer exactly as
over HTTP: items, errors, binary and streamed bodies, keys that need quoting."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import Aws


def _sent_over_http(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What botocore sends over its HTTP session (nothing, when the call is answered in-process)."""
    from botocore.httpsession import URLLib3Session

    sent: list[Any] = []
    real = URLLib3Session.send

    def record(self: Any, request: Any) -> Any:
        sent.append(request.url)
        return real(self, request)

    monkeypatch.setattr(URLLib3Session, "send", record)
    return sent


def test_dynamodb_calls_answer_in_process_with_items_and_errors(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = _sent_over_http(monkeypatch)
    client = boto3.client("dynamodb")
    table, key = aws.env["TABLE_NAME"], {"PK": {"S": f"DIRECT#{uuid.uuid4()}"}, "SK": {"S": "A"}}
    client.put_item(TableName=table, Item={**key, "n": {"N": "1"}, "b": {"B": b"\x00\xff"}})
    assert client.get_item(TableName=table, Key=key)["Item"]["b"]["B"] == b"\x00\xff"
    with pytest.raises(ClientError) as refused:
        client.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(PK)")
    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert sent == []


def test_s3_bodies_and_quoted_keys_round_trip_in_process_and_over_http(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    import requests

    s3 = boto3.client("s3")
    bucket = s3.list_buckets()["Buckets"][0]["Name"]
    key = f"direct/{uuid.uuid4()}/año nuevo+1.txt"
    body = bytes(range(256)) * 300
    sent = _sent_over_http(monkeypatch)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    got = s3.get_object(Bucket=bucket, Key=key)
    assert b"".join(got["Body"].iter_chunks(1000)) == body
    assert got["ContentLength"] == len(body)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=key)["Contents"]] == [key]
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key=key + ".nada")
    assert missing.value.response["Error"]["Code"] == "404"
    assert sent == []
    monkeypatch.undo()
    # The same object through a presigned URL: a plain HTTP client still reaches the server.
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=60)
    assert requests.get(url, timeout=30).content == body
