"""Staff routes (Cognito JWT): queues, the full ticket, reply, internal note, assign, status."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Response

from chalicelib.http import (
    CODE,
    CURSOR,
    Area,
    json_response,
    limit,
    logger,
    q,
    query_int,
    query_params,
)
from chalicelib.metrics import metrics
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest
from ventanilla.models.accounts import AccountLinkIn, RequesterPanel
from ventanilla.models.base import Model
from ventanilla.models.people import StaffPreferences, StaffPreferencesIn
from ventanilla.models.ticket import (
    AssignIn,
    Queue,
    QueueNew,
    StaffCreateTicketIn,
    StaffMessageIn,
    StaffReplyIn,
    StaffTicket,
    StatusIn,
    TicketCreated,
)
from ventanilla.observability import TICKETS_CREATED
from ventanilla.rules import queue_search
from ventanilla.rules.priority import RANK
from ventanilla.rules.state_machine import OPEN_STATUSES, Status
from ventanilla.services import accounts, staff, staff_intake, tickets
from ventanilla.services import queue as queues
from ventanilla.services.queue import QUEUE_ORDERS

bp = Blueprint(__name__)
SINCE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]00:00)?$")


class Me(Model):
    sub: str
    username: str
    name: str
    roles: list[str]
    teams: list[str]
    tier: str
    language: str


agent = Area(bp, "agent", auth=True)


@agent.get("/api/v1/agent/me", response=Me)
def me(principal: Principal) -> Response:
    """Who is signed in: name, roles, teams, tier, language of their notices"""
    return json_response(
        Me(
            sub=principal.sub,
            username=principal.username,
            name=principal.name or principal.username,
            roles=sorted(principal.groups),
            teams=list(principal.teams),
            tier=principal.tier,
            language=principal.language,
        ),
        headers={"Cache-Control": "no-store"},
    )


@agent.get("/api/v1/agent/me/preferences", response=StaffPreferences)
def my_preferences(principal: Principal) -> Response:
    """My preferences: the language (es, en) of the notices I receive"""
    result = staff.preferences(principal)
    return json_response(result, headers={"Cache-Control": "no-store"})


@agent.put("/api/v1/agent/me/preferences", body=StaffPreferencesIn, response=StaffPreferences)
def set_my_preferences(principal: Principal, body: StaffPreferencesIn) -> Response:
    """Set the language (es, en) of the notices I receive (assignments, SLA alerts, replies)"""
    result = staff.set_preferences(principal, body)
    return json_response(result, headers={"Cache-Control": "no-store"})


@agent.post("/api/v1/agent/me/sign-out", status=204)
def sign_out(principal: Principal) -> Response:
    """Sign out everywhere: every token from a sign-in before now is refused from now on"""
    staff.sign_out(principal)
    return Response(body="", status_code=204)


QUEUE_FILTERS = {
    "team": q("team code (default: every team of yours)", pattern=CODE),
    "status": q("one open status (default: every open one)", enum=[s.value for s in OPEN_STATUSES]),
    "assigned": q("me: only mine | none: only unassigned (default: anyone's)", enum=list(queues.ASSIGNED)),
}


@agent.get(
    "/api/v1/agent/queue",
    response=Queue,
    query={
        **QUEUE_FILTERS,
        "order": q(
            "due (default: soonest due first) | priority (band, then due) | newest | oldest (filed)",
            enum=list(QUEUE_ORDERS),
        ),
        "priority": q("only this priority", enum=list(RANK)),
        "overdue": q("1: only what is past due", enum=["0", "1"]),
        "q": q(
            "search: a request number, or words of the subject, description, requester's name, email "
            "or phone (one page, no cursor)",
            pattern=r"^[^\x00-\x1f]*$",
            maxLength=queue_search.MAX_QUERY,
        ),
        "limit": limit(1, 100, 50),
        "cursor": CURSOR,
    },
)
def queue(principal: Principal) -> Response:
    """Open requests of a team or of all yours, soonest due first (or priority, newest, oldest), exact across
    pages; the first page carries the total; q searches number, text, requester"""
    request = bp.current_request
    params = query_params(request)
    team, status, assigned = _queue_filters(params)
    limit = query_int(request, "limit", 50, 1, 100)
    overdue = params.get("overdue")
    if overdue not in (None, "", "0", "1"):
        raise BadRequest("invalid_query", {"detail": f"overdue={overdue}"})
    order = params.get("order") or "due"
    if order not in QUEUE_ORDERS:
        raise BadRequest("invalid_query", {"detail": f"order={order}"})
    search = params.get("q")
    if search is not None and (len(search) > queue_search.MAX_QUERY or any(ord(c) < 32 for c in search)):
        raise BadRequest("invalid_query", {"detail": "q"})
    result = queues.agent_queue(
        principal,
        team,
        status,
        limit,
        params.get("cursor"),
        order=order,
        priority=params.get("priority") or None,
        overdue=overdue == "1",
        assigned=assigned,
        search=search,
    )
    return json_response(result, headers={"Cache-Control": "no-store"})


def _queue_filters(params: Mapping[str, str]) -> tuple[str | None, Status | None, str | None]:
    """team, status and assigned of a queue request, checked (400 naming the parameter)."""
    team = params.get("team") or None
    if team is not None and not re.fullmatch(CODE, team):
        raise BadRequest("invalid_query", {"detail": f"team={team[:64]}"})
    raw_status = params.get("status") or ""
    try:
        status = Status(raw_status) if raw_status else None
    except ValueError as error:
        raise BadRequest("invalid_query", {"detail": f"status={raw_status[:64]}"}) from error
    if status is not None and status not in OPEN_STATUSES:
        raise BadRequest("invalid_query", {"detail": f"status={raw_status}"})
    assigned = params.get("assigned") or None
    if assigned is not None and assigned not in queues.ASSIGNED:
        raise BadRequest("invalid_query", {"detail": f"assigned={assigned[:64]}"})
    return team, status, assigned


@agent.get(
    "/api/v1/agent/queue/new",
    response=QueueNew,
    query={
        **QUEUE_FILTERS,
        "since": q(
            "an instant, ISO 8601 UTC (the as_of of the queue page shown)",
            required=True,
            pattern=SINCE.pattern,
            maxLength=40,
        ),
    },
)
def queue_new(principal: Principal) -> Response:
    """How many requests under the queue's filters were filed after an instant (the console polls it: '3 new
    requests')"""
    request = bp.current_request
    params = query_params(request)
    team, status, assigned = _queue_filters(params)
    raw = params.get("since") or ""
    try:
        if not SINCE.fullmatch(raw):
            raise ValueError(raw)
        since = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadRequest("invalid_query", {"detail": "since: YYYY-MM-DDTHH:MM:SS(.fff)Z"}) from error
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    result = queues.new_since(principal, since.astimezone(UTC), team, status, assigned)
    return json_response(result, headers={"Cache-Control": "no-store"})


