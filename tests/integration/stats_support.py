"""Feeding the statistics function a ticket's versions as the table's stream would."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
from boto3.dynamodb.types import TypeSerializer

from tests.conftest import Aws

SER = TypeSerializer()
_seq = iter(range(1, 10**6))


def raw_ticket(aws: Aws, number: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    return dict(table.get_item(Key={"PK": f"TICKET#{number}", "SK": "TICKET"}, ConsistentRead=True)["Item"])


def to_stats(aws: Aws, old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Hand the ticket's new version to the statistics function, as the table's stream would."""
    seq = str(next(_seq))
    dynamodb: dict[str, Any] = {
        "Keys": {"PK": SER.serialize(new["PK"]), "SK": SER.serialize(new["SK"])},
        "NewImage": {k: SER.serialize(v) for k, v in new.items()},
        "SequenceNumber": seq,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        dynamodb["OldImage"] = {k: SER.serialize(v) for k, v in old.items()}
    record = {
        "eventID": f"c{seq}",
        "eventName": "MODIFY" if old else "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": dynamodb,
    }
    assert aws.stack.functions["StatsFunction"].invoke({"Records": [record]}) == {"batchItemFailures": []}
    return new


def ticket_image(number: str, when: datetime, **fields: Any) -> dict[str, Any]:
    """A ticket's first version as the stream carries it (a consulta of the atencion team)."""
    at = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {
        "number": number,
        "version": 1,
        "type_code": "consulta",
        "subtype_code": "general",
        "channel": "web",
        "team": "atencion",
        "priority": "medium",
        "status": "received",
        "created_at": at,
        "updated_at": at,
        "breached": [],
        "escalation_level": 0,
        **fields,
    }
