"""Two agents, one request: presence on the agent's ticket page, and the colleagues to hand it to.

Presence is advisory (a page says "Ana is replying"); what keeps two writers from overwriting each
other is the ticket's optimistic lock (a stale ``version`` is a 409 the page shows as a conflict).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ventanilla.auth import Principal
from ventanilla.errors import Forbidden, NotFound
from ventanilla.models.common import utcnow
from ventanilla.models.ticket import Ticket
from ventanilla.models.ticket_desk import (
    PRESENCE_TTL_SECONDS,
    PresenceState,
    TicketColleague,
    TicketColleagues,
    TicketPresence,
    TicketPresenceEntry,
)
from ventanilla.rules.numbering import is_number
from ventanilla.services.tickets import STAFF_ROLES_WORKING
from ventanilla.storage import presence as presence_store
from ventanilla.storage import sla as sla_store
from ventanilla.storage import tickets as ticket_store


def _ticket(principal: Principal, number: str) -> Ticket:
    """The request, if the caller works it (role and team): one GetItem, no history."""
    principal.require(*STAFF_ROLES_WORKING)
    ticket = ticket_store.get_ticket(number) if is_number(number) else None
    if ticket is None:
        raise NotFound("ticket_not_found")
    if not principal.in_team(ticket.team):
        raise Forbidden("not_your_team", {"team": ticket.team})
    return ticket


def _answer(principal: Principal, ticket: Ticket, now: datetime) -> TicketPresence:
    alive = presence_store.list_for(ticket.number, int(now.timestamp()))
    others = [
        TicketPresenceEntry.model_validate(p)
        for p in sorted(alive, key=lambda p: str(p["name"]))
        if p["sub"] != principal.sub
    ]
    return TicketPresence(
        number=ticket.number, version=ticket.version, updated_at=ticket.updated_at, others=others
    )


def presence(principal: Principal, number: str) -> TicketPresence:
    """Who else has the request open, and its version (one GetItem and one Query)."""
    ticket = _ticket(principal, number)
    return _answer(principal, ticket, utcnow())


def announce(principal: Principal, number: str, state: PresenceState) -> TicketPresence:
    """Say "I have this request open" (or "I am replying") for the next minute; answers who else."""
    ticket = _ticket(principal, number)
    now = utcnow()
    presence_store.put(
        number,
        principal.sub,
        principal.name or principal.username,
        state,
        now.astimezone(UTC).isoformat(),
        int(now.timestamp()) + PRESENCE_TTL_SECONDS,
    )
    return _answer(principal, ticket, now)


def leave(principal: Principal, number: str) -> None:
    """The page closed: drop the caller's presence at once (else it expires with its TTL)."""
    _ticket(principal, number)
    presence_store.delete(number, principal.sub)


def colleagues(principal: Principal, number: str) -> TicketColleagues:
    """The request's team members (one Query of the team's agents), for "assign to"."""
    ticket = _ticket(principal, number)
    items = [
        TicketColleague(
            sub=str(a["sub"]),
            name=str(a.get("name") or a["sub"]),
            tier=a.get("tier") if a.get("tier") in ("L1", "L2", "L3") else None,
            available=bool(a.get("available")),
        )
        for a in sla_store.team_agents(ticket.team)
        if a.get("sub")
    ]
    items.sort(key=lambda c: c.name.lower())
    return TicketColleagues(team=ticket.team, items=items)
