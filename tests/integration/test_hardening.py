"""Hostile input and access rules through the API: bodies past the parser's limits, numbers DynamoDB
cannot store, security headers, authorisation before validation for every role-bound route, odd path
ids, the reassignment matrix for every demo role, and a phone example that passes its validator."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib import canned, help_admin, notifications, service_levels, stats
from chalicelib.http import route_docs
from tests.conftest import Aws, post, ticket_body
from ventanilla.notify.contacts import normalize_phone
from ventanilla.safe_json import MAX_DEPTH, MAX_INT_DIGITS, MAX_ITEMS, MAX_STRING

SUPERVISOR = "carla.supervisora"
ROLES = {
    "ana.l1": "agent-l1",
    "bruno.l2": "agent-l2",
    SUPERVISOR: "supervisor",
    "diana.editora": "editor",
    "elena.admin": "admin",
}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.body)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = dict(json.loads(response.body))
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    return body


def raw_ticket(text: str) -> str:
    """The valid ticket body with ``text`` in place of the form's ``servicio`` value."""
    return json.dumps(ticket_body()).replace('"alumbrado"', text)


NASTY = [
    ("[" * 3000 + "]" * 3000, "json_too_deep"),
    ('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), "json_too_deep"),
    (raw_ticket("9" * 5000), "json_number_too_long"),
    (raw_ticket("-" + "1" * (MAX_INT_DIGITS + 1)), "json_number_too_long"),
    (raw_ticket("1e999"), "json_number_too_large"),
    (raw_ticket("1e300"), "json_number_too_large"),
    (raw_ticket("NaN"), "json_number_too_large"),
    (raw_ticket("-Infinity"), "json_number_too_large"),
    (raw_ticket(json.dumps("x" * (MAX_STRING + 1))), "json_string_too_long"),
    (raw_ticket('"\\ud800"'), "malformed_json"),
    (json.dumps({"seen_articles": list(range(MAX_ITEMS + 1))}), "json_too_many_items"),
    ('{"subject": "sin cerrar"', "malformed_json"),
]


@pytest.mark.parametrize(("body", "code"), NASTY, ids=[c + str(i) for i, (_, c) in enumerate(NASTY)])
def test_hostile_bodies_are_400_problems_naming_the_limit(api: Any, body: str, code: str) -> None:
    found = problem(post(api, "/api/v1/tickets", body), 400)
    assert found["code"] == code and found["detail"]


def test_a_body_over_the_size_limit_is_413(api: Any) -> None:
    found = problem(post(api, "/api/v1/tickets", raw_ticket(json.dumps("x" * 300_000))), 413)
    assert found["code"] == "payload_too_large"


def test_deep_and_long_lines_in_a_help_import_are_reported_by_line(api: Any, aws: Aws) -> None:
    lines = "[" * 3000 + "]" * 3000 + "\n" + '{"n": ' + "7" * 5000 + "}\n"
    response = api.post(
        "/api/v1/admin/help/import",
        body=lines,
        headers={**aws.auth("diana.editora"), "Content-Type": "application/x-ndjson"},
    )
    found = problem(response, 422)
    assert [e["field"].split(".")[0] for e in found["errors"]][:2] == ["line 1", "line 2"] or len(
        found["errors"]
    ) == 2, found


def test_goal_targets_dynamodb_cannot_store_are_422_not_500(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    body = {"name": {"es": "Meta diminuta"}, "type_code": "reclamo", "threshold_hours": 90}
    for target in (5e-324, 1e-200, 0.5):
        found = problem(post(api, "/api/v1/stats/goals", {**body, "target_pct": target}, auth), 422)
        assert found["errors"][0]["field"] == "target_pct"
    created = post(api, "/api/v1/stats/goals", {**body, "target_pct": 1}, auth)
    assert created.status_code == 201, created.body
    goal_id = created.json_body["id"]
    for target in (5e-324, 1e-200):
        found = problem(
            api.put(
                f"/api/v1/stats/goals/{goal_id}",
                body=json.dumps({**body, "target_pct": target}),
                headers={**auth, "Content-Type": "application/json"},
            ),
            422,
        )
        assert found["errors"][0]["field"] == "target_pct"


def test_tiny_form_numbers_are_stored_not_500(api: Any) -> None:
    response = post(api, "/api/v1/tickets", raw_ticket("5e-324"))
    assert response.status_code in (201, 422), response.body  # the catalog decides; never 500


def test_every_api_answer_carries_the_security_headers(api: Any, aws: Aws) -> None:
    public = api.get("/api/v1/catalog")
    personal = api.get("/api/v1/agent/me", headers=aws.auth("ana.l1"))
    refused = api.get("/api/v1/agent/me")
    report = api.get("/api/v1/stats/report?format=html", headers=aws.auth(SUPERVISOR))
    for response in (public, personal, refused, report):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert public.headers["Cache-Control"].startswith("public")
    assert personal.headers["Cache-Control"] == "no-store"
    assert refused.headers["Cache-Control"] == "no-store"
    assert (
        report.status_code == 200 and "style-src 'unsafe-inline'" in report.headers["Content-Security-Policy"]
    )
    assert "default-src 'none'" in personal.headers["Content-Security-Policy"]


def _concrete(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: "2026-000001" if m.group(1) == "number" else "zz-test", path)


assert canned and help_admin and notifications and service_levels and stats  # their routes, documented
# Every area's role-bound routes that some demo role may not call (a route open to every staff role,
# such as the asset lookups, has nobody to refuse here).
ROLE_ROUTES = [d for d in route_docs() if d.roles and set(ROLES.values()) - set(d.roles)]


@pytest.mark.parametrize("doc", ROLE_ROUTES, ids=[f"{d.method} {d.path}" for d in ROLE_ROUTES])
def test_role_bound_routes_authorise_before_they_validate(api: Any, aws: Aws, doc: Any) -> None:
    outsiders = [user for user, role in ROLES.items() if role not in doc.roles]
    assert outsiders, f"every demo role may call {doc.path}"
    headers_of = {"Content-Type": "application/json"}
    if doc.text_body:
        headers_of = {"Content-Type": doc.text_body}
    for user in outsiders:
        response = api.request(
            doc.method,
            _concrete(doc.path) + "?lang=klingon&limit=-1",
            body='{"not": "what this route takes", "version": -1}',
            headers={**aws.auth(user), **headers_of},
        )
        assert problem(response, 403)["code"] == "role_required", (user, doc.path)
    anonymous = api.request(doc.method, _concrete(doc.path), body="{", headers=headers_of)
    assert problem(anonymous, 401)


def test_path_ids_with_odd_characters_are_404(api: Any, aws: Aws) -> None:
    auth = aws.auth(SUPERVISOR)
    assert problem(api.get("/api/v1/tickets/%00"), 404)
    goal = {"name": {"es": "Meta"}, "type_code": "reclamo", "threshold_hours": 90, "target_pct": 90}
    canned = {"title": "Saludo", "body": "Hola", "language": "es"}
    # not an id's shape (goal and canned ids are lowercase codes): a PUT with one answered 500
    for odd in ("%C2%84", "HoRFRt", "a*b"):
        for path, body in ((f"/api/v1/stats/goals/{odd}", goal), (f"/api/v1/admin/canned/{odd}", canned)):
            put = api.put(path, body=json.dumps(body), headers={**auth, "Content-Type": "application/json"})
            assert problem(put, 404), path
            assert problem(api.delete(path, headers=auth), 404), path


def _atencion_ticket(api: Any, aws: Aws) -> dict[str, Any]:
    created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
    assert created.status_code == 201, created.body
    number = created.json_body["number"]
    moved = post(api, f"/api/v1/agent/tickets/{number}/assign", {"team": "atencion"}, aws.auth(SUPERVISOR))
    assert moved.status_code == 200, moved.body
    return dict(moved.json_body["ticket"])


def _assign(api: Any, aws: Aws, user: str, number: str, body: dict[str, Any]) -> Any:
    return post(api, f"/api/v1/agent/tickets/{number}/assign", body, aws.auth(user))


def test_reassignment_matrix_for_every_role(api: Any, aws: Aws) -> None:
    subs = {user: aws.logins[user].sub for user in ROLES}
    # agent-l1: own team only, agents only
    number = _atencion_ticket(api, aws)["number"]
    refused = _assign(api, aws, "ana.l1", number, {"team": "tecnico"})
    assert problem(refused, 403)["code"] == "reassign_team_not_yours"
    to_supervisor = _assign(api, aws, "ana.l1", number, {"assignee": subs[SUPERVISOR]})
    assert problem(to_supervisor, 403)["code"] == "reassign_to_supervisor"
    to_admin = _assign(api, aws, "ana.l1", number, {"assignee": subs["elena.admin"]})
    assert problem(to_admin, 403)["code"] == "reassign_to_supervisor"
    to_agent = _assign(api, aws, "ana.l1", number, {"assignee": subs["bruno.l2"]})
    assert to_agent.status_code == 200 and to_agent.json_body["ticket"]["assignee"] == subs["bruno.l2"]
    assert _assign(api, aws, "ana.l1", number, {"assignee": subs["ana.l1"]}).status_code == 200
    # agent-l2: across their own teams, supervisors included
    number = _atencion_ticket(api, aws)["number"]
    across = _assign(api, aws, "bruno.l2", number, {"team": "tecnico", "assignee": subs[SUPERVISOR]})
    assert across.status_code == 200, across.body
    assert across.json_body["ticket"]["team"] == "tecnico"
    # the l1 cannot follow it there
    assert problem(_assign(api, aws, "ana.l1", number, {"team": "atencion"}), 403)["code"] == "not_your_team"
    # supervisor and admin: anywhere, anyone of the target team
    for user in (SUPERVISOR, "elena.admin"):
        number = _atencion_ticket(api, aws)["number"]
        moved = _assign(api, aws, user, number, {"team": "transparencia", "assignee": subs["elena.admin"]})
        assert moved.status_code == 200, moved.body
        back = _assign(api, aws, user, number, {"team": "atencion", "assignee": subs["ana.l1"]})
        assert back.status_code == 200, back.body
    # an assignee outside the target team is refused for everyone
    number = _atencion_ticket(api, aws)["number"]
    outside = _assign(api, aws, SUPERVISOR, number, {"team": "tecnico", "assignee": subs["ana.l1"]})
    assert problem(outside, 422)["errors"][0]["code"] == "not_your_team"
    # the editor works on no request
    assert problem(_assign(api, aws, "diana.editora", number, {"assignee": subs["ana.l1"]}), 403)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_phone_example_in_the_error_passes_the_validator(api: Any, lang: str) -> None:
    body = ticket_body(requester={"phone": "+56 9 1234 5678"})
    found = problem(post(api, "/api/v1/tickets", body, {"Accept-Language": lang}), 422)
    message = next(e["message"] for e in found["errors"] if e["field"] == "requester.phone")
    example = re.search(r"\+[\d ]+\d", message)
    assert example, message
    assert normalize_phone(example.group(0)) == "+" + re.sub(r"\D", "", example.group(0))


def test_the_document_states_every_query_and_path_constraint(api: Any) -> None:
    document = api.get("/api/v1/openapi.json").json_body
    free = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", []):
                schema = param["schema"]
                if not {"enum", "pattern", "format", "maximum", "maxLength"} & set(schema):
                    free.append(f"{method.upper()} {path} {param['in']}:{param['name']}")
                if param["name"] == "limit":
                    assert schema["type"] == "integer" and schema["minimum"] >= 1, (path, schema)
                if param["name"] == "lang" and param["in"] == "query":
                    assert schema["enum"] == ["es", "en"], (path, schema)
            if op.get("security"):
                assert "401" in op["responses"], (method, path)
    assert free == []
    hours = document["components"]["schemas"]["BusinessCalendar"]["properties"]["working_hours"]
    shift = hours["additionalProperties"]["items"]
    assert shift["type"] == "array" and len(shift["prefixItems"]) == 2 and "items" not in shift
    assert hours["propertyNames"] == {"pattern": "^[1-7]$"}
    goal = document["paths"]["/api/v1/stats/goals"]["post"]
    assert goal["x-roles"] == ["supervisor", "admin"] and "403" in goal["responses"]
