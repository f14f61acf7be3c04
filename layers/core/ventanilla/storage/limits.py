"""Rate-limit state: one small item per (scope, key digest) holding a GCRA arrival time, with TTL.

Keys are HMAC digests (never an address or IP in clear); each item is written only by the requests
of its own client or address, so no item is hot and none grows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ventanilla.storage.table import is_error, table


def _key(scope: str, digest: str) -> dict[str, str]:
    return {"PK": f"LIMIT#{scope}#{digest}", "SK": "LIMIT"}


def read(scope: str, digest: str) -> float | None:
    item = table().get_item(Key=_key(scope, digest), ConsistentRead=True).get("Item")
    return float(item["tat"]) if item else None


def write(scope: str, digest: str, seen: float | None, tat: float, expires: int) -> bool:
    """Store ``tat`` if the item still holds ``seen`` (False when another request moved it first)."""
    condition = "attribute_not_exists(PK)" if seen is None else "tat = :seen"
    values = {} if seen is None else {":seen": Decimal(repr(seen))}
    try:
        table().put_item(
            Item={**_key(scope, digest), "tat": Decimal(repr(tat)), "ttl": expires, "entity": "limit"},
            ConditionExpression=condition,
            **({"ExpressionAttributeValues": values} if values else {}),
        )
    except Exception as error:
        if is_error(error, "ConditionalCheckFailedException"):
            return False
        raise
    return True


def clear(scope: str, digest: str) -> None:
    table().delete_item(Key=_key(scope, digest))


# ---- wrong access codes: failures of one request number within a window ----------------------


def _guess_key(number: str) -> dict[str, str]:
    return {"PK": f"GUESS#{number}", "SK": "GUESS"}


def code_failures(number: str) -> tuple[int, float] | None:
    """(failures, epoch of the window's first failure) of a request number, if any are kept."""
    item = table().get_item(Key=_guess_key(number), ConsistentRead=True).get("Item")
    return (int(item["fails"]), float(item["since"])) if item else None


def add_code_failure(number: str, now: float, window_open: bool, expires: int) -> int:
    """Count one more wrong code; a new window starts at ``now`` unless ``window_open``. The count."""
    if not window_open:
        table().put_item(
            Item={
                **_guess_key(number),
                "fails": 1,
                "since": Decimal(repr(now)),
                "ttl": expires,
                "entity": "guess",
            }
        )
        return 1
    answer = table().update_item(
        Key=_guess_key(number),
        UpdateExpression="ADD fails :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"]["fails"])


def clear_code_failures(number: str) -> None:
    table().delete_item(Key=_guess_key(number))


# ---- SMS spend: segments per number and per institution per day --------------------------------


def take_sms_segments(day: str, number_digest: str, segments: int, per_number: int, total: int) -> str | None:
    """Count ``segments`` against both daily caps; the cap that would be passed ('number', 'total') or None.

    Each cap is one conditional ADD, so concurrent notifiers cannot overshoot it; a number refused by
    the total cap gives its segments back. The per-day items expire two days later.
    """
    expires = int(datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()) + 2 * 86400
    for sk, cap in ((f"NUMBER#{number_digest}", per_number), ("TOTAL", total)):
        try:
            table().update_item(
                Key={"PK": f"SMSDAY#{day}", "SK": sk},
                UpdateExpression="ADD #seg :n SET #ttl = :ttl",
                ConditionExpression="attribute_not_exists(#seg) OR #seg <= :room",
                ExpressionAttributeNames={"#ttl": "ttl", "#seg": "segments"},
                ExpressionAttributeValues={":n": segments, ":room": cap - segments, ":ttl": expires},
            )
        except Exception as error:
            if not is_error(error, "ConditionalCheckFailedException"):
                raise
            if sk == "TOTAL":
                table().update_item(
                    Key={"PK": f"SMSDAY#{day}", "SK": f"NUMBER#{number_digest}"},
                    UpdateExpression="ADD #seg :n",
                    ExpressionAttributeNames={"#seg": "segments"},
                    ExpressionAttributeValues={":n": -segments},
                )
                return "total"
            return "number"
    return None
