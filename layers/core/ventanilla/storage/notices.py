"""Notification state (keys in :mod:`ventanilla.storage.table`): deliveries, devices, opt-outs,
suppressions, sealed receipts and admin-edited templates.

    delivery        NOTICE#<event id>      <recipient>#<channel>     one per notice sent; claim + outcome
    device          TICKET#<n> | STAFF#<s> DEVICE#<token sha256>     SNS endpoint of a push token
    notice prefs    CITIZEN#<id> | STAFF#<s> NOTICES                 channels opted out by a signed link
    suppression     SUPPRESSION            <address sha256>          bounced or complained address
    receipt         TICKET#<n>             RECEIPT                   access code sealed for the receipt; TTL
    template        TEMPLATES              <kind>#<channel>#<lang>   admin override, parts by name
    pending notice  TICKET#<n>             PENDING_NOTICE            a citizen notice window open; TTL

Every call reads or writes a bounded number of items; listings are one Query with a Limit.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ventanilla.models.ticket import HistoryEvent, Ticket
from ventanilla.storage.suppressions import SUPPRESSION_PK as SUPPRESSION_PK  # re-exported
from ventanilla.storage.suppressions import digest as digest
from ventanilla.storage.suppressions import suppress as suppress
from ventanilla.storage.suppressions import suppressed_among as suppressed_among
from ventanilla.storage.suppressions import suppression as suppression
from ventanilla.storage.suppressions import suppressions as suppressions
from ventanilla.storage.suppressions import unsuppress as unsuppress
from ventanilla.storage.table import client, from_item, is_error, table, written
from ventanilla.storage.tickets import HISTORY_PAGE, event_item, ticket_pk

DELIVERY_TTL = 90 * 86400
RECEIPT_TTL = 14 * 86400
TEMPLATES_PK = "TEMPLATES"


# ---- the ticket's partition, read once per notice ---------------------------------------------


def ticket_partition(
    number: str,
) -> tuple[Ticket | None, list[HistoryEvent], list[dict[str, Any]], str | None]:
    """Ticket, history, the request's devices and its sealed receipt: one Query."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(ticket_pk(number)), ConsistentRead=True, Limit=HISTORY_PAGE + 30
    )
    ticket: Ticket | None = None
    history: list[HistoryEvent] = []
    found_devices: list[dict[str, Any]] = []
    sealed: str | None = None
    for item in response.get("Items", []):
        sk = str(item["SK"])
        if sk == "TICKET":
            ticket = Ticket.model_validate(from_item(item))
        elif sk.startswith("EV#"):
            history.append(HistoryEvent.model_validate(from_item(item)))
        elif sk.startswith("DEVICE#"):
            found_devices.append(from_item(item) | {"owner_pk": ticket_pk(number)})
        elif sk == "RECEIPT" and int(item.get("ttl", 0)) > time.time():
            sealed = str(item["sealed"])
    return ticket, history, found_devices, sealed


# ---- deliveries (idempotency per event, recipient and channel) ---------------------------------


def _delivery_key(event_id: str, recipient: str, channel: str) -> dict[str, str]:
    return {"PK": f"NOTICE#{event_id}", "SK": f"{recipient}#{channel}"}


def claim(event_id: str, recipient: str, channel: str, owner: str, lease_seconds: int = 120) -> bool:
    """Take the right to send one notice. False when it was sent or given up already, or when
    another worker holds a live lease (the caller then retries later)."""
    now = int(time.time())
    return written(
        table().update_item,
        Key=_delivery_key(event_id, recipient, channel),
        UpdateExpression="SET #s = :sending, lease_owner = :owner, lease_until = :until, entity = :entity, "
        "#ttl = :ttl ADD attempts :one",
        ConditionExpression="attribute_not_exists(PK) OR (#s = :retry) "
        "OR (#s = :sending AND lease_until < :now)",
        ExpressionAttributeNames={"#s": "status", "#ttl": "ttl"},
        ExpressionAttributeValues={
            ":sending": "sending",
            ":retry": "retry",
            ":owner": owner,
            ":until": now + lease_seconds,
            ":now": now,
            ":one": 1,
            ":entity": "delivery",
            ":ttl": now + DELIVERY_TTL,
        },
    )


def delivery(event_id: str, recipient: str, channel: str) -> dict[str, Any] | None:
    item = table().get_item(Key=_delivery_key(event_id, recipient, channel), ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def release(event_id: str, recipient: str, channel: str, owner: str, reason: str) -> None:
    """A transient failure: the notice may be claimed again by the next attempt."""
    written(
        table().update_item,
        Key=_delivery_key(event_id, recipient, channel),
        UpdateExpression="SET #s = :retry, last_error = :reason REMOVE lease_owner, lease_until",
        ConditionExpression="#s = :sending AND lease_owner = :owner",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":retry": "retry",
            ":sending": "sending",
            ":owner": owner,
            ":reason": reason,
        },
    )


