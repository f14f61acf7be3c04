"""What a campaign segment reads about a citizen, by key (keys in storage/table.py):

    CITIZEN#<id>   ACCOUNT        the account, with the segment data the citizen chose to give
    CITIZEN#<id>   FILED#<type>   when the citizen last filed a request of that type (kept by the
                                  table's stream while the account exists: one small item per
                                  type, never growing; erasing the account deletes them)

A fan-out batch reads them with BatchGetItem (100 keys a call), never a Scan.
"""

from __future__ import annotations

from typing import Any

from ventanilla.storage.table import batch_read, client, is_error, table


def _filed_key(citizen_id: str, type_code: str) -> dict[str, str]:
    return {"PK": f"CITIZEN#{citizen_id}", "SK": f"FILED#{type_code}"}


def note_filed(citizen_id: str, type_code: str, at_iso: str) -> bool:
    """Keep the latest filing of ``type_code`` while the citizen has an account (segments read
    accounts only); an older or repeated record, or an account erased meanwhile (the table's stream
    may bring a filing after the erasure), changes nothing."""
    name = table().name
    try:
        client().transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": {"PK": f"CITIZEN#{citizen_id}", "SK": "ACCOUNT"},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "TableName": name,
                        "Key": _filed_key(citizen_id, type_code),
                        "UpdateExpression": "SET last_at = :at, entity = :e",
                        "ConditionExpression": "attribute_not_exists(last_at) OR last_at < :at",
                        "ExpressionAttributeValues": {":at": at_iso, ":e": "citizen_filed"},
                    }
                },
            ]
        )
    except Exception as error:
        if is_error(error, "TransactionCanceledException"):  # no account, or not newer
            return False
        raise
    return True


def facts(citizen_ids: list[str], types: list[str]) -> dict[str, dict[str, Any]]:
    """Per citizen: ``segment`` (the account's, None without an account), ``no_campaigns`` (the
    account withdrew its "campaigns" consent) and ``filed`` ({type: last ISO instant}) for ``types``."""
    ids = list(dict.fromkeys(citizen_ids))
    keys = [{"PK": f"CITIZEN#{c}", "SK": "ACCOUNT"} for c in ids]
    keys += [_filed_key(c, t) for c in ids for t in types]
    out: dict[str, dict[str, Any]] = {c: {"segment": None, "no_campaigns": False, "filed": {}} for c in ids}
    items, _ = batch_read(keys, projection="PK, SK, #s, last_at, no_campaigns", names={"#s": "segment"})
    for item in items:
        citizen = str(item["PK"]).removeprefix("CITIZEN#")
        if citizen not in out:
            continue
        if item["SK"] == "ACCOUNT":
            out[citizen]["segment"] = dict(item.get("segment") or {})
            out[citizen]["no_campaigns"] = bool(item.get("no_campaigns"))
        elif "last_at" in item:
            out[citizen]["filed"][str(item["SK"]).removeprefix("FILED#")] = str(item["last_at"])
    return out
