"""One message of the proactive queue -> one step: an audience page or a batch of recipients of an
alert update or a campaign run (``services/fanout.py``), or a campaign's schedule that fired."""

from __future__ import annotations

from typing import Any

from ventanilla.services import campaigns, fanout
from ventanilla.services.campaigns import CampaignSource
from ventanilla.services.service_alerts import AlertSource


def _source(kind: str, source_id: str) -> fanout.Source | None:
    if kind == "alert":
        return AlertSource.load(source_id)
    if kind == "campaign":
        return CampaignSource.load(source_id)
    return None


def handle(message: dict[str, Any]) -> dict[str, int]:
    """One step; raises to have the message retried (its sends that went out are not repeated)."""
    kind = message.get("kind")
    if kind == "campaign":
        return campaigns.fire(str(message.get("id", "")))
    if kind not in ("page", "deliver"):
        return {"ignored": 1}
    source = _source(str(message.get("source")), str(message.get("id")))
    if source is None:
        return {"ignored": 1}
    return fanout.page(message, source) if kind == "page" else fanout.deliver(message, source)
