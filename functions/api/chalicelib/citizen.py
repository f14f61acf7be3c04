"""Citizen routes: file a request, follow it by number and access code, reply, rate the answer."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Response

from chalicelib.http import (
    FILER_BEARER,
    KEY_HEADERS,
    Area,
    citizen_key,
    citizen_of,
    client_address,
    is_citizen_token,
    json_response,
    lang_of,
    logger,
    parse_body,
    principal_of,
    q,
)
from chalicelib.metrics import metrics
from ventanilla.models.ticket import (
    CitizenSession,
    CreateTicketIn,
    MessageIn,
    PublicTicket,
    SessionIn,
    SurveyIn,
    TicketCreated,
)
from ventanilla.observability import SURVEYS_ANSWERED, TICKETS_CREATED
from ventanilla.services import accounts, survey, tickets
from ventanilla.services.idempotent import create_once

bp = Blueprint(__name__)


keyed = Area(bp, "citizen", headers=KEY_HEADERS)
citizen = Area(bp, "citizen")


@citizen.post(
    "/api/v1/tickets",
    body=CreateTicketIn,
    response=TicketCreated,
    status=201,
    headers={
        "Idempotency-Key": q("optional; 8-128 visible ASCII characters", pattern=r"^[!-~][ -~]{6,126}[!-~]$"),
        "Authorization": FILER_BEARER,
    },
)
def create_ticket() -> Response:
    """File a request; a retried POST with the same Idempotency-Key returns the first answer. A staff token
    files for the requester (any channel, internal requesters) and is recorded as creator"""
    request = bp.current_request
    signed_in = citizen_of(request) if is_citizen_token(request) else None
    body = parse_body(request, CreateTicketIn)
    if signed_in is not None:
        accounts.check_own_contacts(signed_in, body)
    by = principal_of(request) if request.headers.get("authorization") and signed_in is None else None
    created = create_once(
        body,
        request.headers.get("idempotency-key"),
        bp.lambda_context,
        by,
        client=None if by else client_address(request),  # staff filing for someone is not limited
    )
    if signed_in is not None:
        accounts.attach_signed_in(created.number, signed_in)
    logger.set_correlation_id(created.number)
    logger.info("ticket created", extra={"type": body.type, "subtype": body.subtype, "channel": body.channel})
    metrics.add_metric(name=TICKETS_CREATED, unit=MetricUnit.Count, value=1)
    return json_response(created, status=201, headers={"Location": f"/api/v1/tickets/{created.number}"})


@keyed.get("/api/v1/tickets/{number}", response=PublicTicket)
def follow(number: str) -> Response:
    """Follow a request (header X-Access-Code); a wrong code answers 404 like an unknown number"""
    request = bp.current_request
    view = tickets.follow(number, citizen_key(request), lang_of(request))
    return json_response(view, headers={"Cache-Control": "no-store"})


@citizen.post("/api/v1/tickets/{number}/session", body=SessionIn, response=CitizenSession, status=201)
def open_link(number: str, body: SessionIn) -> Response:
    """Open a notice's one-time link: its token, once and within a day, for a one-hour session (send it as
    X-Ticket-Session); used or expired answers 410 and the page asks for the code"""
    session = tickets.open_link(number, body)
    return json_response(session, status=201, headers={"Cache-Control": "no-store"})


@keyed.post("/api/v1/tickets/{number}/messages", body=MessageIn, response=PublicTicket, status=201)
def reply(number: str, body: MessageIn) -> Response:
    """The citizen replies on their request (header X-Access-Code)"""
    request = bp.current_request
    view = tickets.citizen_reply(number, citizen_key(request), body, lang_of(request))
    return json_response(view, status=201)


@keyed.post("/api/v1/tickets/{number}/survey", body=SurveyIn, response=PublicTicket, status=201)
def rate(number: str, body: SurveyIn) -> Response:
    """Rate a resolved request 1-5 with an optional comment, once per resolution (X-Access-Code)"""
    request = bp.current_request
    view = survey.answer(number, citizen_key(request), body, lang_of(request))
    metrics.add_metric(name=SURVEYS_ANSWERED, unit=MetricUnit.Count, value=1)
    return json_response(view, status=201)
