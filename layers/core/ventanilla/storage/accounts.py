"""Citizen accounts (keys in :mod:`ventanilla.storage.table`).

    account          CITIZEN#<id>        ACCOUNT                  profile, verified contacts, segment
    verified contact VCONTACT#<sha256>   VCONTACT                 citizen_id (one owner per contact)
    consent          CITIZEN#<id>        CONSENT#<at>#<rand>      append-only ledger
    staff read       CITIZEN#<id>        AUDIT#<at>#<rand>        who on staff read the record (TTL 2 y)
    erasure          CITIZEN#<id>        ERASED                   what an erasure did (no personal data)
    phone check      CITIZEN#<id>        PHONECHECK               a phone waiting for its SMS code (TTL)

The verified index is separate from the filing index (``CONTACT#``, what anonymous filings typed):
a typed address never reaches an account. Every read is a GetItem or a Query with a Limit.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ventanilla.errors import Conflict
from ventanilla.models.accounts import CitizenAccount, ConsentEntry, PhoneCheck, StaffRead
from ventanilla.models.common import iso
from ventanilla.storage.table import client, from_item, is_error, table, to_item, written

AUDIT_TTL = 2 * 365 * 86400
LEDGER_PAGE = 200


def contact_digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


def _account_key(citizen_id: str) -> dict[str, str]:
    return {"PK": f"CITIZEN#{citizen_id}", "SK": "ACCOUNT"}


def _vcontact_key(kind: str, value: str) -> dict[str, str]:
    return {"PK": f"VCONTACT#{contact_digest(kind, value)}", "SK": "VCONTACT"}


def get_account(citizen_id: str) -> CitizenAccount | None:
    item = table().get_item(Key=_account_key(citizen_id), ConsistentRead=True).get("Item")
    return CitizenAccount.model_validate(from_item(item)) if item else None


def create_account(account: CitizenAccount) -> bool:
    """Put a new account; False when it exists already (a concurrent first sign-in)."""
    return written(
        table().put_item,
        Item=to_item(account, **_account_key(account.citizen_id), entity="account"),
        ConditionExpression="attribute_not_exists(PK)",
    )


def save_account(account: CitizenAccount, expected_version: int) -> None:
    """Replace the account if still at ``expected_version`` (the caller bumped ``version``)."""
    try:
        table().put_item(
            Item=to_item(account, **_account_key(account.citizen_id), entity="account"),
            ConditionExpression="version = :v",
            ExpressionAttributeValues={":v": expected_version},
        )
    except ClientError as error:
        if is_error(error, "ConditionalCheckFailedException"):
            raise Conflict("stale_version", {"expected": expected_version, "actual": None}) from error
        raise


def owner_of(kind: str, value: str) -> str | None:
    """The account whose verified contact this is, or None."""
    item = table().get_item(Key=_vcontact_key(kind, value), ConsistentRead=True).get("Item")
    return str(item["citizen_id"]) if item else None


def claim_contact(kind: str, value: str, citizen_id: str) -> bool:
    """Index a verified contact for ``citizen_id``; False when another account verified it first."""
    return written(
        table().put_item,
        Item={**_vcontact_key(kind, value), "entity": "vcontact", "citizen_id": citizen_id},
        ConditionExpression="attribute_not_exists(PK) OR citizen_id = :c",
        ExpressionAttributeValues={":c": citizen_id},
    )


def release_contact(kind: str, value: str, citizen_id: str) -> None:
    written(
        table().delete_item,
        Key=_vcontact_key(kind, value),
        ConditionExpression="attribute_not_exists(PK) OR citizen_id = :c",
        ExpressionAttributeValues={":c": citizen_id},
    )


def _stamp() -> str:
    return secrets.token_hex(4)


def add_consent(citizen_id: str, entry: ConsentEntry) -> None:
    table().put_item(
        Item=to_item(
            entry, PK=f"CITIZEN#{citizen_id}", SK=f"CONSENT#{iso(entry.at)}#{_stamp()}", entity="consent"
        )
    )


def consents(citizen_id: str) -> list[ConsentEntry]:
    """The ledger, oldest first (one Query, bounded: a person gives or withdraws few consents)."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(f"CITIZEN#{citizen_id}") & Key("SK").begins_with("CONSENT#"),
        Limit=LEDGER_PAGE,
    )
    return [ConsentEntry.model_validate(from_item(i)) for i in response.get("Items", [])]


