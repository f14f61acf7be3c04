"""One definition per published figure: the deflection rate is the same in the help centre's
statistics and on the dashboard, and open data publishes a suppressed figure as null in JSON and
as an empty cell in its CSV."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Aws, post, ticket_body
from tests.integration.stats_support import raw_ticket, to_stats
from ventanilla.stats.keys import month_sk, stats_pk
from ventanilla.storage import stats as store

SUPERVISOR = "carla.supervisora"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


def test_the_deflection_rate_is_one_figure_in_help_statistics_and_on_the_dashboard(
    api: Any, aws: Aws
) -> None:
    kind, sub = "tramite", "permiso-edificacion"
    for outcome in ("resolved", "contact", "contact"):
        body = {"type": kind, "subtype": sub, "shown": [], "opened": [], "outcome": outcome}
        assert post(api, "/api/v1/help/deflections", body).status_code == 201
    # one of those who went on to contact filed the request, and the statistics counted it
    filed = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type=kind,
            subtype=sub,
            form={"rut": "12.345.678-5", "rol": "123-4", "direccion": "Los Aromos 123"},
        ),
    )
    assert filed.status_code == 201, filed.body
    to_stats(aws, None, raw_ticket(aws, filed.json_body["number"]))
    rows = api.get("/api/v1/admin/help/stats", headers=aws.auth("diana.editora")).json_body["subtypes"]
    editors = next(r for r in rows if (r["type"], r["subtype"]) == (kind, sub))
    assert editors["deflected_pct"] == round(100 * editors["deflected"] / editors["attempts"], 1)
    board = api.get("/api/v1/stats/dashboard", headers=aws.auth(SUPERVISOR)).json_body
    assert board["help"]["deflection_pct_by_subtype"][f"{kind}.{sub}"] == editors["deflected_pct"]


def _suppressed_goal(api: Any, aws: Aws, type_code: str) -> tuple[str, dict[str, str]]:
    auth = aws.auth(SUPERVISOR)
    tag = uuid.uuid4().hex[:6]
    goal = {
        "name": {"es": f"Emergencias atendidas {tag}", "en": f"Emergencies answered {tag}"},
        "type_code": type_code,
        "metric": "first_response",
        "threshold_hours": 8,
        "target_pct": 95,
        "public": True,
    }
    made = post(api, "/api/v1/stats/goals", goal, auth)
    assert made.status_code == 201, made.body
    # three answered requests this month: fewer than five, so the goal's figures are suppressed
    month = datetime.now(UTC).strftime("%Y-%m")
    store.add_counters(stats_pk(f"type={type_code}"), month_sk(month), {"frh#4": 3, "fr_n": 3, "fr_met": 3})
    return made.json_body["id"], goal["name"]


def test_open_data_publishes_a_suppressed_goal_as_null(api: Any, aws: Aws) -> None:
    goal_id, name = _suppressed_goal(api, aws, "emergencia")
    try:
        response = api.get("/api/v1/public/stats")
        assert response.status_code == 200
        goal = next(g for g in response.json_body["goals"] if g["name"] == name)
        figures = goal["current"]
        assert (figures["total"], figures["met"], figures["pct"]) == (None, None, None)
    finally:
        api.delete(f"/api/v1/stats/goals/{goal_id}", headers=aws.auth(SUPERVISOR))


def test_open_data_as_csv_is_csv_with_its_header_and_null_as_empty(api: Any, aws: Aws) -> None:
    month = (datetime.now(UTC).replace(day=1) - timedelta(days=100)).strftime("%Y-%m")
    store.add_counters(stats_pk("type=cuenta"), month_sk(month), {"created": 2})
    store.add_counters(
        stats_pk("type=reclamo"), month_sk(month), {"created": 7, "res_n": 6, "res_met": 3, "frh#2": 7}
    )
    response = api.get("/api/v1/public/stats?format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert list(rows[0]) == [
        "month",
        "type_code",
        "volume",
        "on_time_pct",
        "median_first_response_hours",
        "satisfaction",
    ]
    by = {(r["type_code"], r["month"]): r for r in rows}
    assert by[("cuenta", month)]["volume"] == ""  # suppressed: empty, never 0
    assert int(by[("reclamo", month)]["volume"]) >= 7

    goal_id, name = _suppressed_goal(api, aws, "cuenta")
    try:
        goals = api.get("/api/v1/public/stats?format=csv&table=goals")
        assert goals.headers["Content-Type"].startswith("text/csv")
        goal_rows = list(csv.DictReader(io.StringIO(goals.body.decode())))
        assert list(goal_rows[0]) == [
            "name_es",
            "name_en",
            "type_code",
            "metric",
            "threshold_hours",
            "target_pct",
            "period",
            "total",
            "met",
            "pct",
        ]
        mine = next(r for r in goal_rows if r["name_es"] == name["es"])
        assert (mine["total"], mine["met"], mine["pct"]) == ("", "", "")
    finally:
        api.delete(f"/api/v1/stats/goals/{goal_id}", headers=aws.auth(SUPERVISOR))

    assert _problem(api.get("/api/v1/public/stats?format=xml"), 400)["errors"][0]["field"] == "format"
    assert _problem(api.get("/api/v1/public/stats?format=csv&table=x"), 400)["errors"][0]["field"] == "table"
