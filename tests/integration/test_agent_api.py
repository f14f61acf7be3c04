"""Staff work requests through the API with Cognito tokens verified against the pool's keys."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import Aws, post, table_items, ticket_body
from ventanilla import clock
from ventanilla.models.common import iso


def create(api: Any, **overrides: Any) -> dict[str, Any]:
    response = post(api, "/api/v1/tickets", ticket_body(**overrides))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def consulta(api: Any) -> dict[str, Any]:
    """A request that lands in the 'atencion' team (ana.l1's)."""
    return create(api, type="consulta", subtype="general", form={})


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


def test_agent_sees_new_request_in_team_queue(api: Any, aws: Aws) -> None:
    created = consulta(api)
    response = api.get("/api/v1/agent/queue?team=atencion", headers=aws.auth("ana.l1"))
    assert response.status_code == 200
    numbers = [i["number"] for i in response.json_body["items"]]
    assert created["number"] in numbers


def test_queue_orders_by_priority_then_due(api: Any, aws: Aws) -> None:
    low = create(api, type="sugerencia", subtype="general", form={})  # low priority
    critical = create(
        api, type="emergencia", subtype="corte-servicio", form={"servicio": "agua", "direccion": "Calle 1"}
    )
    items = api.get(
        "/api/v1/agent/queue?status=received&order=priority", headers=aws.auth("carla.supervisora")
    ).json_body["items"]
    numbers = [i["number"] for i in items]
    assert numbers.index(critical["number"]) < numbers.index(low["number"])
    ranks = {"critical": 1, "high": 2, "medium": 3, "low": 4}
    keys = [(ranks[i["priority"]], i["next_due"] or i["expected_response_by"], i["number"]) for i in items]
    assert keys == sorted(keys)
    only = api.get(
        "/api/v1/agent/queue?order=priority&priority=critical", headers=aws.auth("carla.supervisora")
    ).json_body["items"]
    assert critical["number"] in {i["number"] for i in only}
    assert {i["priority"] for i in only} == {"critical"}


def due_key(item: dict[str, Any]) -> tuple[str, str]:
    return (item["next_due"] or item["expected_response_by"], item["number"])


def every_page(api: Any, headers: dict[str, str], query: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(500):
        page = api.get(f"/api/v1/agent/queue?{query}{cursor}", headers=headers)
        assert page.status_code == 200, page.body
        out += page.json_body["items"]
        if not page.json_body.get("next_cursor"):
            return out
        cursor = f"&cursor={page.json_body['next_cursor']}"
    raise AssertionError("the cursor never ended")


def test_queue_is_soonest_due_first_exactly_across_teams_statuses_and_pages(api: Any, aws: Aws) -> None:
    mine = {create(api, type="sugerencia", subtype="general", form={})["number"]}  # low, due late
    mine.add(
        create(
            api, type="emergencia", subtype="corte-servicio", form={"servicio": "agua", "direccion": "C 1"}
        )["number"]
    )
    mine |= {consulta(api)["number"] for _ in range(3)}
    carla = aws.auth("carla.supervisora")
    merged = every_page(api, carla, "limit=3")
    assert [due_key(i) for i in merged] == sorted(due_key(i) for i in merged)
    numbers = [i["number"] for i in merged]
    assert len(numbers) == len(set(numbers)) and mine <= set(numbers)
    # the same requests as reading every (team, status) partition alone
    teams = {i["team"] for i in merged}
    one_by_one = [
        i["number"]
        for team in teams
        for status in {i["status"] for i in merged}
        for i in every_page(api, carla, f"team={team}&status={status}&limit=50")
    ]
    assert sorted(one_by_one) == sorted(numbers)


def test_queue_filters_priority_and_overdue_on_the_server(api: Any, aws: Aws) -> None:
    critical = create(
        api, type="emergencia", subtype="corte-servicio", form={"servicio": "agua", "direccion": "C 2"}
    )
    carla = aws.auth("carla.supervisora")
    only = every_page(api, carla, "priority=critical&limit=2")
    assert critical["number"] in {i["number"] for i in only}
    assert {i["priority"] for i in only} == {"critical"}
    assert [due_key(i) for i in only] == sorted(due_key(i) for i in only)
    # nothing just filed is past due; a week later (the clock moved) it is
    assert critical["number"] not in {i["number"] for i in every_page(api, carla, "overdue=1&limit=5")}
    with clock.advanced(timedelta(days=7)):
        later = iso(clock.now())
        overdue = every_page(api, carla, "overdue=1&limit=5")
        overdue_by_priority = every_page(api, carla, "overdue=1&order=priority&priority=critical")
        as_of = api.get("/api/v1/agent/queue?limit=1", headers=carla).json_body["as_of"]
    assert as_of >= later  # the badges are measured by the service's (moved) clock
    assert critical["number"] in {i["number"] for i in overdue}
    assert all(due_key(i)[0] < later for i in overdue)
    assert [due_key(i) for i in overdue] == sorted(due_key(i) for i in overdue)
    assert critical["number"] in {i["number"] for i in overdue_by_priority}
    assert {i["priority"] for i in overdue_by_priority} == {"critical"}


def test_full_round_trip_reply_note_assign_resolve(api: Any, aws: Aws) -> None:
    created = consulta(api)
    number, code = created["number"], created["access_code"]
    ana = aws.auth("ana.l1")
    ana_sub = aws.logins["ana.l1"].sub

    assigned = post(api, f"/api/v1/agent/tickets/{number}/assign", {"assignee": ana_sub}, ana).json_body
    assert assigned["ticket"]["status"] == "assigned" and assigned["ticket"]["assignee_name"] == "Ana Rojas"
    note = post(
        api, f"/api/v1/agent/tickets/{number}/note", {"body": "Revisar con Rentas antes de responder"}, ana
    )
    assert note.status_code == 200
    reply = post(
        api, f"/api/v1/agent/tickets/{number}/reply", {"body": "Estimada María, ya revisamos su caso."}, ana
    )
    ticket = reply.json_body["ticket"]
    assert ticket["status"] == "in_progress" and ticket["first_response_at"]

    citizen = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code}).json_body
    bodies = [e["body"] for e in citizen["timeline"]]
    assert "Estimada María, ya revisamos su caso." in bodies
    assert "Revisar con Rentas antes de responder" not in bodies
    assert citizen["timeline"][-2]["author"] == "Ana Rojas"

    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=ana).json_body
    assert [e["action"] for e in staff["history"]] == [
        "created",
        "assigned",
        "status_changed",
        "note",
        "message",
        "status_changed",
        "contact_confirmed",  # the citizen opened it with the code: internal, for agents
    ]
    assert any(
        not e["public"] and e["body"] == "Revisar con Rentas antes de responder" for e in staff["history"]
    )

    resolved = post(
        api, f"/api/v1/agent/tickets/{number}/status", {"status": "resolved", "body": "Solucionado"}, ana
    )
    assert resolved.json_body["ticket"]["status"] == "resolved"
    assert resolved.json_body["ticket"]["resolved_at"]
    # The console offers the moves the state machine allows now, not a copy of its own.
    assert staff["ticket"]["status"] == "in_progress"
    assert staff["next_statuses"] == ["waiting_citizen", "resolved", "assigned"]
    assert resolved.json_body["next_statuses"] == ["closed", "reopened"]
    # A citizen's answer to a resolved request reopens it.
    again = post(
        api, f"/api/v1/tickets/{number}/messages", {"body": "No, sigue igual."}, {"X-Access-Code": code}
    )
    assert again.json_body["status"] == "reopened"


