"""Canned responses: supervisors manage them; agents get them filled in for a ticket."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response
from ventanilla.auth import Principal
from ventanilla.models.canned import CannedIn, CannedList, CannedResponse, RenderedCannedList
from ventanilla.services import canned

bp = Blueprint(__name__)


def _canned(canned_id: str) -> CannedResponse | None:
    """The canned response as stored (the audit trail's "before" and "after")."""
    return canned.stored(canned_id)


managers = Area(bp, "admin", roles=canned.MANAGERS)
agent = Area(bp, "agent", auth=True)


@managers.get("/api/v1/admin/canned", response=CannedList)
def list_canned(principal: Principal) -> Response:
    """All canned responses"""
    return json_response(canned.manage_list(principal))


@managers.post("/api/v1/admin/canned", body=CannedIn, response=CannedResponse, status=201, audit="canned")
def create_canned(principal: Principal, body: CannedIn) -> Response:
    """Create a canned response"""
    return json_response(canned.create(principal, body), status=201)


@managers.put(
    "/api/v1/admin/canned/{canned_id}", body=CannedIn, response=CannedResponse, audit="canned", before=_canned
)
def update_canned(canned_id: str, principal: Principal, body: CannedIn) -> Response:
    """Replace a canned response"""
    return json_response(canned.update(principal, canned_id, body))


@managers.delete("/api/v1/admin/canned/{canned_id}", status=204, audit="canned", before=_canned)
def delete_canned(canned_id: str, principal: Principal) -> Response:
    """Delete a canned response"""
    canned.delete(principal, canned_id)
    return Response(body="", status_code=204)


@agent.get("/api/v1/agent/tickets/{number}/canned", response=RenderedCannedList)
def for_ticket(number: str, principal: Principal) -> Response:
    """Canned responses that fit this ticket, placeholders filled in"""
    return json_response(canned.for_ticket(principal, number))
