"""The raw source of an email message, for the request's agents."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response
from ventanilla.auth import Principal
from ventanilla.models.email_source import EmailSourceOut
from ventanilla.services import email_source

bp = Blueprint(__name__)


agent = Area(bp, "agent", auth=True)


@agent.get("/api/v1/agent/tickets/{number}/events/{event_id}/source", response=EmailSourceOut)
def staff_email_source(number: str, event_id: str, principal: Principal) -> Response:
    """Headers and a five-minute link to the raw mail of a message that came by email"""
    source = email_source.staff_source(principal, number, event_id)
    return json_response(source, headers={"Cache-Control": "no-store"})
