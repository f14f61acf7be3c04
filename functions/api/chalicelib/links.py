"""Links between requests (related, duplicate, parent), recorded in both histories."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response
from ventanilla.auth import Principal
from ventanilla.models.ticket import StaffTicket, TicketMergeIn
from ventanilla.services import links, merges
from ventanilla.services.links import LinkList, TicketLinkIn

bp = Blueprint(__name__)


agent = Area(bp, "agent", auth=True)


@agent.get("/api/v1/agent/tickets/{number}/links", response=LinkList)
def listing(number: str, principal: Principal) -> Response:
    """The requests linked to this one, with the kind as seen from it"""
    return json_response(links.listing(principal, number))


@agent.post("/api/v1/agent/tickets/{number}/links", body=TicketLinkIn, response=LinkList, status=201)
def add(number: str, principal: Principal, body: TicketLinkIn) -> Response:
    """Link another request (related, duplicate, parent); both histories record it; 409 if linked"""
    return json_response(links.link(principal, number, body), status=201)


@agent.delete("/api/v1/agent/tickets/{number}/links/{other}", response=LinkList)
def remove(number: str, other: str, principal: Principal) -> Response:
    """Remove the link between two requests (both sides); 404 when they are not linked"""
    return json_response(links.unlink(principal, number, other))


@agent.post("/api/v1/agent/tickets/{number}/merge", body=TicketMergeIn, response=StaffTicket)
def merge(number: str, principal: Principal, body: TicketMergeIn) -> Response:
    """Merge this request into another (the survivor): its messages and files are copied there, it is closed
    pointing to it and its citizen is told both numbers; 409 on a closed, merged or stale request, 403
    when the survivor is another team's"""
    return json_response(merges.merge(principal, number, body))
