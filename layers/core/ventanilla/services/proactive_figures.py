"""What happened to an alert's or a campaign's emails after they left: SES delivery, bounce and
complaint events, and one-click unsubscribes, counted on the source's ``FIGURES`` item.

Each email of a fan-out carries the SES message tag ``ventanilla-source`` = ``<kind>-<id>`` (alert
or campaign); SES copies message tags into the events its configuration set publishes
(``mail.tags``), so an event names its source without any write at send time. The one-click
unsubscribe link carries the same value (``src``). Each event is one conditional ADD on the
source's figures item: an event of an unknown source (or a forged ``src``) writes nothing.
"""

from __future__ import annotations

import re
from typing import Any

from ventanilla.storage import service_alerts as figures_store

TAG = "ventanilla-source"
SOURCE_PATTERN = r"^(alert|campaign)-[0-9]{8}-[0-9a-f]{8}$"
_SOURCE = re.compile(SOURCE_PATTERN)
_PK = {"alert": "SVCALERT#", "campaign": "CAMPAIGN#"}
_FIGURE = {"Delivery": "delivered", "Bounce": "bounced", "Complaint": "complaints"}


def tag_of(kind: str, source_id: str) -> str:
    return f"{kind}-{source_id}"


def _pk(source: str | None) -> str | None:
    if not source or not _SOURCE.match(source):
        return None
    kind, _, source_id = source.partition("-")
    return _PK[kind] + source_id


def _source_of(notification: dict[str, Any]) -> str | None:
    tags = (notification.get("mail") or {}).get("tags") or {}
    values = tags.get(TAG) if isinstance(tags, dict) else None
    if isinstance(values, list) and values:
        return str(values[0])
    return None


def record_feedback(notification: dict[str, Any]) -> str | None:
    """Count one SES event on its source; the figure counted, or None (ticket mail, transient
    bounce, unknown source)."""
    kind = str(notification.get("eventType") or notification.get("notificationType") or "")
    name = _FIGURE.get(kind)
    if name is None:
        return None
    if kind == "Bounce" and (notification.get("bounce") or {}).get("bounceType") != "Permanent":
        return None  # a full mailbox: SES tries again, the address stays
    pk = _pk(_source_of(notification))
    if pk is None or not figures_store.add_feedback(pk, name):
        return None
    return name


def record_unsubscribe(source: str | None) -> bool:
    """A one-click unsubscribe from a source's email (``src`` of the link)."""
    pk = _pk(source)
    return pk is not None and figures_store.add_feedback(pk, "unsubscribes")