def test_waiting_for_citizen_resumes_on_their_reply(api: Any, aws: Aws) -> None:
    created = consulta(api)
    number = created["number"]
    ana = aws.auth("ana.l1")
    post(
        api,
        f"/api/v1/agent/tickets/{number}/reply",
        {
            "body": "¿Nos indica su dirección?",
        },
        ana,
    )
    waiting = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "waiting_citizen"}, ana)
    assert waiting.json_body["ticket"]["status"] == "waiting_citizen"
    view = post(
        api,
        f"/api/v1/tickets/{number}/messages",
        {"body": "Los Aromos 123"},
        {"X-Access-Code": created["access_code"]},
    )
    assert view.json_body["status"] == "in_progress"


def test_forbidden_transition_is_409_and_writes_nothing(api: Any, aws: Aws) -> None:
    created = consulta(api)
    before = table_items(aws)
    response = post(
        api, f"/api/v1/agent/tickets/{created['number']}/status", {"status": "reopened"}, aws.auth("ana.l1")
    )
    body = problem(response, 409)
    assert body["code"] == "transition_forbidden" and "received" in body["detail"]
    assert table_items(aws) == before


def test_closed_is_final(api: Any, aws: Aws) -> None:
    created = consulta(api)
    number = created["number"]
    ana = aws.auth("ana.l1")
    assert post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "closed"}, ana).status_code == 200
    assert (
        problem(post(api, f"/api/v1/agent/tickets/{number}/reply", {"body": "hola"}, ana), 409)["code"]
        == "ticket_closed"
    )
    citizen = post(
        api, f"/api/v1/tickets/{number}/messages", {"body": "hola"}, {"X-Access-Code": created["access_code"]}
    )
    assert problem(citizen, 409)["code"] == "ticket_closed"


