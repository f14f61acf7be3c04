"""API keys (keys in :mod:`ventanilla.storage.table`): a lookup item per live key, found by the
key's SHA-256 on every call, and a listing item per key for admins (revoked ones stay listed)."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.models.api_keys import ApiKey
from ventanilla.models.common import iso
from ventanilla.storage.table import client, from_item, is_error, table, to_item

MAX_KEYS = 200
LIST_PK = "APIKEYS"


def _lookup_key(key_hash: str) -> dict[str, str]:
    return {"PK": f"APIKEY#{key_hash}", "SK": "APIKEY"}


def _listing_key(key_id: str) -> dict[str, str]:
    return {"PK": LIST_PK, "SK": f"KEY#{key_id}"}


def insert(key: ApiKey, key_hash: str) -> bool:
    """Write both items; False when that id or that key already exists (the demo key seeded twice)."""
    name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": name,
                        "Item": to_item(key, **_listing_key(key.id), entity="apikey", key_hash=key_hash),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Put": {
                        "TableName": name,
                        "Item": to_item(key, **_lookup_key(key_hash), entity="apikey"),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )
    except Exception as error:
        if is_error(error, "TransactionCanceledException"):
            return False
        raise
    return True


def by_hash(key_hash: str) -> ApiKey | None:
    item = table().get_item(Key=_lookup_key(key_hash)).get("Item")
    return ApiKey.model_validate(from_item(item)) if item else None


def list_keys() -> list[ApiKey]:
    items = table().query(KeyConditionExpression=Key("PK").eq(LIST_PK), Limit=MAX_KEYS).get("Items", [])
    return [ApiKey.model_validate({k: v for k, v in from_item(i).items() if k != "key_hash"}) for i in items]


def count() -> int:
    return int(table().query(KeyConditionExpression=Key("PK").eq(LIST_PK), Select="COUNT").get("Count", 0))


def revoke(key_id: str, at: Any) -> ApiKey | None:
    """Mark the listing item revoked and delete the lookup item in one transaction; None if unknown.
    Revoking twice keeps the first date."""
    item = table().get_item(Key=_listing_key(key_id), ConsistentRead=True).get("Item")
    if item is None:
        return None
    if "revoked_at" not in item:
        name = table().name
        client().transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": name,
                        "Key": _listing_key(key_id),
                        "UpdateExpression": "SET revoked_at = :at",
                        "ExpressionAttributeValues": {":at": iso(at)},
                    }
                },
                {"Delete": {"TableName": name, "Key": _lookup_key(str(item["key_hash"]))}},
            ]
        )
        item["revoked_at"] = iso(at)
    return ApiKey.model_validate({k: v for k, v in from_item(item).items() if k != "key_hash"})
