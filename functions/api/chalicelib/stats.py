"""Statistics routes: the supervisors' dashboard, charts as CSV, goals, the service level report,
and the public open data (registered in app.py; each route is an operation of infra/api/rest-api.yaml)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    CODE,
    CURSOR,
    Area,
    csv_response,
    export_response,
    json_response,
    lang_of,
    limit,
    principal_of,
    q,
)
from ventanilla.auth import Principal
from ventanilla.models.common import Channel
from ventanilla.models.stats import Dashboard, ExportPage, Goal, GoalIn, GoalList, PublicStats
from ventanilla.rules.state_machine import Status
from ventanilla.services import export as export_service
from ventanilla.services.tickets import STAFF_ROLES_WORKING
from ventanilla.stats import goals, open_data, service

bp = Blueprint(__name__)


def _goal(goal_id: str) -> Goal | None:
    """The goal as stored (the audit trail's "before" and "after")."""
    found = goals.manage_list(principal_of(bp.current_request)).items
    return next((g for g in found if g.id == goal_id), None)


FILTERS = {
    "from": q("first day, YYYY-MM-DD (default: 29 days before `to`)", format="date"),
    "to": q("last day, YYYY-MM-DD (default: today)", format="date"),
    "type": q("request type code", pattern=CODE),
    "team": q("team code", pattern=CODE),
    "channel": q("channel", enum=[c.value for c in Channel]),
}


def _query() -> dict[str, str]:
    return dict(bp.current_request.query_params or {})


managers = Area(bp, "stats", roles=goals.MANAGERS)
viewers = Area(bp, "stats", roles=service.VIEWERS)
working = Area(bp, "stats", roles=tuple(sorted(STAFF_ROLES_WORKING)))
public = Area(bp, "public")


@viewers.get("/api/v1/stats/dashboard", response=Dashboard, query=FILTERS)
def dashboard(principal: Principal) -> Response:
    """Dashboard figures for a period and filters (supervisors)"""
    return json_response(service.dashboard(principal, _query()))


@viewers.get("/api/v1/stats/charts/{chart}", query=FILTERS)
def chart(chart: str, principal: Principal) -> Response:
    """One dashboard chart's data as CSV (same filters as the dashboard)"""
    return csv_response(service.chart_csv(principal, chart, _query()), f"{chart}.csv")


@viewers.get(
    "/api/v1/stats/report",
    query={
        "period": q("YYYY-MM (default: last month)", pattern=r"^\d{4}-(0[1-9]|1[0-2])$"),
        **FILTERS,
        "format": q("html (default) or csv", enum=["html", "csv"]),
    },
)
def report(principal: Principal) -> Response:
    """Service level report for a month (period) or the dashboard's period (from/to, not both), with the
    dashboard's filters, printable HTML or CSV (supervisors)"""
    request = bp.current_request
    content_type, body = service.report(principal, _query(), lang_of(request))
    return Response(body=body, status_code=200, headers={"Content-Type": content_type})


@working.get(
    "/api/v1/stats/export",
    response=ExportPage,
    text_response="text/csv",
    query={
        "from": q("first filing day, YYYY-MM-DD (default: no bound)", format="date"),
        "to": q("last filing day, YYYY-MM-DD (default: no bound)", format="date"),
        "type": q("request type code", pattern=CODE),
        "team": q("team code (agents: one of theirs)", pattern=CODE),
        "status": q("one status (default: all)", enum=[s.value for s in Status]),
        "format": q("json (default) or csv", enum=["json", "csv"]),
        "limit": limit(1, export_service.MAX_LIMIT, export_service.DEFAULT_LIMIT),
        "cursor": CURSOR,
    },
)
def export(principal: Principal) -> Response:
    """Export requests as CSV or JSON, one page per call (the next page's cursor in the X-Next-Cursor header,
    and next_cursor in JSON). Supervisors and admins: every team, with the requester's personal data
    (name, email, phone) and the subject; agents: their teams' requests, without personal data. Role
    checked first (403), then each filter (400 naming it)"""
    return export_response(*export_service.export(principal, _query()), "solicitudes.csv")


@managers.get("/api/v1/stats/goals", response=GoalList)
def list_goals(principal: Principal) -> Response:
    """Goals (service charter)"""
    return json_response(goals.manage_list(principal))


@managers.post("/api/v1/stats/goals", body=GoalIn, response=Goal, status=201, audit="goal")
def create_goal(principal: Principal, body: GoalIn) -> Response:
    """Create a goal"""
    return json_response(goals.create(principal, body), status=201)


@managers.put("/api/v1/stats/goals/{goal_id}", body=GoalIn, response=Goal, audit="goal", before=_goal)
def update_goal(goal_id: str, principal: Principal, body: GoalIn) -> Response:
    """Replace a goal"""
    return json_response(goals.update(principal, goal_id, body))


@managers.delete("/api/v1/stats/goals/{goal_id}", status=204, audit="goal", before=_goal)
def delete_goal(goal_id: str, principal: Principal) -> Response:
    """Delete a goal"""
    goals.delete(principal, goal_id)
    return Response(body="", status_code=204)


@public.get(
    "/api/v1/public/stats",
    response=PublicStats,
    text_response="text/csv",
    query={
        "format": q("json (default) or csv", enum=["json", "csv"]),
        "table": q("CSV only: months (default), goals or forum", enum=["months", "goals", "forum"]),
    },
)
def public_stats() -> Response:
    """Open data: anonymous figures per type and month, live goal compliance, the forum's months (counts < 5
    are null, an empty cell in CSV); format=csv gives one table (table=months, goals or forum) with a
    header row"""
    content_type, body = open_data.published(_query())
    headers: dict[str, str | list[str]] = {
        "Content-Type": content_type,
        "Cache-Control": "public, max-age=300",
    }
    return Response(body=body, status_code=200, headers=headers)