def test_stale_version_is_409_and_never_overwrites(api: Any, aws: Aws) -> None:
    created = consulta(api)
    number = created["number"]
    ana = aws.auth("ana.l1")
    version = api.get(f"/api/v1/agent/tickets/{number}", headers=ana).json_body["ticket"]["version"]
    post(api, f"/api/v1/agent/tickets/{number}/note", {"body": "primero", "version": version}, ana)
    before = table_items(aws)
    stale = post(api, f"/api/v1/agent/tickets/{number}/note", {"body": "segundo", "version": version}, ana)
    assert problem(stale, 409)["code"] == "stale_version"
    assert table_items(aws) == before


def test_concurrent_writers_one_wins_the_other_gets_409(aws: Aws, api: Any) -> None:
    """Two agents read version v and both write: the transaction's condition lets exactly one win."""
    from ventanilla.errors import Conflict
    from ventanilla.storage import tickets as store

    created = consulta(api)
    ticket = store.get_ticket(created["number"])
    assert ticket is not None
    a = ticket.model_copy(update={"subject": "A", "version": ticket.version + 1})
    b = ticket.model_copy(update={"subject": "B", "version": ticket.version + 1})
    store.save_change(ticket.version, a, [])
    with pytest.raises(Conflict):
        store.save_change(ticket.version, b, [])
    stored = store.get_ticket(created["number"])
    assert stored is not None and stored.subject == "A"


def test_agent_of_another_team_is_403(api: Any, aws: Aws) -> None:
    emergency = create(
        api, type="emergencia", subtype="corte-servicio", form={"servicio": "luz", "direccion": "Calle 2"}
    )
    ana = aws.auth("ana.l1")  # atencion only; emergencies go to tecnico
    assert (
        problem(api.get(f"/api/v1/agent/tickets/{emergency['number']}", headers=ana), 403)["code"]
        == "not_your_team"
    )
    before = table_items(aws)
    assert problem(post(api, f"/api/v1/agent/tickets/{emergency['number']}/reply", {"body": "x"}, ana), 403)
    assert table_items(aws) == before
    assert (
        api.get(f"/api/v1/agent/tickets/{emergency['number']}", headers=aws.auth("bruno.l2")).status_code
        == 200
    )


def test_a_foreign_teams_queue_is_refused_with_its_own_message(api: Any, aws: Aws) -> None:
    ana = aws.auth("ana.l1")
    es = problem(api.get("/api/v1/agent/queue?team=tecnico", headers=ana), 403)
    assert es["code"] == "not_your_team_queue"
    assert es["detail"] == "No puede ver la cola del equipo «tecnico»: no es uno de sus equipos."
    en = problem(api.get("/api/v1/agent/queue?team=tecnico", headers={**ana, "Accept-Language": "en"}), 403)
    assert en["detail"] == "You cannot see the queue of team 'tecnico': it is not one of your teams."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/no-existe"),
        ("POST", "/api/v1/tickets/2026-000001/nada"),
        ("GET", "/api/v1/agent/queue/extra"),
        ("DELETE", "/api/v1"),
    ],
)
def test_unknown_routes_answer_a_404_problem_document(api: Any, aws: Aws, method: str, path: str) -> None:
    answer = api.request(method, path, headers={"Accept-Language": "en", **aws.auth("ana.l1")})
    body = problem(answer, 404)
    assert (body["code"], body["status"], body["detail"]) == ("route_not_found", 404, "Unknown route.")
    assert body["instance"] == path and "Missing Authentication Token" not in answer.body.decode()


def test_assign_checks_the_assignee(api: Any, aws: Aws) -> None:
    created = consulta(api)
    ana = aws.auth("ana.l1")
    unknown = post(api, f"/api/v1/agent/tickets/{created['number']}/assign", {"assignee": "nobody"}, ana)
    assert problem(unknown, 422)["errors"][0] == {
        "field": "assignee",
        "code": "unknown_staff",
        "message": "No existe un funcionario con ese identificador.",
    }
    nothing = post(api, f"/api/v1/agent/tickets/{created['number']}/assign", {}, ana)
    assert problem(nothing, 422)["errors"][0]["field"] == "assignee"
    moved = post(
        api,
        f"/api/v1/agent/tickets/{created['number']}/assign",
        {"team": "tecnico", "assignee": aws.logins["bruno.l2"].sub},
        aws.auth("carla.supervisora"),
    )
    assert moved.json_body["ticket"]["team"] == "tecnico"


