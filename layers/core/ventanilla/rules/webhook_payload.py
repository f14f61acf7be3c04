"""What a webhook receiver may see of a domain event (pure: no AWS).

Receivers are other systems, often outside the institution's own network: they get no internal
identifier of staff. Each staff Cognito id in the detail (``actor_id``, ``assignee``,
``previous_assignee``, the subs in ``notify``) becomes a public alias, ``staff-<16 hex>``: an HMAC
of the id under a key derived from the installation's secret, so it is stable (the same agent is
the same alias in every event, a receiver can count "handled by the same person") and cannot be
turned back into the id, nor matched against a list of known ids, without the key. ``team`` codes
stay: they are the institution's public structure. The routing mark the bus filters on is dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

ROUTE_KEY = "webhooks"
"""Set (true) on the detail of a domain event some active endpoint subscribed to: the only events
the template's rule puts on the webhooks queue (no subscription, no queue message, no invocation)."""
STAFF_KEYS = ("actor_id", "assignee", "previous_assignee")
NOT_STAFF = frozenset({"team", "supervisor", "assignee"})
"""``notify`` entries that name a group, not a person (``tier:L2`` too)."""
ALIAS_PREFIX = "staff-"


def alias_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"webhook-staff-alias", hashlib.sha256).digest()


def staff_alias(key: bytes, sub: str) -> str:
    return ALIAS_PREFIX + hmac.new(key, sub.encode(), hashlib.sha256).hexdigest()[:16]


def public_detail(detail: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The detail as receivers get it: staff ids aliased, the routing mark removed."""
    out = {k: v for k, v in detail.items() if k != ROUTE_KEY}
    for name in STAFF_KEYS:
        if isinstance(out.get(name), str) and out[name]:
            out[name] = staff_alias(key, out[name])
    if isinstance(out.get("notify"), list):
        out["notify"] = [
            s if not isinstance(s, str) or s in NOT_STAFF or s.startswith("tier:") else staff_alias(key, s)
            for s in out["notify"]
        ]
    return out
