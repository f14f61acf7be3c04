"""Statistics routes against moto: roles, filters, goals CRUD with their errors, CSV charts, the
report (HTML and CSV), the mailed monthly report, and the open data with small counts suppressed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from infra.local.functions import LambdaContext
from tests.conftest import Aws, post, table_items
from tests.integration.stats_support import ticket_image as _ticket
from ventanilla.stats import consume
from ventanilla.stats.keys import month_sk, stats_pk
from ventanilla.storage import stats as store

SUPERVISOR = "carla.supervisora"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _count_ticket(number: str, type_code: str, when: datetime, **extra: Any) -> None:
    """A ticket's versions through the aggregator, as the stream would deliver them."""
    image: dict[str, Any] = {
        "number": number,
        "version": 1,
        "type_code": type_code,
        "subtype_code": "general",
        "channel": "web",
        "team": "atencion",
        "priority": "medium",
        "status": "received",
        "created_at": _iso(when),
        "updated_at": _iso(when),
        "breached": [],
        "escalation_level": 0,
    }
    assert consume.apply_ticket(number, image)
    later = when + timedelta(hours=2)
    answered = {
        **image,
        "version": 2,
        "status": "in_progress",
        "updated_at": _iso(later),
        "first_response_at": _iso(later),
        "first_response_business_seconds": 2 * 3600,
    }
    assert consume.apply_ticket(number, answered)
    if extra:
        assert consume.apply_ticket(number, {**answered, "version": 3, **extra})


def test_dashboard_needs_a_supervisor(api: Any, aws: Aws) -> None:
    assert problem(api.get("/api/v1/stats/dashboard"), 401)["code"] == "token_missing"
    assert (
        problem(api.get("/api/v1/stats/dashboard", headers=aws.auth("ana.l1")), 403)["code"]
        == "role_required"
    )
    assert problem(api.get("/api/v1/stats/goals", headers=aws.auth("bruno.l2")), 403)
    ok = api.get("/api/v1/stats/dashboard", headers=aws.auth(SUPERVISOR))
    assert ok.status_code == 200
    body = ok.json_body
    assert len(body["volume_by_day"]) == 30 and body["filters"] == {}


def test_dashboard_counts_what_the_aggregator_saw(api: Any, aws: Aws) -> None:
    now = datetime.now(UTC) - timedelta(hours=3)
    before = api.get("/api/v1/stats/dashboard?type=sugerencia", headers=aws.auth(SUPERVISOR)).json_body
    _count_ticket("2026-700001", "sugerencia", now)
    _count_ticket("2026-700002", "sugerencia", now, status="resolved", resolution_business_seconds=7200)
    after = api.get("/api/v1/stats/dashboard?type=sugerencia", headers=aws.auth(SUPERVISOR)).json_body
    assert after["created"] - before["created"] == 2
    assert after["resolved"] - before["resolved"] == 1
    assert after["backlog"] - before["backlog"] == 1
    assert after["first_response"]["count"] - before["first_response"]["count"] == 2
    assert after["first_response"]["median_hours"] == 2
    # a replayed version changes nothing
    assert not consume.apply_ticket(
        "2026-700001",
        {
            "number": "2026-700001",
            "version": 1,
            "type_code": "sugerencia",
            "subtype_code": "general",
            "channel": "web",
            "team": "atencion",
            "priority": "medium",
            "status": "received",
            "created_at": _iso(now),
            "updated_at": _iso(now),
        },
    )
    again = api.get("/api/v1/stats/dashboard?type=sugerencia", headers=aws.auth(SUPERVISOR)).json_body
    assert again["created"] == after["created"]