def add_staff_read(citizen_id: str, read: StaffRead) -> None:
    table().put_item(
        Item=to_item(
            read,
            PK=f"CITIZEN#{citizen_id}",
            SK=f"AUDIT#{iso(read.at)}#{_stamp()}",
            entity="staff_read",
            ttl=int(time.time()) + AUDIT_TTL,
        )
    )


def staff_reads(citizen_id: str, limit: int = 500) -> list[StaffRead]:
    """The most recent staff reads, newest first."""
    response = table().query(
        KeyConditionExpression=Key("PK").eq(f"CITIZEN#{citizen_id}") & Key("SK").begins_with("AUDIT#"),
        ScanIndexForward=False,
        Limit=limit,
    )
    return [StaffRead.model_validate(from_item(i)) for i in response.get("Items", [])]


def erasure(citizen_id: str) -> dict[str, Any] | None:
    item = (
        table().get_item(Key={"PK": f"CITIZEN#{citizen_id}", "SK": "ERASED"}, ConsistentRead=True).get("Item")
    )
    return from_item(item) if item else None


def put_erasure(citizen_id: str, record: dict[str, Any]) -> None:
    table().put_item(Item={"PK": f"CITIZEN#{citizen_id}", "SK": "ERASED", "entity": "erasure", **record})


def citizen_partition_keys(
    citizen_id: str, page: dict[str, Any] | None = None
) -> tuple[list[dict[str, str]], Any]:
    """Keys of one page of the citizen's own partition (account, ledger, audit, notice prefs)."""
    params: dict[str, Any] = {
        "KeyConditionExpression": Key("PK").eq(f"CITIZEN#{citizen_id}"),
        "ProjectionExpression": "PK, SK",
        "Limit": 200,
    }
    if page:
        params["ExclusiveStartKey"] = page
    response = table().query(**params)
    return [{"PK": i["PK"], "SK": i["SK"]} for i in response.get("Items", [])], response.get(
        "LastEvaluatedKey"
    )


def delete_keys(keys: list[dict[str, str]]) -> None:
    with table().batch_writer() as batch:
        for key in keys:
            batch.delete_item(Key=key)


def delete_key(key: dict[str, str]) -> None:
    client().delete_item(TableName=table().name, Key=key)


# ---- phone checks (one pending per account; replaced by a new code, gone after use or expiry) -------


def _phone_check_key(citizen_id: str) -> dict[str, str]:
    return {"PK": f"CITIZEN#{citizen_id}", "SK": "PHONECHECK"}


def put_phone_check(citizen_id: str, check: PhoneCheck) -> None:
    expires = int(check.expires_at.timestamp()) + 60
    table().put_item(Item=to_item(check, **_phone_check_key(citizen_id), entity="phonecheck", ttl=expires))


def get_phone_check(citizen_id: str) -> PhoneCheck | None:
    item = table().get_item(Key=_phone_check_key(citizen_id), ConsistentRead=True).get("Item")
    if not item:
        return None
    item.pop("ttl", None)
    return PhoneCheck.model_validate(from_item(item))


def fail_phone_check(citizen_id: str, attempts: int) -> bool:
    """Count one wrong code if the check still has ``attempts`` (False: a concurrent try moved it)."""
    return written(
        table().update_item,
        Key=_phone_check_key(citizen_id),
        UpdateExpression="SET attempts = :n",
        ConditionExpression="attempts = :a",
        ExpressionAttributeValues={":n": attempts + 1, ":a": attempts},
    )


def delete_phone_check(citizen_id: str) -> None:
    table().delete_item(Key=_phone_check_key(citizen_id))
