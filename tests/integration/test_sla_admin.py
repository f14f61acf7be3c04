"""Admin of calendars, policies and routing rules (issue 4): validated, role-checked, applied."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Aws, post, ticket_body


def put(api: Any, path: str, body: Any, headers: dict[str, str]) -> Any:
    return api.put(path, body=json.dumps(body), headers={"Content-Type": "application/json", **headers})


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    return dict(json.loads(response.body))


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


@pytest.fixture()
def carla(aws: Aws) -> dict[str, str]:
    return aws.auth("carla.supervisora")


@pytest.fixture()
def clean_rules(api: Any, carla: dict[str, str]) -> Iterator[None]:
    yield
    assert put(api, "/api/v1/admin/routing/rules", {"rules": []}, carla).status_code == 200


RULE = {
    "name": "alumbrado-a-tecnico",
    "conditions": {"types": ["consulta"], "keywords": ["luminaria", "alumbrado"]},
    "actions": {"team": "tecnico", "tier": "L2", "priority": "high", "tags": ["alumbrado"]},
}


def test_routing_rules_validated_with_clear_errors(api: Any, aws: Aws, carla: dict[str, str]) -> None:
    path = "/api/v1/admin/routing/rules"
    unknown_team = {"rules": [{**RULE, "actions": {"team": "no-existe"}}]}
    body = problem(put(api, path, unknown_team, carla), 422)
    assert fields(body) == {"rules.0.actions.team"} and body["errors"][0]["code"] == "unknown_team"
    contradiction = {
        "rules": [{**RULE, "conditions": {"types": ["consulta"], "subtypes": ["reclamo/servicio"]}}]
    }
    assert problem(put(api, path, contradiction, carla), 422)["errors"][0]["code"] == "rule_never_matches"
    shadowed = {
        "rules": [
            {"name": "todo", "actions": {"tags": ["x"]}},
            RULE,
        ]
    }
    body = problem(put(api, path, shadowed, carla), 422)
    assert fields(body) == {"rules.1"} and body["errors"][0]["code"] == "rule_never_matches"
    assert (
        problem(put(api, path, {"rules": [{**RULE, "actions": {}}]}, carla), 422)["errors"][0]["code"]
        == "rule_without_action"
    )
    assert put(api, path, {"rules": [RULE]}, aws.auth("ana.l1")).status_code == 403
    assert api.get(path, headers=carla).json_body["rules"] == []  # nothing half written


def test_rules_route_at_creation_and_dry_run_explains(
    api: Any, aws: Aws, carla: dict[str, str], clean_rules: None
) -> None:
    saved = put(api, "/api/v1/admin/routing/rules", {"rules": [RULE]}, carla)
    assert saved.status_code == 200, saved.body
    sample = {"type": "consulta", "subtype": "general", "subject": "Luminaria apagada", "description": "x"}
    dry = post(api, "/api/v1/admin/routing/dry-run", sample, carla).json_body
    assert dry["matched"] == "alumbrado-a-tecnico" and dry["actions"]["team"] == "tecnico"
    assert any("luminaria" in r for r in dry["checks"][0]["reasons"])
    miss = post(api, "/api/v1/admin/routing/dry-run", {**sample, "subject": "Horario"}, carla).json_body
    assert miss["matched"] is None and miss["checks"][0]["reasons"][-1] == "no keyword found"
    bad = post(api, "/api/v1/admin/routing/dry-run", {"type": "consulta"}, carla)
    assert fields(problem(bad, 422)) == {"subtype"}

    created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
    number = created.json_body["number"]
    t = api.get(f"/api/v1/agent/tickets/{number}", headers=carla).json_body["ticket"]
    assert (t["team"], t["tier"], t["priority"], t["tags"], t["routed_by"]) == (
        "tecnico",
        "L2",
        "high",
        ["alumbrado"],
        "alumbrado-a-tecnico",
    )


def test_calendar_admin_rejects_overlapping_shifts_and_stores_closures(
    api: Any, aws: Aws, carla: dict[str, str]
) -> None:
    path = "/api/v1/admin/calendar"
    current = api.get(path, headers=carla).json_body
    current.pop("version")  # this test restores what it read, whatever was saved since
    assert current["country"] == "CL" and current["timezone"] == "America/Santiago"
    overlapping = {**current, "working_hours": {"1": [["08:30", "13:00"], ["12:00", "17:00"]]}}
    body = problem(put(api, path, overlapping, carla), 422)
    assert "working_hours" in json.dumps(body) and "overlap" in json.dumps(body)
    assert fields(problem(put(api, path, {**current, "timezone": "Mars/Base"}, carla), 422)) == {"timezone"}
    assert put(api, path, current, aws.auth("ana.l1")).status_code == 403
    closed = {**current, "closures": ["2030-12-24"]}
    try:
        saved = put(api, path, closed, carla)
        assert saved.status_code == 200, saved.body
        assert api.get(path, headers=carla).json_body["closures"] == ["2030-12-24"]
    finally:
        assert put(api, path, current, carla).status_code == 200


def test_policy_admin_validates_keys_and_teams(api: Any, aws: Aws, carla: dict[str, str]) -> None:
    path = "/api/v1/admin/sla-policy"
    current = api.get(path, headers=carla).json_body
    current.pop("version")  # this test restores what it read, whatever was saved since
    assert current["warnings"] == [0.5, 0.8]
    bad_key = {
        **current,
        "overrides": {"consulta/no-existe": {"resolution": {"value": 2, "unit": "business_days"}}},
    }
    assert fields(problem(put(api, path, bad_key, carla), 422)) == {"overrides.consulta/no-existe"}
    bad_team = {**current, "assignment": {"fantasma": "round_robin"}}
    assert fields(problem(put(api, path, bad_team, carla), 422)) == {"assignment.fantasma"}
    bad_warnings = {**current, "warnings": [0.8, 0.5]}
    assert fields(problem(put(api, path, bad_warnings, carla), 422)) == {"warnings"}
    assert put(api, path, current, aws.auth("bruno.l2")).status_code == 403


def test_round_robin_assignment_among_available_agents(api: Any, aws: Aws, carla: dict[str, str]) -> None:
    path = "/api/v1/admin/sla-policy"
    current = api.get(path, headers=carla).json_body
    current.pop("version")  # this test restores what it read, whatever was saved since
    for who in ("ana.l1", "bruno.l2"):
        answer = put(api, "/api/v1/agent/me/availability", {"available": True, "capacity": 50}, aws.auth(who))
        assert answer.status_code == 200, answer.body
    bad = put(api, "/api/v1/agent/me/availability", {"available": True, "capacity": -1}, aws.auth("ana.l1"))
    assert fields(problem(bad, 422)) == {"capacity"}
    try:
        assert (
            put(api, path, {**current, "assignment": {"atencion": "round_robin"}}, carla).status_code == 200
        )
        assignees = []
        for _ in range(2):
            created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
            assert created.json_body["status"] == "assigned"
            t = api.get(f"/api/v1/agent/tickets/{created.json_body['number']}", headers=carla).json_body
            assignees.append(t["ticket"]["assignee"])
        assert len(set(assignees)) == 2
    finally:
        assert put(api, path, current, carla).status_code == 200
        for who in ("ana.l1", "bruno.l2"):
            put(api, "/api/v1/agent/me/availability", {"available": True}, aws.auth(who))  # the demo's


def test_legal_deadlines_listed_as_data(api: Any, aws: Aws) -> None:
    items = api.get("/api/v1/admin/legal-deadlines", headers=aws.auth("ana.l1")).json_body["items"]
    cl = next(i for i in items if i["country"] == "CL")
    assert (cl["business_days"], cl["extension_max_business_days"]) == (20, 10)
    assert {i["country"] for i in items} >= {"CL", "CO"}


@pytest.mark.parametrize(
    ("path", "code", "change"),
    [
        ("/api/v1/admin/calendar", "calendar_changed", {"closures": ["2031-01-02"]}),
        ("/api/v1/admin/sla-policy", "sla_policy_changed", {"warnings": [0.4, 0.9]}),
        ("/api/v1/admin/routing/rules", "routing_changed", {"rules": [RULE]}),
    ],
)
def test_a_configuration_saved_from_a_stale_version_is_refused(
    api: Any, aws: Aws, carla: dict[str, str], path: str, code: str, change: dict[str, Any]
) -> None:
    """Two supervisors load the same version; the first save wins, the second gets 409 and
    nothing of it is written; the version read afterwards saves."""
    elena = aws.auth("elena.admin")
    loaded = api.get(path, headers=carla).json_body
    version = loaded["version"]
    assert isinstance(version, int) and version >= 0
    assert api.get(path, headers=elena).json_body["version"] == version
    try:
        first = put(api, path, {**loaded, **change}, elena)
        assert first.status_code == 200, first.body
        assert first.json_body["version"] == version + 1
        stale = problem(put(api, path, loaded, carla), 409)
        assert stale["code"] == code and "recargue" in stale["detail"]
        now = api.get(path, headers=carla).json_body
        assert now["version"] == version + 1
        assert now == first.json_body  # the stale save wrote nothing
        assert fields(problem(put(api, path, {**loaded, "version": -1}, carla), 422)) == {"version"}
    finally:
        restored = put(api, path, {**loaded, "version": version + 1}, carla)
        assert restored.status_code == 200, restored.body
    assert restored.json_body["version"] == version + 2
    unchecked = put(api, path, {k: v for k, v in loaded.items() if k != "version"}, carla)
    assert unchecked.status_code == 200 and unchecked.json_body["version"] == version + 3
