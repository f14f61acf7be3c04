"""Campaigns and newsletters (keys in storage/table.py).

CAMPAIGN#<id>    CAMPAIGN          the campaign: texts, segment, schedule, runs, status
CAMPAIGN#<id>    FIGURES           ADD counters, as an alert's
CAMPAIGNS        C#<at>#<id>       the list, newest first
"""

from __future__ import annotations

from typing import Any

from ventanilla.models.common import iso
from ventanilla.models.proactive import Campaign
from ventanilla.storage.table import client, from_item, newest_listed, table, to_item, written

LIST_PK = "CAMPAIGNS"


def get(campaign_id: str) -> Campaign | None:
    item = table().get_item(Key={"PK": f"CAMPAIGN#{campaign_id}", "SK": "CAMPAIGN"}).get("Item")
    return Campaign.model_validate(from_item(item)) if item else None


def create(campaign: Campaign) -> None:
    name = table().name
    client().transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": name,
                    "Item": to_item(campaign, PK=f"CAMPAIGN#{campaign.id}", SK="CAMPAIGN", entity="campaign"),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Put": {
                    "TableName": name,
                    "Item": {
                        "PK": LIST_PK,
                        "SK": f"C#{iso(campaign.created_at)}#{campaign.id}",
                        "entity": "campaign_ref",
                        "campaign_id": campaign.id,
                    },
                }
            },
        ]
    )


def advance(campaign_id: str, run: int, updates: dict[str, Any]) -> bool:
    """Record run ``run`` (conditioned on ``runs`` being run - 1: a repeated firing is no-op)."""
    names = {f"#u{i}": k for i, k in enumerate(updates)}
    values: dict[str, Any] = {f":u{i}": v for i, v in enumerate(updates.values())}
    values.update({":run": run, ":prev": run - 1, ":scheduled": "scheduled"})
    sets = ", ".join(f"#u{i} = :u{i}" for i in range(len(updates)))
    return written(
        table().update_item,
        Key={"PK": f"CAMPAIGN#{campaign_id}", "SK": "CAMPAIGN"},
        UpdateExpression=f"SET runs = :run{', ' + sets if sets else ''}",
        ConditionExpression="runs = :prev AND #s = :scheduled",
        ExpressionAttributeNames={**names, "#s": "status"},
        ExpressionAttributeValues=values,
    )


def cancel(campaign_id: str) -> bool:
    """Cancel a scheduled campaign: no next run any more (one conditional UpdateItem; False when it
    is not scheduled, e.g. its last run started meanwhile)."""
    return written(
        table().update_item,
        Key={"PK": f"CAMPAIGN#{campaign_id}", "SK": "CAMPAIGN"},
        UpdateExpression="SET #s = :cancelled REMOVE next_run_at",
        ConditionExpression="#s = :scheduled",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":cancelled": "cancelled", ":scheduled": "scheduled"},
    )


def recent(limit: int = 50) -> list[Campaign]:
    items = newest_listed(LIST_PK, "campaign_id", lambda i: {"PK": f"CAMPAIGN#{i}", "SK": "CAMPAIGN"}, limit)
    return [Campaign.model_validate(i) for i in items]
