"""The agent's ticket page as a shared desk: presence of other staff, colleagues to assign to."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response
from ventanilla.auth import Principal
from ventanilla.models.ticket_desk import TicketColleagues, TicketPresence, TicketPresenceIn
from ventanilla.services import ticket_desk

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store"}


agent = Area(bp, "agent", auth=True)


@agent.get("/api/v1/agent/tickets/{number}/presence", response=TicketPresence)
def presence(number: str, principal: Principal) -> Response:
    """Who else on staff has this request open (viewing or replying) and its current version"""
    return json_response(ticket_desk.presence(principal, number), headers=NO_STORE)


@agent.put("/api/v1/agent/tickets/{number}/presence", body=TicketPresenceIn, response=TicketPresence)
def announce(number: str, principal: Principal, body: TicketPresenceIn) -> Response:
    """I have this request open (viewing) or am writing on it (replying), for the next 60 s; answers who else
    has it open and its current version"""
    return json_response(ticket_desk.announce(principal, number, body.state), headers=NO_STORE)


@agent.delete("/api/v1/agent/tickets/{number}/presence", status=204)
def leave(number: str, principal: Principal) -> Response:
    """I closed this request's page: others stop seeing me at once"""
    ticket_desk.leave(principal, number)
    return Response(body="", status_code=204)


@agent.get("/api/v1/agent/tickets/{number}/colleagues", response=TicketColleagues)
def colleagues(number: str, principal: Principal) -> Response:
    """The members of this request's team, to assign it to one of them"""
    return json_response(ticket_desk.colleagues(principal, number), headers=NO_STORE)