def finish(
    event_id: str,
    recipient: str,
    channel: str,
    owner: str,
    status: str,
    record: HistoryEvent | None,
    **fields: Any,
) -> bool:
    """Mark the notice sent or failed and append its history entry, in one transaction: the
    ticket's history gets exactly one entry per outcome. False when the lease was lost."""
    values: dict[str, Any] = {":status": status, ":sending": "sending", ":owner": owner}
    sets = ["#s = :status"]
    for i, (name, value) in enumerate(sorted(fields.items())):
        if value is None:
            continue
        sets.append(f"{name} = :f{i}")
        values[f":f{i}"] = value
    update: dict[str, Any] = {
        "Update": {
            "TableName": table().name,
            "Key": _delivery_key(event_id, recipient, channel),
            "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE lease_owner, lease_until",
            "ConditionExpression": "#s = :sending AND lease_owner = :owner",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": values,
        }
    }
    items = [update]
    if record is not None:
        items.append(_history_put(record))
    return _transact_once(items)


def record_once(event_id: str, recipient: str, channel: str, status: str, record: HistoryEvent) -> bool:
    """An outcome decided without sending (opted out, suppressed, no address): written once."""
    now = int(time.time())
    items = [
        {
            "Put": {
                "TableName": table().name,
                "Item": {
                    **_delivery_key(event_id, recipient, channel),
                    "status": status,
                    "entity": "delivery",
                    "attempts": 0,
                    "ttl": now + DELIVERY_TTL,
                },
                "ConditionExpression": "attribute_not_exists(PK) OR #s = :retry",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":retry": "retry"},
            }
        },
        _history_put(record),
    ]
    return _transact_once(items)


