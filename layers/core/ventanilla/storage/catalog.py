"""The request catalog and teams: small, bounded partitions read with one Query."""

from __future__ import annotations

from collections.abc import Iterable

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ventanilla.models.catalog import RequestType, Team
from ventanilla.storage.table import from_item, is_error, table, to_item


def put_types(types: Iterable[RequestType]) -> None:
    with table().batch_writer() as batch:
        for t in types:
            batch.put_item(Item=to_item(t, PK="CATALOG", SK=f"TYPE#{t.code}", entity="request_type"))


def get_type(code: str) -> RequestType | None:
    item = table().get_item(Key={"PK": "CATALOG", "SK": f"TYPE#{code}"}).get("Item")
    return RequestType.model_validate(from_item(item)) if item else None


def list_types() -> list[RequestType]:
    response = table().query(KeyConditionExpression=Key("PK").eq("CATALOG") & Key("SK").begins_with("TYPE#"))
    types = [RequestType.model_validate(from_item(i)) for i in response.get("Items", [])]
    return sorted(types, key=lambda t: (t.order, t.code))


def put_teams(teams: Iterable[Team]) -> None:
    with table().batch_writer() as batch:
        for t in teams:
            batch.put_item(Item=to_item(t, PK="TEAMS", SK=f"TEAM#{t.code}", entity="team"))


def list_teams() -> list[Team]:
    response = table().query(KeyConditionExpression=Key("PK").eq("TEAMS"))
    return [Team.model_validate(from_item(i)) for i in response.get("Items", [])]


def put_team(team: Team, *, create: bool) -> bool:
    """Write one team; with ``create`` only when the code is free, otherwise only when it exists."""
    condition = "attribute_not_exists(PK)" if create else "attribute_exists(PK)"
    try:
        table().put_item(
            Item=to_item(team, PK="TEAMS", SK=f"TEAM#{team.code}", entity="team"),
            ConditionExpression=condition,
        )
    except ClientError as error:
        if is_error(error, "ConditionalCheckFailedException"):
            return False
        raise
    return True
