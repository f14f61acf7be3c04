"""Compliance counts the requests nobody answered: a request past its target without an answer is
missed from the moment it is due (the breach timer), in the dashboard's % met, per team, in goals
and in open data, and its late answer or resolution does not count it a second time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Aws, post, ticket_body
from tests.integration.stats_support import raw_ticket as _raw
from tests.integration.stats_support import ticket_image
from tests.integration.stats_support import to_stats as _stream

SUPERVISOR = "carla.supervisora"


@pytest.fixture(autouse=True, scope="module")
def _timer_environment(aws: Aws) -> None:
    from infra.local.scheduler import export_timer_environment

    export_timer_environment(aws.stack.functions)


def _fire(aws: Aws, ticket: dict[str, Any], target: str) -> None:
    timer = next(t for t in ticket["timers"] if t["target"] == target and t["kind"] == "breach")
    payload = {"number": ticket["number"], **{k: timer[k] for k in ("name", "target", "kind", "fire_at")}}
    assert aws.stack.functions["SlaFiredFunction"].invoke(payload)["outcome"] == "breached"


def _dashboard(api: Any, aws: Aws, type_code: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/stats/dashboard?type={type_code}", headers=aws.auth(SUPERVISOR))
    assert response.status_code == 200, response.body
    return dict(response.json_body)


def _staff_ticket(api: Any, aws: Aws, number: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth(SUPERVISOR))
    assert response.status_code == 200, response.body
    return dict(response.json_body["ticket"])


def _rate(view: dict[str, Any], target: str) -> tuple[int, int]:
    return view["met"][target]["total"], view["met"][target]["met"]


def _team_rate(view: dict[str, Any], team: str, target: str) -> tuple[int, int]:
    rates = view["met_by"]["team"].get(team, {}).get(target, {"total": 0, "met": 0})
    return rates["total"], rates["met"]


def _goal(view: dict[str, Any], goal_id: str) -> tuple[int, int]:
    status = next(g for g in view["goals"] if g["goal"]["id"] == goal_id)
    return status["current"]["total"], status["current"]["met"]


def test_an_unanswered_request_is_missed_when_due_and_its_late_answer_does_not_count_again(
    api: Any, aws: Aws
) -> None:
    from ventanilla import clock

    auth = aws.auth(SUPERVISOR)
    tag = uuid.uuid4().hex[:6]
    goal = {
        "name": {"es": f"Consultas respondidas {tag}", "en": f"Questions answered {tag}"},
        "type_code": "consulta",
        "metric": "first_response",
        "threshold_hours": 960,  # any answer at all meets it: only the unanswered one can miss
        "target_pct": 90,
    }
    made = post(api, "/api/v1/stats/goals", goal, auth)
    assert made.status_code == 201, made.body
    goal_id = made.json_body["id"]
    try:
        created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
        assert created.status_code == 201, created.body
        number = created.json_body["number"]
        image = _stream(aws, None, _raw(aws, number))
        ticket = _staff_ticket(api, aws, number)
        team = ticket["team"]
        due = max(datetime.fromisoformat(ticket[f"{t}_due"]) for t in ("first_response", "resolution"))
        with clock.advanced(due - clock.now() + timedelta(hours=1)):
            before = _dashboard(api, aws, "consulta")
            _fire(aws, ticket, "first_response")
            image = _stream(aws, image, _raw(aws, number))
            missed = _dashboard(api, aws, "consulta")
            # counted as a miss at its due time, with no answer yet
            assert _rate(missed, "first_response") == (
                _rate(before, "first_response")[0] + 1,
                _rate(before, "first_response")[1],
            )
            assert _team_rate(missed, team, "first_response")[0] == (
                _team_rate(before, team, "first_response")[0] + 1
            )
            assert _goal(missed, goal_id) == (_goal(before, goal_id)[0] + 1, _goal(before, goal_id)[1])
            assert missed["breaches"]["first_response"] == before["breaches"]["first_response"] + 1

            _fire(aws, _staff_ticket(api, aws, number), "resolution")
            image = _stream(aws, image, _raw(aws, number))
            unresolved = _dashboard(api, aws, "consulta")
            assert _rate(unresolved, "resolution") == (
                _rate(before, "resolution")[0] + 1,
                _rate(before, "resolution")[1],
            )

            # the late answer and the late resolution: counted as done, not as a second request
            answer = {"body": "Estimada María, ya revisamos su consulta."}
            assert post(api, f"/api/v1/agent/tickets/{number}/reply", answer, auth).status_code == 200
            image = _stream(aws, image, _raw(aws, number))
            done = {"status": "resolved", "body": "Le enviamos la información."}
            assert post(api, f"/api/v1/agent/tickets/{number}/status", done, auth).status_code == 200
            image = _stream(aws, image, _raw(aws, number))
            after = _dashboard(api, aws, "consulta")
            assert _rate(after, "first_response") == _rate(missed, "first_response")
            assert _rate(after, "resolution") == _rate(unresolved, "resolution")
            assert _goal(after, goal_id) == _goal(missed, goal_id)
            assert after["first_response"]["count"] == before["first_response"]["count"] + 1  # its time
            assert after["resolved"] == before["resolved"] + 1
    finally:
        assert api.delete(f"/api/v1/stats/goals/{goal_id}", headers=auth).status_code == 204


def test_open_data_counts_unresolved_overdue_requests_as_late(api: Any, aws: Aws) -> None:
    """Five requests of a month nobody else writes, each past its resolution target unresolved."""
    from ventanilla.stats import consume
    from ventanilla.stats.dashboard import today

    month_start = today().replace(day=1)
    for _ in range(9):
        month_start = (month_start - timedelta(days=1)).replace(day=1)
    filed = datetime(month_start.year, month_start.month, 3, 15, tzinfo=UTC)
    for i in range(5):
        number = f"2026-{650000 + int(uuid.uuid4().int % 90000):06d}"
        due = {"resolution_due": (filed + timedelta(days=5)).isoformat()}
        image = ticket_image(number, filed, type_code="sugerencia", **due)
        assert consume.apply_ticket(number, image)
        fired_at = (filed + timedelta(days=5, minutes=i)).isoformat()
        breached = {**image, "version": 2, "updated_at": fired_at, "breached": ["resolution"]}
        assert consume.apply_ticket(number, breached)
    public = api.get("/api/v1/public/stats")
    assert public.status_code == 200
    month = next(
        m
        for m in public.json_body["months"]
        if m["month"] == month_start.strftime("%Y-%m") and m["type_code"] == "sugerencia"
    )
    assert month["volume"] == 5 and month["on_time_pct"] == 0.0
