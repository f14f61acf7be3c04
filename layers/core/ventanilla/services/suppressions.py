"""SES bounce and complaint notifications -> the suppression list (the bounces function)."""

from __future__ import annotations

from typing import Any

from ventanilla.models.common import iso, utcnow
from ventanilla.notify.plan import mask_email
from ventanilla.storage import suppressions


def suppress_feedback(notification: dict[str, Any]) -> int:
    """An SES bounce or complaint notification (via SNS): suppress permanent bounces and complaints.

    Transient bounces (mailbox full) are left alone: the next notice may get through.
    """
    kind = notification.get("notificationType") or notification.get("eventType")
    now = iso(utcnow())
    addresses: list[tuple[str, str]] = []
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return 0
        addresses = [(str(r.get("emailAddress")), "bounce") for r in bounce.get("bouncedRecipients") or []]
    elif kind == "Complaint":
        complaint = notification.get("complaint") or {}
        addresses = [
            (str(r.get("emailAddress")), "complaint") for r in complaint.get("complainedRecipients") or []
        ]
    count = 0
    for address, reason in addresses:
        if "@" in address:
            suppressions.suppress(address, mask_email(address), reason, "email", now)
            count += 1
    return count
