"""Staff routes (Cognito JWT): queues, the full ticket, reply, internal note, assign, status."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Response
from pydantic import BaseModel

from chalicelib.http import (
    CODE,
    CURSOR,
    json_response,
    limit,
    logger,
    parse_body,
    principal_of,
    q,
    query_int,
    route,
)
from chalicelib.observability import metrics
from ventanilla.errors import BadRequest
from ventanilla.models.accounts import AccountLinkIn, RequesterPanel
from ventanilla.models.people import StaffPreferences, StaffPreferencesIn
from ventanilla.models.ticket import (
    AssignIn,
    Queue,
    StaffCreateTicketIn,
    StaffMessageIn,
    StaffReplyIn,
    StaffTicket,
    StatusIn,
    TicketCreated,
)
from ventanilla.observability import TICKETS_CREATED
from ventanilla.rules.priority import RANK
from ventanilla.rules.state_machine import OPEN_STATUSES, Status
from ventanilla.services import accounts, staff, staff_intake, tickets
from ventanilla.services import queue as queues
from ventanilla.services.queue import QUEUE_ORDERS

bp = Blueprint(__name__)


class Me(BaseModel):
    sub: str
    username: str
    name: str
    roles: list[str]
    teams: list[str]
    tier: str
    language: str


@route(
    bp,
    "/api/v1/agent/me",
    "GET",
    summary="Who is signed in: name, roles, teams, tier, language of their notices",
    tag="agent",
    response=Me,
    auth=True,
)
def me() -> Response:
    p = principal_of(bp.current_request)
    return json_response(
        Me(
            sub=p.sub,
            username=p.username,
            name=p.name or p.username,
            roles=sorted(p.groups),
            teams=list(p.teams),
            tier=p.tier,
            language=p.language,
        ),
        headers={"Cache-Control": "no-store"},
    )


@route(
    bp,
    "/api/v1/agent/me/preferences",
    "GET",
    summary="My preferences: the language (es, en) of the notices I receive",
    tag="agent",
    response=StaffPreferences,
    auth=True,
)
def my_preferences() -> Response:
    result = staff.preferences(principal_of(bp.current_request))
    return json_response(result, headers={"Cache-Control": "no-store"})


@route(
    bp,
    "/api/v1/agent/me/preferences",
    "PUT",
    summary="Set the language (es, en) of the notices I receive (assignments, SLA alerts, replies)",
    tag="agent",
    body=StaffPreferencesIn,
    response=StaffPreferences,
    auth=True,
)
def set_my_preferences() -> Response:
    request = bp.current_request
    body = parse_body(request, StaffPreferencesIn)
    result = staff.set_preferences(principal_of(request), body)
    return json_response(result, headers={"Cache-Control": "no-store"})


@route(
    bp,
    "/api/v1/agent/me/sign-out",
    "POST",
    summary="Sign out everywhere: every token from a sign-in before now is refused from now on",
    tag="agent",
    status=204,
    auth=True,
)
def sign_out() -> Response:
    staff.sign_out(principal_of(bp.current_request))
    return Response(body="", status_code=204)


@route(
    bp,
    "/api/v1/agent/queue",
    "GET",
    summary="Open requests of a team or of all yours, soonest due first, exact across pages",
    tag="agent",
    response=Queue,
    auth=True,
    query={
        "team": q("team code (default: every team of yours)", pattern=CODE),
        "status": q("one open status (default: every open one)", enum=[s.value for s in OPEN_STATUSES]),
        "order": q("due (default: soonest due first) | priority (band, then due)", enum=list(QUEUE_ORDERS)),
        "priority": q("only this priority", enum=list(RANK)),
        "overdue": q("1: only what is past due", enum=["0", "1"]),
        "limit": limit(1, 100, 50),
        "cursor": CURSOR,
    },
)
def queue() -> Response:
    request = bp.current_request
    principal = principal_of(request)
    params = request.query_params or {}
    raw_status = params.get("status")
    try:
        status = Status(raw_status) if raw_status else None
    except ValueError as error:
        raise BadRequest("invalid_query", {"detail": f"status={raw_status}"}) from error
    limit = query_int(request, "limit", 50, 1, 100)
    overdue = params.get("overdue")
    if overdue not in (None, "", "0", "1"):
        raise BadRequest("invalid_query", {"detail": f"overdue={overdue}"})
    result = queues.agent_queue(
        principal,
        params.get("team"),
        status,
        limit,
        params.get("cursor"),
        order=params.get("order") or "due",
        priority=params.get("priority") or None,
        overdue=overdue == "1",
    )
    return json_response(result, headers={"Cache-Control": "no-store"})


@route(
    bp,
    "/api/v1/agent/tickets",
    "POST",
    summary="Enter a request received by phone, in person, by letter or chat (received_at: when it "
    "arrived; terms run from it); without requester, an internal request filed for yourself",
    tag="agent",
    body=StaffCreateTicketIn,
    response=TicketCreated,
    status=201,
    auth=True,
    headers={
        "Idempotency-Key": q("optional; 8-128 visible ASCII characters", pattern=r"^[!-~][ -~]{6,126}[!-~]$")
    },
)
def enter_ticket() -> Response:
    request = bp.current_request
    body = parse_body(request, StaffCreateTicketIn)
    created = staff_intake.file_for(
        principal_of(request), body, request.headers.get("idempotency-key"), bp.lambda_context
    )
    logger.set_correlation_id(created.number)
    logger.info("ticket entered by staff", extra={"type": body.type, "channel": body.channel})
    metrics.add_metric(name=TICKETS_CREATED, unit=MetricUnit.Count, value=1)
    return json_response(created, status=201, headers={"Location": f"/api/v1/agent/tickets/{created.number}"})


@route(
    bp,
    "/api/v1/agent/tickets/{number}",
    "GET",
    summary="A request with its full history, internal notes included",
    tag="agent",
    response=StaffTicket,
    auth=True,
)
def ticket(number: str) -> Response:
    return json_response(tickets.staff_view(principal_of(bp.current_request), number))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/reply",
    "POST",
    summary="Public reply to the citizen; with status (waiting_citizen, resolved) the reply also moves "
    "the request there: one change, one notice",
    tag="agent",
    body=StaffReplyIn,
    response=StaffTicket,
    auth=True,
)
def reply(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, StaffReplyIn)
    return json_response(tickets.staff_reply(principal_of(request), number, body, internal=False))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/note",
    "POST",
    summary="Internal note, never shown to the citizen",
    tag="agent",
    body=StaffMessageIn,
    response=StaffTicket,
    auth=True,
)
def note(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, StaffMessageIn)
    return json_response(tickets.staff_reply(principal_of(request), number, body, internal=True))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/assign",
    "POST",
    summary="Assign to a staff member and/or move to another team",
    tag="agent",
    body=AssignIn,
    response=StaffTicket,
    auth=True,
)
def assign(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, AssignIn)
    return json_response(tickets.assign(principal_of(request), number, body))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/status",
    "POST",
    summary="Change the status, as the state machine allows",
    tag="agent",
    body=StatusIn,
    response=StaffTicket,
    auth=True,
)
def status(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, StatusIn)
    return json_response(tickets.change_status(principal_of(request), number, body))


@route(
    bp,
    "/api/v1/agent/tickets/{number}/requester",
    "GET",
    summary="The requester: contacts (verified or as typed) and their other requests in your teams "
    "(supervisors and admins: all); every read is written to the citizen's audit log",
    tag="agent",
    response=RequesterPanel,
    auth=True,
)
def requester(number: str) -> Response:
    return json_response(
        accounts.requester_panel(principal_of(bp.current_request), number),
        headers={"Cache-Control": "no-store"},
    )


@route(
    bp,
    "/api/v1/agent/tickets/{number}/link",
    "POST",
    summary="Link a request staff entered to the citizen account with this verified email, after "
    "checking the person's identity",
    tag="agent",
    body=AccountLinkIn,
    response=RequesterPanel,
    auth=True,
)
def link(number: str) -> Response:
    request = bp.current_request
    principal = principal_of(request)
    body = parse_body(request, AccountLinkIn)
    return json_response(accounts.link_to_account(principal, number, body))
