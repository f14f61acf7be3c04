"""Inbound SMS already handled: ``SMSIN#<sha256 of the message id> / SEEN`` (TTL 7 days), so a
redelivered message does nothing twice."""

from __future__ import annotations

import hashlib
import time

from ventanilla.storage.table import table, written

TTL_SECONDS = 7 * 24 * 3600


def first_time(message_id: str) -> bool:
    key = hashlib.sha256(message_id.encode()).hexdigest()
    return written(
        table().put_item,
        Item={"PK": f"SMSIN#{key}", "SK": "SEEN", "ttl": int(time.time()) + TTL_SECONDS},
        ConditionExpression="attribute_not_exists(PK)",
    )