def test_dashboard_filters_are_checked(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    bad_type = problem(api.get("/api/v1/stats/dashboard?type=no-such-type", headers=auth), 422)
    assert [e["field"] for e in bad_type["errors"]] == ["type"]
    bad_team = problem(api.get("/api/v1/stats/dashboard?team=nadie", headers=auth), 422)
    assert bad_team["errors"][0]["field"] == "team"
    bad_channel = problem(api.get("/api/v1/stats/dashboard?channel=paloma", headers=auth), 422)
    assert bad_channel["errors"][0]["field"] == "channel"
    assert "from" in problem(api.get("/api/v1/stats/dashboard?from=ayer", headers=auth), 400)["detail"]
    assert (
        "from > to"
        in problem(api.get("/api/v1/stats/dashboard?from=2026-11-10&to=2026-11-01", headers=auth), 400)[
            "detail"
        ]
    )
    assert problem(api.get("/api/v1/stats/dashboard?from=2024-01-01&to=2025-06-01", headers=auth), 400)


def test_goals_crud_and_their_errors(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    body = {
        "name": {"es": "Información en 90 horas hábiles", "en": "Information within 90 business hours"},
        "type_code": "solicitud-informacion",
        "metric": "first_response",
        "threshold_hours": 90,
        "target_pct": 90,
    }
    items_before = table_items(aws)
    off_edge = problem(post(api, "/api/v1/stats/goals", {**body, "threshold_hours": 49}, auth), 422)
    assert off_edge["errors"][0]["field"] == "threshold_hours" and "48" in off_edge["errors"][0]["message"]
    assert problem(post(api, "/api/v1/stats/goals", {**body, "target_pct": 120}, auth), 422)
    assert problem(post(api, "/api/v1/stats/goals", {**body, "extra": 1}, auth), 422)
    assert problem(post(api, "/api/v1/stats/goals", body, aws.auth("ana.l1")), 403)
    assert table_items(aws) == items_before  # nothing half written

    created = post(api, "/api/v1/stats/goals", body, auth)
    assert created.status_code == 201, created.body
    goal_id = created.json_body["id"]
    assert problem(post(api, "/api/v1/stats/goals", body, auth), 409)["code"] == "goal_exists"
    changed = api.put(
        f"/api/v1/stats/goals/{goal_id}",
        body=json.dumps({**body, "target_pct": 85}),
        headers={"Content-Type": "application/json", **auth},
    )
    assert changed.status_code == 200 and changed.json_body["target_pct"] == 85
    missing = api.put(
        "/api/v1/stats/goals/no-such-goal",
        body=json.dumps(body),
        headers={"Content-Type": "application/json", **auth},
    )
    assert problem(missing, 404)["code"] == "goal_not_found"
    listed = api.get("/api/v1/stats/goals", headers=auth).json_body["items"]
    assert [g["id"] for g in listed if g["id"] == goal_id] == [goal_id]

    _count_ticket("2026-700101", "solicitud-informacion", datetime.now(UTC) - timedelta(hours=3))
    board = api.get("/api/v1/stats/dashboard?type=solicitud-informacion", headers=auth).json_body
    status = next(g for g in board["goals"] if g["goal"]["id"] == goal_id)
    assert status["current"]["total"] >= 1 and status["current"]["met"] >= 1
    assert len(status["trend"]) == 6 and status["on_track"] is True

    assert api.delete(f"/api/v1/stats/goals/{goal_id}", headers=auth).status_code == 204
    assert problem(api.delete(f"/api/v1/stats/goals/{goal_id}", headers=auth), 404)


def test_a_goal_edited_from_a_stale_version_is_refused_and_nothing_is_written(api: Any, aws: Aws) -> None:
    auth = {"Content-Type": "application/json", **aws.auth(SUPERVISOR)}
    body = {
        "name": {"es": "Reclamos en 48 horas hábiles"},
        "type_code": "reclamo",
        "threshold_hours": 48,
        "target_pct": 80,
        "version": 7,  # ignored on create
    }
    created = post(api, "/api/v1/stats/goals", body, auth)
    assert created.status_code == 201, created.body
    goal_id = created.json_body["id"]
    assert created.json_body["version"] == 1
    path = f"/api/v1/stats/goals/{goal_id}"
    try:
        # two supervisors read version 1; the first save wins, the second is told to reload
        first = api.put(path, body=json.dumps({**body, "target_pct": 85, "version": 1}), headers=auth)
        assert first.status_code == 200 and first.json_body["version"] == 2, first.body
        stale = problem(
            api.put(path, body=json.dumps({**body, "target_pct": 60, "version": 1}), headers=auth), 409
        )
        assert stale["code"] == "goal_changed" and "recargue" in stale["detail"]
        listed = {g["id"]: g for g in api.get("/api/v1/stats/goals", headers=auth).json_body["items"]}
        assert listed[goal_id]["target_pct"] == 85 and listed[goal_id]["version"] == 2
        english = api.put(
            path,
            body=json.dumps({**body, "version": 1}),
            headers={**auth, "Accept-Language": "en"},
        )
        assert "reload" in problem(english, 409)["detail"]
        assert problem(api.put(path, body=json.dumps({**body, "version": 0}), headers=auth), 422)
        # the version read now is accepted; a save without a version is not checked (older clients)
        again = api.put(path, body=json.dumps({**body, "target_pct": 90, "version": 2}), headers=auth)
        assert again.status_code == 200 and again.json_body["version"] == 3
        unchecked = api.put(
            path, body=json.dumps({k: v for k, v in body.items() if k != "version"}), headers=auth
        )
        assert unchecked.status_code == 200 and unchecked.json_body["version"] == 4
        gone = api.put(
            "/api/v1/stats/goals/no-such-goal", body=json.dumps({**body, "version": 1}), headers=auth
        )
        assert problem(gone, 404)["code"] == "goal_not_found"
    finally:
        assert api.delete(path, headers=auth).status_code == 204


def test_each_chart_as_csv(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    volume = api.get("/api/v1/stats/charts/volume?from=2026-11-01&to=2026-11-07", headers=auth)
    assert volume.status_code == 200 and volume.headers["Content-Type"].startswith("text/csv")
    lines = volume.body.decode().splitlines()
    assert lines[0] == "day,created,resolved,reopened,backlog" and len(lines) == 8
    for chart in (
        "first_response",
        "resolution",
        "goals",
        "backlog_age",
        "met",
        "time_in_status",
        "breakdown",
    ):
        assert api.get(f"/api/v1/stats/charts/{chart}", headers=auth).status_code == 200
    assert "volume" in problem(api.get("/api/v1/stats/charts/pie", headers=auth), 404)["detail"]
    assert problem(api.get("/api/v1/stats/charts/volume", headers=aws.auth("ana.l1")), 403)


def test_report_as_html_and_csv(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    html = api.get("/api/v1/stats/report?period=2026-11", headers=auth)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    text = html.body.decode()
    summary = text.index("Resumen ejecutivo")
    assert summary < text.index("Volúmenes") < text.index("Metas") < text.index("Cuellos de botella")
    assert "<svg" in text and "http" not in text.split("<body>")[1].split("xmlns")[0]  # no external assets
    english = api.get("/api/v1/stats/report?period=2026-11", headers={**auth, "Accept-Language": "en"})
    assert "Executive summary" in english.body.decode()
    csv_ = api.get("/api/v1/stats/report?period=2026-11&format=csv", headers=auth)
    assert csv_.body.decode().splitlines()[0] == "section,figure,value"
    assert problem(api.get("/api/v1/stats/report?period=noviembre", headers=auth), 400)
    assert problem(api.get("/api/v1/stats/report?period=2099-01", headers=auth), 400)
    assert (
        problem(api.get("/api/v1/stats/report?format=pdf", headers=auth), 422)["errors"][0]["field"]
        == "format"
    )


def test_monthly_report_is_mailed_to_the_supervisors(aws: Aws) -> None:
    ses = boto3.client("ses")
    sender = aws.stack.functions["StatsReportFunction"].environment["REPORT_SENDER"]
    ses.verify_email_identity(EmailAddress=sender)
    sent_before = ses.get_send_quota()["SentLast24Hours"]
    handler = aws.stack.functions["StatsReportFunction"].load()
    result = handler({"period": "2026-11"}, LambdaContext("StatsReportFunction"))
    assert result["period"] == "2026-11" and result["recipients"] == 1 and result["message_id"]
    # moto counts destinations: the sender's own copy (To) and the one supervisor (Bcc)
    assert ses.get_send_quota()["SentLast24Hours"] == sent_before + 2


def test_open_data_suppresses_small_counts(api: Any) -> None:
    month = (datetime.now(UTC).replace(day=1) - timedelta(days=70)).strftime("%Y-%m")
    store.add_counters(stats_pk("type=cuenta"), month_sk(month), {"created": 3, "res_n": 3, "res_met": 3})
    store.add_counters(
        stats_pk("type=tramite"),
        month_sk(month),
        {"created": 12, "res_n": 10, "res_met": 9, "frh#4": 6, "frh#8": 6},
    )
    response = api.get("/api/v1/public/stats")
    assert response.status_code == 200
    months = {(m["type_code"], m["month"]): m for m in response.json_body["months"]}
    small = months[("cuenta", month)]
    assert small["volume"] is None and small["on_time_pct"] is None
    big = months[("tramite", month)]
    assert big["volume"] >= 12 and big["on_time_pct"] is not None and big["median_first_response_hours"] == 4
    text = response.body.decode()
    assert "@" not in text and "requester" not in text and "subject" not in text


def test_a_filtered_dashboard_has_its_breakdowns_and_met_by_team(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    url = "/api/v1/stats/dashboard?type=cuenta&channel=phone"
    before = api.get(url, headers=auth).json_body
    when = datetime.now(UTC) - timedelta(hours=3)
    for i, (team, breached) in enumerate((("tecnico", []), ("tecnico", ["resolution"]), ("atencion", []))):
        number = f"2026-7003{i:02d}"
        image = _ticket(
            number, when, type_code="cuenta", subtype_code="acceso-portal", channel="phone", team=team
        )
        assert consume.apply_ticket(number, image)
        done = {**image, "version": 2, "status": "resolved", "updated_at": _iso(when + timedelta(hours=1))}
        assert consume.apply_ticket(
            number, {**done, "breached": breached, "resolution_business_seconds": 3600}
        )
    after = api.get(url, headers=auth).json_body

    def grew(body: dict[str, Any], *path: str) -> int:
        node: Any = body
        for step in path:
            node = node.get(step, {}) if isinstance(node, dict) else {}
        return int(node) if isinstance(node, int) else 0

    for team, n in (("tecnico", 2), ("atencion", 1)):
        assert (
            grew(after, "breakdown", "team", team, "created")
            - grew(before, "breakdown", "team", team, "created")
            == n
        )
    assert (
        grew(after, "breakdown", "subtype", "cuenta.acceso-portal", "resolved")
        - grew(before, "breakdown", "subtype", "cuenta.acceso-portal", "resolved")
        == 3
    )
    # the fixed dimensions show their one value with the view's totals
    assert after["breakdown"]["type"] == {"cuenta": after["breakdown"]["type"]["cuenta"]}
    assert after["breakdown"]["channel"]["phone"]["created"] == after["created"]
    tech = after["met_by"]["team"]["tecnico"]["resolution"]
    tech_before = (
        before["met_by"].get("team", {}).get("tecnico", {}).get("resolution", {"total": 0, "met": 0})
    )
    assert (tech["total"] - tech_before["total"], tech["met"] - tech_before["met"]) == (2, 1)
    assert "cuenta" in after["met_by"]["type"]
    rows = api.get("/api/v1/stats/charts/breakdown?type=cuenta&channel=phone", headers=auth).body.decode()
    assert "team,tecnico,created," in rows and "subtype,cuenta.acceso-portal,resolved," in rows


def test_a_reclassified_ticket_takes_its_backlog_to_the_new_team_and_type(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    when = datetime.now(UTC) - timedelta(hours=5)

    def board(query: str) -> dict[str, Any]:
        response = api.get(f"/api/v1/stats/dashboard?{query}", headers=auth)
        assert response.status_code == 200, response.body
        return dict(response.json_body)

    views = ("type=sugerencia&team=atencion", "type=emergencia&team=tecnico", "team=tecnico")
    before = {v: board(v) for v in views}
    image = _ticket("2026-700401", when, type_code="sugerencia", team="atencion")
    assert consume.apply_ticket("2026-700401", image)
    filed = {v: board(v) for v in views}
    assert filed[views[0]]["backlog"] - before[views[0]]["backlog"] == 1
    moved = {
        **image,
        "version": 2,
        "type_code": "emergencia",
        "subtype_code": "corte-servicio",
        "team": "tecnico",
        "updated_at": _iso(when + timedelta(hours=1)),
    }
    assert consume.apply_ticket("2026-700401", moved)
    after = {v: board(v) for v in views}
    # the stock moved: out of the old type and team, into the new ones, at once
    assert after[views[0]]["backlog"] == before[views[0]]["backlog"]
    assert after[views[1]]["backlog"] - before[views[1]]["backlog"] == 1
    assert (
        after[views[2]]["backlog_by"]["type"].get("emergencia", 0)
        - before[views[2]]["backlog_by"].get("type", {}).get("emergencia", 0)
        == 1
    )
    # the flow stayed where it happened: filed as a suggestion for the atencion team
    assert after[views[0]]["created"] - before[views[0]]["created"] == 1
    assert after[views[1]]["created"] == before[views[1]]["created"]


def test_a_second_survey_after_a_reopen_is_counted(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    url = "/api/v1/stats/dashboard?type=soporte-interno"
    before = api.get(url, headers=auth).json_body["csat"]
    when = datetime.now(UTC) - timedelta(hours=6)
    at = [_iso(when + timedelta(minutes=10 * i)) for i in range(8)]
    image = _ticket("2026-700501", when, type_code="soporte-interno", subtype_code="equipos")
    versions = [
        {"status": "resolved", "resolved_at": at[1]},
        {"csat_score": 2, "csat_at": at[2], "csat_resolved_at": at[1]},
        {"status": "reopened", "resolved_at": None},
        {"status": "resolved", "resolved_at": at[4]},
        {"csat_score": 5, "csat_at": at[5], "csat_resolved_at": at[4]},
        {"status": "closed"},
    ]
    assert consume.apply_ticket("2026-700501", image)
    for n, change in enumerate(versions, start=2):
        image = {**image, **change, "version": n, "updated_at": at[n - 1]}
        assert consume.apply_ticket("2026-700501", image)
    assert not consume.apply_ticket("2026-700501", image)  # a replay of the last version
    after = api.get(url, headers=auth).json_body["csat"]
    assert after["responses"] - before["responses"] == 2
    for score in ("2", "5"):
        assert after["distribution"][score] - before["distribution"][score] == 1


def test_bad_filters_name_the_parameter_and_change_nothing(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    items_before = table_items(aws)
    pattern = problem(api.get("/api/v1/stats/dashboard?team=Equipo%20Uno", headers=auth), 422)
    assert [e["field"] for e in pattern["errors"]] == ["team"]
    both = problem(api.get("/api/v1/stats/dashboard?type=nada&channel=paloma", headers=auth), 422)
    assert sorted(e["field"] for e in both["errors"]) == ["channel", "type"]
    assert "to" in problem(api.get("/api/v1/stats/dashboard?to=2026-13-40", headers=auth), 400)["detail"]
    chart = problem(api.get("/api/v1/stats/charts/breakdown?team=nadie", headers=auth), 422)
    assert chart["errors"][0]["field"] == "team"
    assert table_items(aws) == items_before
