"""Links between requests (related, duplicate, parent), recorded in both histories."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import json_response, parse_body, principal_of, route
from ventanilla.models.ticket import StaffTicket, TicketMergeIn
from ventanilla.services import links, merges
from ventanilla.services.links import LinkList, TicketLinkIn

bp = Blueprint(__name__)


@route(
    bp,
    "/api/v1/agent/tickets/{number}/links",
    "GET",
    summary="The requests linked to this one, with the kind as seen from it",
    tag="agent",
    response=LinkList,
    auth=True,
)
def listing(number: str) -> Response:
    return json_response(links.listing(principal_of(bp.current_request), number))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/links",
    "POST",
    summary="Link another request (related, duplicate, parent); both histories record it; 409 if linked",
    tag="agent",
    body=TicketLinkIn,
    response=LinkList,
    status=201,
    auth=True,
)
def add(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, TicketLinkIn)
    return json_response(links.link(principal_of(request), number, body), status=201)


@route(
    bp,
    "/api/v1/agent/tickets/{number}/links/{other}",
    "DELETE",
    summary="Remove the link between two requests (both sides); 404 when they are not linked",
    tag="agent",
    response=LinkList,
    auth=True,
)
def remove(number: str, other: str) -> Response:
    return json_response(links.unlink(principal_of(bp.current_request), number, other))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/merge",
    "POST",
    summary="Merge this request into another (the survivor): its messages and files are copied there, "
    "it is closed pointing to it and its citizen is told both numbers; 409 on a closed, merged or "
    "stale request, 403 when the survivor is another team's",
    tag="agent",
    body=TicketMergeIn,
    response=StaffTicket,
    auth=True,
)
def merge(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, TicketMergeIn)
    return json_response(merges.merge(principal_of(request), number, body))
