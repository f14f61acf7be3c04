"""Service-level configuration items (keys in :mod:`ventanilla.storage.table`).

    calendar        CONFIG            CALENDAR#<institution>    body: BusinessCalendar JSON, version
    sla policy      CONFIG            SLA#<institution>         body: SlaConfig JSON, version
    routing rules   CONFIG            ROUTING#<institution>     body: RoutingRules JSON, version
    availability    TEAMAGENTS#<team> AGENT#<sub>               one per team of the agent (with its tier)
    round robin     CONFIG            RR#<team>                 last assigned sub

Every read is one GetItem (or one Query bounded by the team's size for availability).
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.storage.table import table, written

CONFIG_PK = "CONFIG"
INSTITUTION = "default"


def get_body(kind: str) -> str | None:
    item = table().get_item(Key={"PK": CONFIG_PK, "SK": f"{kind}#{INSTITUTION}"}).get("Item")
    return str(item["body"]) if item else None


def get_version(kind: str) -> int:
    """The stored version of a configuration body (0: none stored, or stored before versions)."""
    item = (
        table()
        .get_item(
            Key={"PK": CONFIG_PK, "SK": f"{kind}#{INSTITUTION}"},
            ProjectionExpression="version",
            ConsistentRead=True,
        )
        .get("Item")
    )
    return int(item.get("version", 0)) if item else 0


def put_body(kind: str, body: str, *, version: int | None = None, expected: int | None = None) -> bool:
    """Replace a configuration body. With ``expected`` (the version the editor loaded, 0: none),
    the write happens only if that is still the stored version (an optimistic lock): ``False``
    when another write came first, and nothing is written."""
    item: dict[str, Any] = {"PK": CONFIG_PK, "SK": f"{kind}#{INSTITUTION}", "entity": "config", "body": body}
    if version is not None:
        item["version"] = version
    condition: dict[str, Any] = {}
    if expected == 0:
        condition = {"ConditionExpression": "attribute_not_exists(version)"}
    elif expected is not None:
        condition = {
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": expected},
        }
    return written(table().put_item, Item=item, **condition)


def team_agents(team: str, limit: int = 200) -> list[dict[str, Any]]:
    response = table().query(KeyConditionExpression=Key("PK").eq(f"TEAMAGENTS#{team}"), Limit=limit)
    return [dict(i) for i in response.get("Items", [])]


def put_availability(
    sub: str, name: str | None, teams: list[str], available: bool, capacity: int, tier: str = "L1"
) -> None:
    with table().batch_writer() as batch:
        for team in teams:
            item: dict[str, Any] = {
                "PK": f"TEAMAGENTS#{team}",
                "SK": f"AGENT#{sub}",
                "entity": "availability",
                "sub": sub,
                "available": available,
                "capacity": capacity,
                "tier": tier,
            }
            if name:
                item["name"] = name
            batch.put_item(Item=item)


def remove_availability(sub: str, teams: list[str]) -> None:
    """Take an agent off teams they no longer belong to (automatic assignment stops seeing them)."""
    with table().batch_writer() as batch:
        for team in teams:
            batch.delete_item(Key={"PK": f"TEAMAGENTS#{team}", "SK": f"AGENT#{sub}"})


def get_availability(sub: str, team: str) -> dict[str, Any] | None:
    """What an agent last set (the same on each of their teams): one GetItem."""
    item = table().get_item(Key={"PK": f"TEAMAGENTS#{team}", "SK": f"AGENT#{sub}"}).get("Item")
    return dict(item) if item else None


def last_round_robin(team: str) -> str | None:
    item = table().get_item(Key={"PK": CONFIG_PK, "SK": f"RR#{team}"}).get("Item")
    return str(item["sub"]) if item else None


def set_round_robin(team: str, sub: str) -> None:
    table().put_item(Item={"PK": CONFIG_PK, "SK": f"RR#{team}", "entity": "config", "sub": sub})
