"""Domain events derived from the table's stream: what other systems and consumers react to.

A ticket change is written once (ticket + history events, one transaction); each new history event
becomes one domain event whose id is the history event's id, so a consumer that sees an event twice
(stream retries) can tell. Details carry identifiers and statuses, never bodies or personal data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ventanilla.models.base import Model

SOURCE = "ventanilla.tickets"

_DETAIL_TYPES = {
    "created": "TicketCreated",
    "status_changed": "TicketStatusChanged",
    "note": "NoteAdded",
    "assigned": "TicketAssigned",
    "sla_warning": "SlaWarning",
    "sla_breached": "SlaBreached",
    "escalated": "TicketEscalated",
    "extension": "LegalDeadlineExtended",
    "survey": "SurveyAnswered",
    "merged": "TicketMerged",
}
"""Staff alerts (C3) are SlaWarning, SlaBreached, TicketEscalated and TicketAssigned; their detail
says whom to tell in ``notify`` (staff subs, "team" or "supervisor"), never a name or address."""


class DomainEvent(Model):
    detail_type: str
    detail: dict[str, Any]
    source: str = SOURCE


def _plain(value: Any) -> Any:
    """Stream images carry numbers as Decimal; event details are JSON (a score 5, a level 2)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def detail_type_of(action: str, actor_kind: str) -> str | None:
    if action == "message":
        return "CitizenReplied" if actor_kind == "citizen" else "AgentReplied"
    return _DETAIL_TYPES.get(action)


def from_stream_record(event_name: str, new_image: dict[str, Any] | None) -> list[DomainEvent]:
    """The domain events of one stream record (images already deserialised to plain values)."""
    if event_name != "INSERT" or not new_image or new_image.get("entity") != "event":
        return []
    actor = new_image.get("actor") or {}
    detail_type = detail_type_of(str(new_image.get("action")), str(actor.get("kind")))
    if detail_type is None:
        return []
    data = new_image.get("data") or {}
    detail: dict[str, Any] = {
        "event_id": new_image["event_id"],
        "number": new_image["number"],
        "at": new_image["at"],
        "action": new_image["action"],
        "public": bool(new_image.get("public")),
        "actor_kind": actor.get("kind"),
        "channel": new_image.get("channel"),
    }
    if actor.get("kind") == "staff":
        detail["actor_id"] = actor.get("id")
    for key in (
        "status",
        "previous",
        "team",
        "assignee",
        "previous_team",
        "previous_assignee",
        "target",
        "kind",
        "due",
        "tier",
        "previous_tier",
        "priority",
        "previous_priority",
        "level",
        "cause",
        "notify",
        "days",
        "legal_due",
        "score",
        "into",
        "from",
    ):
        if data.get(key) is not None:
            detail[key] = _plain(data[key])
    return [DomainEvent(detail_type=detail_type, detail=detail)]
