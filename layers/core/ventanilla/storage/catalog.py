"""The request catalog and teams: small, bounded partitions read with one Query."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from boto3.dynamodb.conditions import Key

from ventanilla.models.catalog import RequestType, Team
from ventanilla.storage.table import from_item, put_model, table, to_item

TYPE_CACHE_SECONDS = 60.0
"""A request type (its subtypes, forms and targets: kilobytes) is read by every create and by the
consumers of its events, and changes only when the catalog is loaded (bootstrap, seeding). Each
process keeps what it read for a minute; loading the catalog clears this process's copy."""
_types: dict[str, tuple[float, RequestType | None]] = {}
_types_lock = threading.Lock()


def put_types(types: Iterable[RequestType]) -> None:
    with table().batch_writer() as batch:
        for t in types:
            batch.put_item(Item=to_item(t, PK="CATALOG", SK=f"TYPE#{t.code}", entity="request_type"))
    forget_types()


def forget_types() -> None:
    """Drop this process's copies (after the catalog changed by another path, e.g. a test)."""
    with _types_lock:
        _types.clear()


def get_type(code: str) -> RequestType | None:
    now = time.monotonic()
    with _types_lock:
        cached = _types.get(code)
    if cached is not None and now - cached[0] < TYPE_CACHE_SECONDS:
        return cached[1]
    item = table().get_item(Key={"PK": "CATALOG", "SK": f"TYPE#{code}"}).get("Item")
    found = RequestType.model_validate(from_item(item)) if item else None
    with _types_lock:
        _types[code] = (now, found)
    return found


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
    return put_model(team, create=create, PK="TEAMS", SK=f"TEAM#{team.code}", entity="team")
