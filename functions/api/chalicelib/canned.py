"""Canned responses: supervisors manage them; agents get them filled in for a ticket."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import json_response, parse_body, principal_of, route
from ventanilla.models.canned import CannedIn, CannedList, CannedResponse, RenderedCannedList
from ventanilla.services import canned

bp = Blueprint(__name__)


def _canned(canned_id: str) -> CannedResponse | None:
    """The canned response as stored (the audit trail's "before" and "after")."""
    return canned.stored(canned_id)


@route(
    bp,
    "/api/v1/admin/canned",
    "GET",
    summary="All canned responses",
    tag="admin",
    response=CannedList,
    auth=True,
    roles=canned.MANAGERS,
)
def list_canned() -> Response:
    return json_response(canned.manage_list(principal_of(bp.current_request)))


@route(
    bp,
    "/api/v1/admin/canned",
    "POST",
    summary="Create a canned response",
    tag="admin",
    body=CannedIn,
    response=CannedResponse,
    status=201,
    auth=True,
    roles=canned.MANAGERS,
    audit="canned",
)
def create_canned() -> Response:
    request = bp.current_request
    return json_response(canned.create(principal_of(request), parse_body(request, CannedIn)), status=201)


@route(
    bp,
    "/api/v1/admin/canned/{canned_id}",
    "PUT",
    summary="Replace a canned response",
    tag="admin",
    body=CannedIn,
    response=CannedResponse,
    auth=True,
    roles=canned.MANAGERS,
    audit="canned",
    before=_canned,
)
def update_canned(canned_id: str) -> Response:
    request = bp.current_request
    return json_response(canned.update(principal_of(request), canned_id, parse_body(request, CannedIn)))


@route(
    bp,
    "/api/v1/admin/canned/{canned_id}",
    "DELETE",
    summary="Delete a canned response",
    tag="admin",
    status=204,
    auth=True,
    roles=canned.MANAGERS,
    audit="canned",
    before=_canned,
)
def delete_canned(canned_id: str) -> Response:
    canned.delete(principal_of(bp.current_request), canned_id)
    return Response(body="", status_code=204)


@route(
    bp,
    "/api/v1/agent/tickets/{number}/canned",
    "GET",
    summary="Canned responses that fit this ticket, placeholders filled in",
    tag="agent",
    response=RenderedCannedList,
    auth=True,
)
def for_ticket(number: str) -> Response:
    return json_response(canned.for_ticket(principal_of(bp.current_request), number))
