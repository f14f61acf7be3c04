"""Webhook endpoints and their delivery log (keys in :mod:`ventanilla.storage.table`).

Endpoints: ``WEBHOOKS / HOOK#<id>`` (at most MAX_HOOKS, so the fan-out reads them with one bounded
Query), the secret sealed. Delivery log: ``HOOKLOG#<id> / <at>#<event id>#<attempt>``, one small
item per attempt, expiring after LOG_DAYS, listed newest first a page at a time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.common import iso
from ventanilla.models.webhooks import Webhook, WebhookDelivery
from ventanilla.storage.table import cursor_in, cursor_out, from_item, is_error, table, to_item

MAX_HOOKS = 50
LIST_PK = "WEBHOOKS"
LOG_DAYS = 30


def _key(hook_id: str) -> dict[str, str]:
    return {"PK": LIST_PK, "SK": f"HOOK#{hook_id}"}


def _view(item: dict[str, Any]) -> tuple[Webhook, str]:
    data = from_item(item)
    sealed = str(data.pop("secret_sealed", ""))
    data.pop("entity", None)
    return Webhook.model_validate(data), sealed


def put(hook: Webhook, sealed: str, expected_version: int | None) -> bool:
    """Write the endpoint; False when it changed meanwhile (or exists, on create)."""
    item = to_item(hook, **_key(hook.id), entity="webhook", secret_sealed=sealed)
    condition = (
        {"ConditionExpression": "attribute_not_exists(PK)"}
        if expected_version is None
        else {
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": {":v": expected_version},
        }
    )
    try:
        table().put_item(Item=item, **condition)
    except Exception as error:
        if is_error(error, "ConditionalCheckFailedException"):
            return False
        raise
    return True


def get(hook_id: str) -> tuple[Webhook, str] | None:
    item = table().get_item(Key=_key(hook_id), ConsistentRead=True).get("Item")
    return _view(item) if item else None


def list_all() -> list[tuple[Webhook, str]]:
    items = table().query(KeyConditionExpression=Key("PK").eq(LIST_PK), Limit=MAX_HOOKS).get("Items", [])
    return [_view(i) for i in items]


def delete(hook_id: str) -> bool:
    """Remove the endpoint (its log expires by itself); False when there was none."""
    try:
        table().delete_item(Key=_key(hook_id), ConditionExpression="attribute_exists(PK)")
    except Exception as error:
        if is_error(error, "ConditionalCheckFailedException"):
            return False
        raise
    return True


def log(hook_id: str, delivery: WebhookDelivery) -> None:
    sk = f"{iso(delivery.at)}#{delivery.event_id}#{delivery.attempt:02d}"
    ttl = int((delivery.at + timedelta(days=LOG_DAYS)).timestamp())
    table().put_item(Item=to_item(delivery, PK=f"HOOKLOG#{hook_id}", SK=sk, entity="hooklog", ttl=ttl))


def deliveries(hook_id: str, limit: int, cursor: str | None) -> tuple[list[WebhookDelivery], str | None]:
    """One page of the endpoint's log, newest first (the cursor is checked to be this endpoint's)."""
    pk = f"HOOKLOG#{hook_id}"
    start = cursor_in(cursor)
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(pk),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start is not None:
        from ventanilla.errors import BadRequest

        if start.get("PK") != pk or set(start) != {"PK", "SK"}:
            raise BadRequest("invalid_cursor")
        kwargs["ExclusiveStartKey"] = start
    page = table().query(**kwargs)
    items = [
        WebhookDelivery.model_validate({k: v for k, v in from_item(i).items() if k not in ("entity", "ttl")})
        for i in page.get("Items", [])
    ]
    return items, cursor_out(page.get("LastEvaluatedKey"))