def _history_put(record: HistoryEvent) -> dict[str, Any]:
    """The history event a delivery records, appended once (a redelivery finds it written)."""
    return {
        "Put": {
            "TableName": table().name,
            "Item": event_item(record),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _transact_once(items: list[dict[str, Any]]) -> bool:
    """Write the items together; False when a condition says another delivery already did."""
    return written(client().transact_write_items, TransactItems=items)


# ---- devices -------------------------------------------------------------------------------------


def put_device(
    owner_pk: str,
    token: str,
    platform: str,
    endpoint_arn: str,
    now_iso: str,
    subscription: dict[str, str] | None = None,
) -> str:
    """File a device under its owner (same token or endpoint -> same item). A web push
    subscription keeps its endpoint and keys (``subscription``) instead of an SNS endpoint."""
    device_id = digest(token)[:32]
    item: dict[str, Any] = {
        "PK": owner_pk,
        "SK": f"DEVICE#{device_id}",
        "entity": "device",
        "device_id": device_id,
        "platform": platform,
        "endpoint_arn": endpoint_arn,
        "registered_at": now_iso,
    }
    if subscription:
        item["subscription"] = subscription
    table().put_item(Item=item)
    return device_id


def devices(owner_pk: str, limit: int = 20) -> list[dict[str, Any]]:
    response = table().query(
        KeyConditionExpression=Key("PK").eq(owner_pk) & Key("SK").begins_with("DEVICE#"), Limit=limit
    )
    return [from_item(i) | {"owner_pk": owner_pk} for i in response.get("Items", [])]


def delete_device(owner_pk: str, device_id: str) -> None:
    table().delete_item(Key={"PK": owner_pk, "SK": f"DEVICE#{device_id}"})


# ---- opt-outs ------------------------------------------------------------------------------------


def citizen_owner(citizen_id: str) -> str:
    """The partition of a citizen's notice preferences and devices."""
    return f"CITIZEN#{citizen_id}"


def staff_owner(sub: str) -> str:
    """The partition of a staff member's notice preferences and devices."""
    return f"STAFF#{sub}"


def opted_out(owner_pk: str) -> set[str]:
    item = table().get_item(Key={"PK": owner_pk, "SK": "NOTICES"}).get("Item")
    return set(item.get("opted_out") or []) if item else set()


def add_opt_out(owner_pk: str, channels: set[str], now_iso: str) -> set[str]:
    """Add ``channels`` to the opted-out set; returns the set as it was before (one write)."""
    answer = table().update_item(
        Key={"PK": owner_pk, "SK": "NOTICES"},
        UpdateExpression="ADD opted_out :c SET entity = :e, updated_at = :at",
        ExpressionAttributeValues={":c": channels, ":e": "notice_prefs", ":at": now_iso},
        ReturnValues="ALL_OLD",  # small item; UPDATED_OLD may omit an attribute ADD left unchanged
    )
    return set((answer.get("Attributes") or {}).get("opted_out") or [])


def remove_opt_out(owner_pk: str, channels: set[str]) -> None:
    if channels:
        table().update_item(
            Key={"PK": owner_pk, "SK": "NOTICES"},
            UpdateExpression="DELETE opted_out :c",
            ExpressionAttributeValues={":c": channels},
        )


# ---- receipts ------------------------------------------------------------------------------------


def receipt_item(number: str, sealed: str) -> dict[str, Any]:
    """Transaction item that keeps the sealed access code for the receipt notice, for a while."""
    return {
        "Put": {
            "TableName": table().name,
            "Item": {
                "PK": f"TICKET#{number}",
                "SK": "RECEIPT",
                "entity": "receipt",
                "sealed": sealed,
                "ttl": int(time.time()) + RECEIPT_TTL,
            },
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def receipt(number: str) -> str | None:
    item = table().get_item(Key={"PK": f"TICKET#{number}", "SK": "RECEIPT"}).get("Item")
    return str(item["sealed"]) if item else None


# ---- templates -----------------------------------------------------------------------------------


def template_key(kind: str, channel: str, lang: str) -> dict[str, str]:
    return {"PK": TEMPLATES_PK, "SK": f"{kind}#{channel}#{lang}"}


def get_template(kind: str, channel: str, lang: str) -> dict[str, Any] | None:
    item = table().get_item(Key=template_key(kind, channel, lang)).get("Item")
    return from_item(item) if item else None


def put_template(
    kind: str,
    channel: str,
    lang: str,
    parts: dict[str, str],
    by: str,
    now_iso: str,
    expected: int | None = None,
) -> int | None:
    """Store an override; returns its new version (a counter, to show what was edited).

    ``expected`` is the version the editor loaded (0: none was stored): another version stored
    meanwhile returns ``None`` and writes nothing (an optimistic lock; ``None`` skips the check).
    """
    condition: dict[str, Any] = {}
    if expected == 0:
        condition = {"ConditionExpression": "attribute_not_exists(version)"}
    elif expected is not None:
        condition = {
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": expected},
        }
    values = {":p": parts, ":by": by, ":at": now_iso, ":e": "template", ":one": 1}
    values.update(condition.pop("ExpressionAttributeValues", {}))
    try:
        response = table().update_item(
            Key=template_key(kind, channel, lang),
            UpdateExpression=(
                "SET parts = :p, updated_by = :by, updated_at = :at, entity = :e ADD version :one"
            ),
            ExpressionAttributeValues=values,
            ReturnValues="UPDATED_NEW",
            **condition,
        )
    except ClientError as error:
        if is_error(error, "ConditionalCheckFailedException"):
            return None
        raise
    return int(Decimal(response["Attributes"]["version"]))


def delete_template(kind: str, channel: str, lang: str) -> bool:
    response = table().delete_item(Key=template_key(kind, channel, lang), ReturnValues="ALL_OLD")
    return bool(response.get("Attributes"))


def list_templates(limit: int = 200) -> list[dict[str, Any]]:
    response = table().query(KeyConditionExpression=Key("PK").eq(TEMPLATES_PK), Limit=limit)
    return [from_item(i) | {"key": i["SK"]} for i in response.get("Items", [])]


# ---- a request's pending citizen notice (coalescing window) -----------------------------------

PENDING_SK = "PENDING_NOTICE"


def hold(number: str, event_id: str, since: str, window_seconds: int) -> dict[str, Any]:
    """Open the request's notice window unless one is open; returns the window (its first event
    and start). One conditional PutItem, plus one GetItem when a window is already open."""
    key = {"PK": ticket_pk(number), "SK": PENDING_SK}
    item = {
        **key,
        "entity": "pending_notice",
        "event_id": event_id,
        "since": since,
        # Cleaned by TTL if the flush never comes (it always does: the queue retries it).
        "ttl": int(time.time()) + window_seconds + 86400,
    }
    if not written(table().put_item, Item=item, ConditionExpression="attribute_not_exists(PK)"):
        found = table().get_item(Key=key, ConsistentRead=True).get("Item")
        return dict(found) if found else item
    return item


def close_window(number: str, event_id: str) -> None:
    """Close the window ``event_id`` opened (a later window stays open for its own flush)."""
    written(
        table().delete_item,
        Key={"PK": ticket_pk(number), "SK": PENDING_SK},
        ConditionExpression="event_id = :e",
        ExpressionAttributeValues={":e": event_id},
    )