@agent.post(
    "/api/v1/agent/tickets",
    body=StaffCreateTicketIn,
    response=TicketCreated,
    status=201,
    headers={
        "Idempotency-Key": q("optional; 8-128 visible ASCII characters", pattern=r"^[!-~][ -~]{6,126}[!-~]$")
    },
)
def enter_ticket(principal: Principal, body: StaffCreateTicketIn) -> Response:
    """Enter a request received by phone, in person, by letter or chat (received_at: when it arrived; terms
    run from it); without requester, an internal request filed for yourself"""
    request = bp.current_request
    created = staff_intake.file_for(
        principal, body, request.headers.get("idempotency-key"), bp.lambda_context
    )
    logger.set_correlation_id(created.number)
    logger.info("ticket entered by staff", extra={"type": body.type, "channel": body.channel})
    metrics.add_metric(name=TICKETS_CREATED, unit=MetricUnit.Count, value=1)
    return json_response(created, status=201, headers={"Location": f"/api/v1/agent/tickets/{created.number}"})


@agent.get("/api/v1/agent/tickets/{number}", response=StaffTicket)
def ticket(number: str, principal: Principal) -> Response:
    """A request with its full history, internal notes included (an internal request the reader filed for
    another team: its public history, read only)"""
    return json_response(tickets.agent_view(principal, number))


@agent.post("/api/v1/agent/tickets/{number}/reply", body=StaffReplyIn, response=StaffTicket)
def reply(number: str, principal: Principal, body: StaffReplyIn) -> Response:
    """Public reply to the citizen; with status (waiting_citizen, resolved) the reply also moves the request
    there: one change, one notice"""
    return json_response(tickets.staff_reply(principal, number, body, internal=False))


@agent.post("/api/v1/agent/tickets/{number}/note", body=StaffMessageIn, response=StaffTicket)
def note(number: str, principal: Principal, body: StaffMessageIn) -> Response:
    """Internal note, never shown to the citizen"""
    return json_response(tickets.staff_reply(principal, number, body, internal=True))


@agent.post("/api/v1/agent/tickets/{number}/assign", body=AssignIn, response=StaffTicket)
def assign(number: str, principal: Principal, body: AssignIn) -> Response:
    """Assign to a staff member and/or move to another team"""
    return json_response(tickets.assign(principal, number, body))


@agent.post("/api/v1/agent/tickets/{number}/status", body=StatusIn, response=StaffTicket)
def status(number: str, principal: Principal, body: StatusIn) -> Response:
    """Change the status, as the state machine allows"""
    return json_response(tickets.change_status(principal, number, body))


@agent.get("/api/v1/agent/tickets/{number}/requester", response=RequesterPanel)
def requester(number: str, principal: Principal) -> Response:
    """The requester: contacts (verified or as typed) and their other requests in your teams (supervisors and
    admins: all); every read is written to the citizen's audit log"""
    return json_response(
        accounts.requester_panel(principal, number),
        headers={"Cache-Control": "no-store"},
    )


@agent.post("/api/v1/agent/tickets/{number}/link", body=AccountLinkIn, response=RequesterPanel)
def link(number: str, principal: Principal, body: AccountLinkIn) -> Response:
    """Link a request staff entered to the citizen account with this verified email, after checking the
    person's identity"""
    return json_response(accounts.link_to_account(principal, number, body))
