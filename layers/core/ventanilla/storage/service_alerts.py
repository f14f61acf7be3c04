"""Service alerts (outages, emergencies) and what their fan-out marks (keys in storage/table.py).

SVCALERT#<id>            ALERT            the alert: texts, sectors, topics, updates, version
SVCALERT#<id>            FIGURES          ADD counters: audience, sent, failed, sent#<channel>...,
                                          and from SES events / one-click links: delivered,
                                          bounced, complaints, unsubscribes
SVCALERTS                ALERT#<at>#<id>  the list (newest first), the alert's id and status
SVCALERTOPEN#<sector>    ALERT#<id>       open alerts of a sector (filing links to them; deleted
                                          when the service is restored)
SVCSENT#<src>:<id>#<n>   <who>#<channel>  one recipient's message of an alert update or a campaign
                                          run (who: the hashed address for email and SMS, else
                                          the subscription id): put
                                          once (attribute_not_exists) before sending (TTL 30 d)
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.common import iso, utcnow
from ventanilla.models.proactive import ServiceAlert, ServiceAlertFigures
from ventanilla.storage.table import (
    CHECK_FAILED,
    client,
    from_item,
    newest_listed,
    table,
    to_item,
    transact,
    written,
)

LIST_PK = "SVCALERTS"
MARKER_TTL_SECONDS = 30 * 86400


class StaleAlert(Exception):
    pass


def get(alert_id: str) -> ServiceAlert | None:
    item = table().get_item(Key={"PK": f"SVCALERT#{alert_id}", "SK": "ALERT"}).get("Item")
    return ServiceAlert.model_validate(from_item(item)) if item else None


def _list_key(alert: ServiceAlert) -> dict[str, str]:
    return {"PK": LIST_PK, "SK": f"ALERT#{iso(alert.created_at)}#{alert.id}"}


def create(alert: ServiceAlert) -> None:
    name = table().name
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": name,
                "Item": to_item(alert, PK=f"SVCALERT#{alert.id}", SK="ALERT", entity="service_alert"),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        {
            "Put": {
                "TableName": name,
                "Item": {
                    **_list_key(alert),
                    "entity": "service_alert_ref",
                    "alert_id": alert.id,
                    "status": alert.status,
                },
            }
        },
    ]
    for sector in alert.sectors:
        items.append(
            {
                "Put": {
                    "TableName": name,
                    "Item": {
                        "PK": f"SVCALERTOPEN#{sector}",
                        "SK": f"ALERT#{alert.id}",
                        "entity": "service_alert_open",
                        "alert_id": alert.id,
                        "service": alert.service or "",
                    },
                }
            }
        )
    client().transact_write_items(TransactItems=items)


def save(old: ServiceAlert, new: ServiceAlert) -> None:
    name = table().name
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": name,
                "Item": to_item(new, PK=f"SVCALERT#{new.id}", SK="ALERT", entity="service_alert"),
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":v": old.version},
            }
        },
        {
            "Put": {
                "TableName": name,
                "Item": {
                    **_list_key(new),
                    "entity": "service_alert_ref",
                    "alert_id": new.id,
                    "status": new.status,
                },
            }
        },
    ]
    if new.status != "open":
        for sector in new.sectors:
            items.append(
                {
                    "Delete": {
                        "TableName": name,
                        "Key": {"PK": f"SVCALERTOPEN#{sector}", "SK": f"ALERT#{new.id}"},
                    }
                }
            )
    canceled = transact(items)
    if canceled is not None:
        raise StaleAlert(new.id) from canceled.error


def recent(limit: int = 50) -> list[ServiceAlert]:
    items = newest_listed(LIST_PK, "alert_id", lambda i: {"PK": f"SVCALERT#{i}", "SK": "ALERT"}, limit)
    return [ServiceAlert.model_validate(i) for i in items]


def open_in(sector: str, limit: int = 20) -> list[dict[str, Any]]:
    page = table().query(KeyConditionExpression=Key("PK").eq(f"SVCALERTOPEN#{sector}"), Limit=limit)
    return [dict(i) for i in page.get("Items", [])]


def claim(ref: str, sub_id: str, channel: str) -> bool:
    """Mark one recipient's message as going out; False when it already went (a retry)."""
    return written(
        table().put_item,
        Item={
            "PK": f"SVCSENT#{ref}",
            "SK": f"{sub_id}#{channel}",
            "entity": "service_alert_sent",
            "at": iso(utcnow()),
            "ttl": int(utcnow().timestamp()) + MARKER_TTL_SECONDS,
        },
        ConditionExpression="attribute_not_exists(PK)",
    )


