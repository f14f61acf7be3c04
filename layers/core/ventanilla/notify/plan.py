"""Which notices a domain event calls for, and to whom (pure: no AWS).

The event detail (see :mod:`ventanilla.domain_events`) carries identifiers only. This module maps
it to notice kinds and to recipient *specs*: ``citizen`` (the ticket's requester), a staff sub,
``assignee``, ``team`` (the ticket's available agents), ``tier:<L2|L3>`` or ``supervisor``; the
notifier resolves specs to people.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ventanilla.notify.events import Kind

if TYPE_CHECKING:
    from ventanilla.models.ticket import HistoryEvent

CITIZEN = "citizen"
ASSIGNEE = "assignee"
"""The ticket's assignee when it has one, else its team."""
TEAM = "team"
SUPERVISOR = "supervisor"
TIER_PREFIX = "tier:"
"""``tier:L2``: the available agents of the ticket's team at that tier or above (an escalation)."""

_STATUS_KINDS = {
    "assigned": Kind.TICKET_ASSIGNED,
    "in_progress": Kind.TICKET_IN_PROGRESS,
    "waiting_citizen": Kind.WAITING_FOR_CITIZEN,
    "resolved": Kind.TICKET_RESOLVED,
    "reopened": Kind.TICKET_REOPENED,
}


INTERNAL_STATUSES = frozenset({"assigned", "in_progress"})
"""Status changes the citizen is not written about (the request page shows them)."""
COALESCED = frozenset(
    {Kind.PUBLIC_REPLY, Kind.WAITING_FOR_CITIZEN, Kind.TICKET_RESOLVED, Kind.TICKET_REOPENED}
)
"""Citizen notices that wait for the request's notice window and go out as one. The receipt (it
carries the access code) and a legal extension (it must be notified) go at once."""
MAX_TEXT = 19_000
"""A notice's text stays within the context's 20,000 characters however many messages it joins."""
NOTICE_DUE = "CitizenNoticeDue"
"""The detail type of the delayed message that closes a request's notice window."""


@dataclass(frozen=True)
class Notice:
    kind: Kind
    specs: tuple[str, ...]


def notices_for(detail_type: str, detail: dict[str, Any]) -> list[Notice]:
    """The notices of one domain event; empty when it calls for none."""
    actor_kind = detail.get("actor_kind")
    if detail_type == "TicketCreated":
        return [Notice(Kind.TICKET_RECEIVED, (CITIZEN,))]
    if detail_type == "TicketStatusChanged":
        status = str(detail.get("status"))
        kind = _STATUS_KINDS.get(status)
        # The citizen's own reply moves the status: telling them about it is noise; so are the
        # internal steps (routed to a team, taken by an agent): the page shows them.
        if not kind or actor_kind == "citizen" or status in INTERNAL_STATUSES:
            return []
        return [Notice(kind, (CITIZEN,))]
    if detail_type == "AgentReplied":
        return [Notice(Kind.PUBLIC_REPLY, (CITIZEN,))] if detail.get("public") else []
    if detail_type == "LegalDeadlineExtended":
        return [Notice(Kind.DEADLINE_EXTENDED, (CITIZEN,))]
    if detail_type == "TicketMerged":
        # The merged request's side (it names the survivor) tells its citizen both numbers.
        return [Notice(Kind.TICKET_MERGED, (CITIZEN,))] if detail.get("into") else []
    if detail_type == "CitizenReplied":
        return [Notice(Kind.CITIZEN_REPLIED, (ASSIGNEE,))]
    if detail_type == "TicketAssigned":
        assignee = detail.get("assignee")
        if not assignee or (actor_kind == "staff" and detail.get("actor_id") == assignee):
            return []  # unassigned, or the agent took it themself
        return [Notice(Kind.TICKET_ASSIGNED_TO_YOU, (str(assignee),))]
    staff_kinds = {
        "SlaWarning": Kind.SLA_WARNING,
        "SlaBreached": Kind.SLA_BREACHED,
        "TicketEscalated": Kind.TICKET_ESCALATED,
    }
    if detail_type in staff_kinds:
        specs = tuple(dict.fromkeys(str(s) for s in (detail.get("notify") or []) if s))
        return [Notice(staff_kinds[detail_type], specs)] if specs else []
    return []


def coalesced(status: str, history: list[HistoryEvent], since: datetime) -> tuple[Kind | None, str | None]:
    """The one citizen notice for what staff did on a request since ``since``, and its text.

    The status the request is in now picks the kind when staff moved it there in the window
    (resolved, waiting for the citizen, reopened); otherwise public staff messages make a reply
    notice; nothing public (internal steps only, or the citizen's own actions) makes none. The
    text is the window's public staff messages, oldest first: the message carries the status.
    """
    recent = [e for e in history if e.public and e.at >= since and e.actor.kind != "citizen"]
    # A reply, or the message an agent gave with a status change ("send and set waiting").
    messages = [e.body for e in recent if e.action in ("message", "status_changed") and e.body]
    moved = {str(e.data.get("status")) for e in recent if e.action == "status_changed"}
    text = "\n\n".join(messages)[:MAX_TEXT] or None
    for target, kind in (
        ("resolved", Kind.TICKET_RESOLVED),
        ("waiting_citizen", Kind.WAITING_FOR_CITIZEN),
        ("reopened", Kind.TICKET_REOPENED),
    ):
        if status == target and target in moved:
            return kind, text
    return (Kind.PUBLIC_REPLY, text) if text else (None, None)


def record_id(event_id: str, recipient: str, channel: str, outcome: str) -> str:
    """The id of the history entry for one outcome: the same retry writes the same entry."""
    return hashlib.sha256(f"{event_id}|{recipient}|{channel}|{outcome}".encode()).hexdigest()[:16]


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(number: str) -> str:
    return f"{number[:4]}****{number[-4:]}" if len(number) > 8 else "****"


def backoff_seconds(attempt: int, base: int, cap: int = 900) -> int:
    """Exponential backoff for the ``attempt``-th failure (1-based), capped at SQS's 15 minutes."""
    if base <= 0:
        return 0
    return int(min(cap, base * 2 ** max(attempt - 1, 0)))