def test_routes_without_token_are_401(api: Any) -> None:
    for path in ("/api/v1/agent/queue", "/api/v1/agent/tickets/2026-000001"):
        assert problem(api.get(path), 401)["code"] == "token_missing"
    assert problem(post(api, "/api/v1/agent/tickets/2026-000001/reply", {"body": "x"}), 401)


def _moto_key() -> Any:
    """The private key moto's Cognito signs with: lets a test mint tokens the pool's JWKS verifies."""
    from moto.utilities.utils import load_resource

    return jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key


def _claims(aws: Aws, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{aws.env['USER_POOL_ID']}",
        "sub": aws.logins["carla.supervisora"].sub,
        "client_id": aws.env["USER_POOL_CLIENT_ID"],
        "token_use": "access",
        "cognito:groups": ["supervisor"],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def test_a_token_signed_with_the_pool_key_is_accepted(api: Any, aws: Aws) -> None:
    token = jwt.encode(_claims(aws), _moto_key(), algorithm="RS256", headers={"kid": "dummy"})
    assert api.get("/api/v1/agent/queue", headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": int(time.time()) - 3600}, "token_expired"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}, "token_invalid"),
        ({"client_id": "another-client"}, "token_invalid"),
        ({"token_use": "refresh"}, "token_invalid"),
    ],
)
def test_bad_tokens_are_401(api: Any, aws: Aws, overrides: dict[str, Any], code: str) -> None:
    token = jwt.encode(_claims(aws, **overrides), _moto_key(), algorithm="RS256", headers={"kid": "dummy"})
    assert (
        problem(api.get("/api/v1/agent/queue", headers={"Authorization": f"Bearer {token}"}), 401)["code"]
        == code
    )


def test_a_token_signed_with_another_key_is_401(api: Any, aws: Aws) -> None:
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(aws), forged_key, algorithm="RS256", headers={"kid": "dummy"})
    assert (
        problem(api.get("/api/v1/agent/queue", headers={"Authorization": f"Bearer {token}"}), 401)["code"]
        == "token_invalid"
    )
    for garbage in ("Bearer", "Bearer abc.def.ghi", "Basic dXNlcjpwYXNz"):
        assert api.get("/api/v1/agent/queue", headers={"Authorization": garbage}).status_code == 401


def test_a_token_without_staff_role_is_403(api: Any, aws: Aws) -> None:
    token = jwt.encode(
        _claims(aws, **{"cognito:groups": ["moderator"]}),
        _moto_key(),
        algorithm="RS256",
        headers={"kid": "dummy"},
    )
    assert (
        problem(api.get("/api/v1/agent/queue", headers={"Authorization": f"Bearer {token}"}), 403)["code"]
        == "role_required"
    )


def test_bad_query_parameters_are_400(api: Any, aws: Aws) -> None:
    carla = aws.auth("carla.supervisora")
    for query in (
        "status=volando",
        "limit=0",
        "limit=abc",
        "limit=1000",
        "status=received&team=atencion&cursor=%%%",
        "order=sideways",  # oldest and newest are orders now
        "priority=urgentisima",
        "overdue=yes",
        # a cursor of the other order, and one whose position is not a queue key
        "order=priority&cursor=eyJvcmRlciI6ICJkdWUifQ==",
        "cursor=eyJvcmRlciI6ICJkdWUiLCAiYXRlbmNpb258cmVjZWl2ZWQiOiAieCJ9",
    ):
        code = problem(api.get(f"/api/v1/agent/queue?{query}", headers=carla), 400)["code"]
        assert code == ("invalid_cursor" if "cursor=" in query else "invalid_query")


def test_me_names_the_signed_in_staff(api: Any, aws: Aws) -> None:
    me = api.get("/api/v1/agent/me", headers=aws.auth("bruno.l2")).json_body
    assert me["name"] == "Bruno Díaz" and me["roles"] == ["agent-l2"] and me["tier"] == "L2"
    assert "tecnico" in me["teams"]
    assert problem(api.get("/api/v1/agent/me"), 401)["code"] == "token_missing"


def test_config_tells_the_web_the_time_zone(api: Any) -> None:
    config = api.get("/api/v1/config").json_body
    assert config["time_zone"] == "America/Santiago"
    assert config["user_pool_id"] and config["user_pool_client_id"]