CLAIMS_PER_CALL = 100
"""Markers claimed in one TransactWriteItems (its limit): a batch of 100 recipients costs one call
instead of 100 PutItems (each marker costs 2 write units instead of 1: transactional)."""


def claim_many(ref: str, wanted: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Claim the markers of (sub id, channel) pairs, each conditional as ``claim``; returns those
    this call claimed (not those already there: a retried batch). A chunk whose transaction is
    cancelled by markers already there is tried again without them; a chunk cancelled for any
    other reason (a concurrent claim of the same batch) falls back to one ``claim`` a marker."""
    claimed: set[tuple[str, str]] = set()
    at, ttl = iso(utcnow()), int(utcnow().timestamp()) + MARKER_TTL_SECONDS
    for start in range(0, len(wanted), CLAIMS_PER_CALL):
        chunk = list(dict.fromkeys(wanted[start : start + CLAIMS_PER_CALL]))
        for _attempt in range(3):
            if not chunk:
                break
            items = [
                {
                    "Put": {
                        "TableName": table().name,
                        "Item": {
                            "PK": f"SVCSENT#{ref}",
                            "SK": f"{sub_id}#{channel}",
                            "entity": "service_alert_sent",
                            "at": at,
                            "ttl": ttl,
                        },
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
                for sub_id, channel in chunk
            ]
            canceled = transact(items)
            if canceled is not None:
                pairs = zip(chunk, canceled.codes, strict=False)
                taken = {pair for pair, code in pairs if code == CHECK_FAILED}
                if not taken:
                    break
                chunk = [pair for pair in chunk if pair not in taken]
                continue
            claimed.update(chunk)
            chunk = []
        for sub_id, channel in chunk:  # what the transactions could not settle, one by one
            if claim(ref, sub_id, channel):
                claimed.add((sub_id, channel))
    return claimed


def unclaim(ref: str, sub_id: str, channel: str) -> None:
    """A transient failure: the retry may send it."""
    table().delete_item(Key={"PK": f"SVCSENT#{ref}", "SK": f"{sub_id}#{channel}"})


def add_figures(alert_id: str, counts: dict[str, int]) -> None:
    add_figures_pk(f"SVCALERT#{alert_id}", counts)


def add_figures_pk(pk: str, counts: dict[str, int]) -> None:
    """ADD to the ``FIGURES`` item of an alert or a campaign (one UpdateItem a batch)."""
    counts = {k: v for k, v in counts.items() if v}
    if not counts:
        return
    names = {f"#a{n}": k for n, k in enumerate(counts)}
    values = {f":a{n}": v for n, v in enumerate(counts.values())}
    table().update_item(
        Key={"PK": pk, "SK": "FIGURES"},
        UpdateExpression="ADD " + ", ".join(f"#a{n} :a{n}" for n in range(len(counts))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def add_feedback(pk: str, name: str) -> bool:
    """ADD 1 to one figure of an alert's or a campaign's ``FIGURES`` item, only if the item exists
    (it does once anything went out): False for an unknown source, which writes nothing."""
    return written(
        table().update_item,
        Key={"PK": pk, "SK": "FIGURES"},
        UpdateExpression="ADD #n :one",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#n": name},
        ExpressionAttributeValues={":one": 1},
    )


def figures(alert_id: str, pk: str | None = None) -> ServiceAlertFigures:
    key = {"PK": pk or f"SVCALERT#{alert_id}", "SK": "FIGURES"}
    item = table().get_item(Key=key).get("Item") or {}
    data = from_item(item)
    by_channel = {k.removeprefix("sent#"): int(v) for k, v in data.items() if k.startswith("sent#")}
    return ServiceAlertFigures(
        audience=int(data.get("audience", 0)),
        sent=int(data.get("sent", 0)),
        failed=int(data.get("failed", 0)),
        skipped=int(data.get("skipped", 0)),
        delivered=int(data.get("delivered", 0)),
        bounced=int(data.get("bounced", 0)),
        complaints=int(data.get("complaints", 0)),
        unsubscribes=int(data.get("unsubscribes", 0)),
        by_channel=by_channel,
    )
