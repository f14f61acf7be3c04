"""The agent's ticket page as a shared desk: presence of other staff, colleagues to assign to."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import json_response, parse_body, principal_of, route
from ventanilla.models.ticket_desk import TicketColleagues, TicketPresence, TicketPresenceIn
from ventanilla.services import ticket_desk

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store"}


@route(
    bp,
    "/api/v1/agent/tickets/{number}/presence",
    "GET",
    summary="Who else on staff has this request open (viewing or replying) and its current version",
    tag="agent",
    response=TicketPresence,
    auth=True,
)
def presence(number: str) -> Response:
    return json_response(ticket_desk.presence(principal_of(bp.current_request), number), headers=NO_STORE)


@route(
    bp,
    "/api/v1/agent/tickets/{number}/presence",
    "PUT",
    summary="I have this request open (viewing) or am writing on it (replying), for the next 60 s; "
    "answers who else has it open and its current version",
    tag="agent",
    body=TicketPresenceIn,
    response=TicketPresence,
    auth=True,
)
def announce(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, TicketPresenceIn)
    return json_response(ticket_desk.announce(principal_of(request), number, body.state), headers=NO_STORE)


@route(
    bp,
    "/api/v1/agent/tickets/{number}/presence",
    "DELETE",
    summary="I closed this request's page: others stop seeing me at once",
    tag="agent",
    status=204,
    auth=True,
)
def leave(number: str) -> Response:
    ticket_desk.leave(principal_of(bp.current_request), number)
    return Response(body="", status_code=204)


@route(
    bp,
    "/api/v1/agent/tickets/{number}/colleagues",
    "GET",
    summary="The members of this request's team, to assign it to one of them",
    tag="agent",
    response=TicketColleagues,
    auth=True,
)
def colleagues(number: str) -> Response:
    return json_response(ticket_desk.colleagues(principal_of(bp.current_request), number), headers=NO_STORE)
