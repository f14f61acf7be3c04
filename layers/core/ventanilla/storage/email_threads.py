"""Email threads: ``EMAILMSG#<sha256 of a Message-ID> / MSG`` maps every message of a request's
thread (received or sent) to its number, and its conditional first write makes each received
Message-ID count once; ``TICKET#<n> / EMAILTHREAD`` holds the thread's first and last message ids,
which the notifier answers to (``In-Reply-To``/``References``)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from ventanilla.storage.table import set_existing, table, written

TTL_SECONDS = 2 * 365 * 24 * 3600
MAX_LOOKUP = 20


def _pk(message_id: str) -> str:
    return "EMAILMSG#" + hashlib.sha256(message_id.strip().strip("<>").lower().encode()).hexdigest()


def claim(message_id: str, *, ours: bool = False) -> bool:
    """True the first time ``message_id`` is seen (a retried or redelivered mail: False)."""
    item: dict[str, Any] = {"PK": _pk(message_id), "SK": "MSG", "ttl": int(time.time()) + TTL_SECONDS}
    if ours:
        item["ours"] = True
    return written(table().put_item, Item=item, ConditionExpression="attribute_not_exists(PK)")


def release(message_id: str) -> None:
    """Forget a claim whose handling failed before it reached a request (the retry may try again);
    once the mail is linked to a request the claim stays, so a retry never files it twice."""
    written(
        table().delete_item,
        Key={"PK": _pk(message_id), "SK": "MSG"},
        ConditionExpression="attribute_not_exists(#n)",
        ExpressionAttributeNames={"#n": "number"},
    )


def link(message_id: str, number: str, *, ours: bool = False) -> None:
    """Record which request ``message_id`` belongs to."""
    item: dict[str, Any] = {
        "PK": _pk(message_id),
        "SK": "MSG",
        "number": number,
        "ttl": int(time.time()) + TTL_SECONDS,
    }
    if ours:
        item["ours"] = True
    table().put_item(Item=item)


def lookup(message_ids: list[str]) -> tuple[str | None, bool]:
    """(the request of the newest of ``message_ids`` that has one, whether any of them is ours)."""
    wanted = list(dict.fromkeys(message_ids[-MAX_LOOKUP:]))
    if not wanted:
        return None, False
    keys = [{"PK": _pk(m), "SK": "MSG"} for m in wanted]
    answer = table().meta.client.batch_get_item(
        RequestItems={table().name: {"Keys": keys, "ConsistentRead": True}}
    )
    items = {str(i["PK"]): i for i in answer.get("Responses", {}).get(table().name, [])}
    ours = any(i.get("ours") for i in items.values())
    for message_id in reversed(wanted):
        item = items.get(_pk(message_id))
        if item and item.get("number"):
            return str(item["number"]), ours
    return None, ours


def thread(number: str) -> dict[str, str] | None:
    item = table().get_item(Key={"PK": f"TICKET#{number}", "SK": "EMAILTHREAD"}).get("Item")
    return {k: str(v) for k, v in item.items() if k in ("root", "last", "subject")} if item else None


def set_thread(number: str, root: str, last: str, subject: str) -> None:
    table().put_item(
        Item={
            "PK": f"TICKET#{number}",
            "SK": "EMAILTHREAD",
            "root": root,
            "last": last,
            "subject": subject[:200],
        }
    )


def move_last(number: str, last: str) -> None:
    """Make ``last`` the thread's newest message, if the request has a thread (one write, no read)."""
    set_existing({"PK": f"TICKET#{number}", "SK": "EMAILTHREAD"}, "last", last)
