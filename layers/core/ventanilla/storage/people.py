"""Citizens, their contact index, and staff profiles."""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from ventanilla.models.people import Citizen, StaffProfile
from ventanilla.storage.table import from_item, is_error, table, to_item


def contact_hash(kind: str, value: str) -> str:
    """Contacts are indexed by hash so the key never shows an email or phone in clear."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def find_citizen_id(contact: str) -> str | None:
    item = (
        table().get_item(Key={"PK": f"CONTACT#{contact}", "SK": "CONTACT"}, ConsistentRead=True).get("Item")
    )
    return str(item["citizen_id"]) if item else None


def new_citizen_items(citizen: Citizen, contacts: list[str]) -> list[dict[str, Any]]:
    """Transaction items that create a citizen and its contact index entries, failing on a race."""
    name = table().name
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": name,
                "Item": to_item(citizen, PK=f"CITIZEN#{citizen.citizen_id}", SK="PROFILE", entity="citizen"),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
    ]
    for contact in contacts:
        items.append(
            {
                "Put": {
                    "TableName": name,
                    "Item": {"PK": f"CONTACT#{contact}", "SK": "CONTACT", "citizen_id": citizen.citizen_id},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
    return items


def get_citizen(citizen_id: str) -> Citizen | None:
    item = table().get_item(Key={"PK": f"CITIZEN#{citizen_id}", "SK": "PROFILE"}).get("Item")
    return Citizen.model_validate(from_item(item)) if item else None


def put_staff(profile: StaffProfile) -> None:
    table().put_item(Item=to_item(profile, PK=f"STAFF#{profile.sub}", SK="PROFILE", entity="staff"))


def get_staff(sub: str) -> StaffProfile | None:
    item = table().get_item(Key={"PK": f"STAFF#{sub}", "SK": "PROFILE"}).get("Item")
    return StaffProfile.model_validate(from_item(item)) if item else None


def set_staff_access(
    sub: str, username: str, name: str, roles: list[str], teams: list[str], tier: str, expected_version: int
) -> StaffProfile | None:
    """An admin's change of name, roles, teams and tier, only if the profile is still at
    ``expected_version`` (None otherwise); language and sign-out are left as they are."""
    condition = "version = :expected"
    if expected_version == 0:
        condition = "attribute_not_exists(PK) OR attribute_not_exists(version) OR version = :expected"
    try:
        item = table().update_item(
            Key={"PK": f"STAFF#{sub}", "SK": "PROFILE"},
            UpdateExpression=(
                "SET #sub = :sub, username = :user, #name = :name, #roles = :roles, teams = :teams, "
                "tier = :tier, version = :next, entity = :entity"
            ),
            ConditionExpression=condition,
            ExpressionAttributeNames={"#sub": "sub", "#name": "name", "#roles": "roles"},
            ExpressionAttributeValues={
                ":sub": sub,
                ":user": username,
                ":name": name,
                ":roles": roles,
                ":teams": teams,
                ":tier": tier,
                ":expected": expected_version,
                ":next": expected_version + 1,
                ":entity": "staff",
            },
            ReturnValues="ALL_NEW",
        )["Attributes"]
    except ClientError as error:
        if is_error(error, "ConditionalCheckFailedException"):
            return None
        raise
    return StaffProfile.model_validate(from_item(item))


def get_staff_many(subs: list[str]) -> dict[str, StaffProfile]:
    """Several profiles by sub with one BatchGetItem (at most 100 keys)."""
    if not subs:
        return {}
    name = table().name
    keys = [{"PK": f"STAFF#{s}", "SK": "PROFILE"} for s in dict.fromkeys(subs)][:100]
    out: dict[str, StaffProfile] = {}
    request: dict[str, Any] = {name: {"Keys": keys}}
    for _ in range(5):
        response = table().meta.client.batch_get_item(RequestItems=request)
        for item in response.get("Responses", {}).get(name, []):
            profile = StaffProfile.model_validate(from_item(item))
            out[profile.sub] = profile
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    return out


def set_staff_language(profile: StaffProfile, language: str) -> StaffProfile:
    """Set the language of a staff member's notices (see :func:`_set_staff_attribute`)."""
    return _set_staff_attribute(profile, "language", language)


def set_signed_out(profile: StaffProfile, at: int) -> StaffProfile:
    """Record when the staff member signed out everywhere (epoch seconds): older tokens stop working."""
    return _set_staff_attribute(profile, "signed_out_at", at)


def _set_staff_attribute(profile: StaffProfile, attribute: str, value: Any) -> StaffProfile:
    """One UpdateItem that changes only ``attribute``; a staff member without a profile item yet gets
    one from ``profile`` (what the token and the defaults say), so the write never leaves a half
    profile."""
    item = table().update_item(
        Key={"PK": f"STAFF#{profile.sub}", "SK": "PROFILE"},
        UpdateExpression=(
            "SET #attr = :value, #sub = if_not_exists(#sub, :sub), "
            "username = if_not_exists(username, :user), "
            "#name = if_not_exists(#name, :name), teams = if_not_exists(teams, :teams), "
            "tier = if_not_exists(tier, :tier), entity = if_not_exists(entity, :entity)"
        ),
        ExpressionAttributeNames={"#attr": attribute, "#sub": "sub", "#name": "name"},
        ExpressionAttributeValues={
            ":value": value,
            ":sub": profile.sub,
            ":user": profile.username,
            ":name": profile.name,
            ":teams": list(profile.teams),
            ":tier": profile.tier,
            ":entity": "staff",
        },
        ReturnValues="ALL_NEW",
    )["Attributes"]
    return StaffProfile.model_validate(from_item(item))


def delete_citizen(citizen_id: str) -> None:
    """Remove a filing record (``CITIZEN#<id>``: profile, notice preferences, devices); erasure only."""
    from boto3.dynamodb.conditions import Key

    response = table().query(
        KeyConditionExpression=Key("PK").eq(f"CITIZEN#{citizen_id}"), ProjectionExpression="PK, SK", Limit=200
    )
    with table().batch_writer() as batch:
        for item in response.get("Items", []):
            batch.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})


def delete_contact(contact: str) -> None:
    table().delete_item(Key={"PK": f"CONTACT#{contact}", "SK": "CONTACT"})
