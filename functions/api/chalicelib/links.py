"""Links between requests (related, duplicate, parent), recorded in both histories."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response, parse_body, principal_of
from ventanilla.models.ticket import StaffTicket, TicketMergeIn
from ventanilla.services import links, merges
from ventanilla.services.links import LinkList, TicketLinkIn

bp = Blueprint(__name__)


agent = Area(bp, "agent", auth=True)


@agent.get(
    "/api/v1/agent/tickets/{number}/links",
    summary="The requests linked to this one, with the kind as seen from it",
    response=LinkList,
)
def listing(number: str) -> Response:
    return json_response(links.listing(principal_of(bp.current_request), number))


@agent.post(
    "/api/v1/agent/tickets/{number}/links",
    summary="Link another request (related, duplicate, parent); both histories record it; 409 if linked",
    body=TicketLinkIn,
    response=LinkList,
    status=201,
)
def add(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, TicketLinkIn)
    return json_response(links.link(principal_of(request), number, body), status=201)


@agent.delete(
    "/api/v1/agent/tickets/{number}/links/{other}",
    summary="Remove the link between two requests (both sides); 404 when they are not linked",
    response=LinkList,
)
def remove(number: str, other: str) -> Response:
    return json_response(links.unlink(principal_of(bp.current_request), number, other))


@agent.post(
    "/api/v1/agent/tickets/{number}/merge",
    summary="Merge this request into another (the survivor): its messages and files are copied there, "
    "it is closed pointing to it and its citizen is told both numbers; 409 on a closed, merged or "
    "stale request, 403 when the survivor is another team's",
    body=TicketMergeIn,
    response=StaffTicket,
)
def merge(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, TicketMergeIn)
    return json_response(merges.merge(principal_of(request), number, body))
