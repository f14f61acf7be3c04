"""Offline upkeep of subscriptions, for upgrades (``infra/ops``; each Scans the table, so never on a
request path):

- ``backfill_account_refs``: subscriptions made signed in before ``SUBREF#`` items existed get
  theirs, so erasing the account finds them; one of an account already erased is erased now
  (what the erasure could not find). Idempotent (conditional Puts) and resumable (each page's
  cursor is reported: start again from the last one printed).
- ``recount``: the exact subscriber counters from the subscriptions themselves (the counters of a
  table written before they existed; or a check). Run it with the traffic stopped: a subscription
  confirmed during the Scan may be counted twice or not at all (running it again fixes that).
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from ventanilla.models.common import iso, utcnow
from ventanilla.storage import accounts as account_store
from ventanilla.storage import subscription_counts
from ventanilla.storage import subscriptions as store


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    return json.loads(base64.urlsafe_b64decode(cursor.encode())) if cursor else None


def backfill_account_refs(
    start: str | None = None, report: Callable[[dict[str, Any]], None] | None = None, page_size: int = 500
) -> dict[str, int]:
    """Give every signed-in subscription its ``SUBREF#`` item; totals of what was done."""
    totals: Counter[str] = Counter()
    key = decode_cursor(start)
    while True:
        records, key = store.scan_subscriptions(key, page_size)
        done: Counter[str] = Counter(scanned=len(records))
        for record in records:
            if not record.citizen_id:
                continue
            if account_store.erasure(record.citizen_id) is not None:
                store.delete_subscription(record.id)
                done["erased_late"] += 1
            elif store.put_account_ref(record.citizen_id, record.id):
                done["refs_added"] += 1
            else:
                done["refs_present"] += 1
        totals.update(done)
        if report:
            report({**done, "cursor": encode_cursor(key)})
        if not key:
            return dict(totals)


def recount() -> dict[str, Any]:
    """Set the counters to what the subscriptions say; what changed (key: [old, new])."""
    exact: Counter[str] = Counter()
    key: dict[str, Any] | None = None
    scanned = 0
    while True:
        records, key = store.scan_subscriptions(key)
        scanned += len(records)
        for record in records:
            exact.update(store.counted_keys(record))
        if not key:
            break
    changed = subscription_counts.replace_all(dict(exact))
    return {
        "subscriptions": scanned,
        "counters": len(exact),
        "changed": {k: [old, exact.get(k, 0)] for k, old in sorted(changed.items())},
    }


UPGRADE = "subscriptions-2026-12"
"""The upkeep a local stack restored from an older data folder runs once (infra/local/stack.py)."""


def upgrade_once() -> dict[str, Any] | None:
    """Backfill then recount, once per table (a marker item says it ran); None when it had."""
    if subscription_counts.upgrade_done(UPGRADE):
        return None
    result = {"backfill": backfill_account_refs(), "recount": recount()}
    subscription_counts.mark_upgrade(UPGRADE, iso(utcnow()))
    return result


def mark_current() -> None:
    """A new table: the upgrade has nothing to do."""
    subscription_counts.mark_upgrade(UPGRADE, iso(utcnow()))
