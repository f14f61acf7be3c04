"""Citizens file, follow and answer requests through the API (handlers against moto)."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest

from tests.conftest import Aws, post, table_items, ticket_body


def create(api: Any, **overrides: Any) -> dict[str, Any]:
    response = post(api, "/api/v1/tickets", ticket_body(**overrides))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def test_create_returns_number_code_and_dates(api: Any) -> None:
    created = create(api)
    assert re.fullmatch(r"20\d\d-\d{6}", created["number"])
    assert len(created["access_code"]) >= 8
    assert created["status"] == "received"
    assert created["expected_response_by"] < created["resolution_due"]
    assert created["follow_url"].endswith(created["number"])


def test_follow_shows_public_timeline_in_spanish_by_default(api: Any) -> None:
    created = create(api)
    response = api.get(
        f"/api/v1/tickets/{created['number']}", headers={"X-Access-Code": created["access_code"]}
    )
    assert response.status_code == 200
    view = response.json_body
    assert view["status_label"] == "Recibida"
    assert [e["action"] for e in view["timeline"]] == ["created"]
    english = api.get(
        f"/api/v1/tickets/{created['number']}",
        headers={"X-Access-Code": created["access_code"], "Accept-Language": "en-US,en;q=0.9"},
    )
    assert english.json_body["status_label"] == "Received"


def test_access_code_is_case_and_hyphen_insensitive(api: Any) -> None:
    created = create(api)
    typed = "-".join([created["access_code"][:5].lower(), created["access_code"][5:]])
    response = api.get(f"/api/v1/tickets/{created['number']}", headers={"X-Access-Code": typed})
    assert response.status_code == 200


@pytest.mark.parametrize("code", [None, "", "WRONGCODE1", "x" * 500])
def test_wrong_or_missing_code_answers_like_unknown_number(api: Any, code: str | None) -> None:
    created = create(api)
    headers = {"X-Access-Code": code} if code is not None else {}
    wrong = api.get(f"/api/v1/tickets/{created['number']}", headers=headers)
    unknown = api.get("/api/v1/tickets/1999-999999", headers={"X-Access-Code": created["access_code"]})
    garbage = api.get("/api/v1/tickets/not-a-number", headers={"X-Access-Code": created["access_code"]})
    assert wrong.status_code == unknown.status_code == garbage.status_code == 404
    strip = lambda body: {k: v for k, v in json.loads(body).items() if k != "instance"}  # noqa: E731
    assert strip(wrong.body) == strip(unknown.body) == strip(garbage.body)


def test_citizen_reply_appears_on_the_timeline(api: Any) -> None:
    created = create(api)
    headers = {"X-Access-Code": created["access_code"]}
    response = post(
        api,
        f"/api/v1/tickets/{created['number']}/messages",
        {"body": "Adjunto más detalles: sigue apagada."},
        headers,
    )
    assert response.status_code == 201
    timeline = response.json_body["timeline"]
    assert timeline[-1]["action"] == "message"
    assert timeline[-1]["author"] == "Usted"
    again = api.get(f"/api/v1/tickets/{created['number']}", headers=headers).json_body
    assert again["timeline"][-1]["body"] == "Adjunto más detalles: sigue apagada."


def test_reply_with_wrong_code_is_404_and_writes_nothing(api: Any, aws: Aws) -> None:
    created = create(api)
    before = table_items(aws)
    response = post(
        api,
        f"/api/v1/tickets/{created['number']}/messages",
        {"body": "hola"},
        {"X-Access-Code": "ZZZZZZZZZZ"},
    )
    assert response.status_code == 404
    assert table_items(aws) == before
    # What a wrong code does write: the number's wrong-code counter (the lockout's).
    guess = (
        boto3.resource("dynamodb")
        .Table(aws.env["TABLE_NAME"])
        .get_item(Key={"PK": f"GUESS#{created['number']}", "SK": "GUESS"})
    )
    assert guess["Item"]["fails"] == 1


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = json.loads(response.body)
    assert body["status"] == status and body["type"].startswith("urn:ventanilla:problem:")
    assert body["title"] and body["detail"]
    return dict(body)


def _fields(body: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["code"] for e in body.get("errors", [])}


BAD_BODIES = [
    ({"type": "no-existe"}, "type", "unknown_type"),
    ({"subtype": "no-existe"}, "subtype", "unknown_subtype"),
    ({"form": {"servicio": "alumbrado"}}, "form.direccion", "missing"),
    ({"form": {"servicio": "piscina", "direccion": "x"}}, "form.servicio", "unknown_option"),
    ({"form": {"servicio": "alumbrado", "direccion": "x", "extra": "1"}}, "form.extra", "extra_forbidden"),
    ({"form": {"servicio": "alumbrado", "direccion": "x" * 201}}, "form.direccion", "string_too_long"),
    ({"subject": "x" * 201}, "subject", "string_too_long"),
    ({"description": "x" * 10_001}, "description", "string_too_long"),
    ({"requester": {"email": "no-es-correo"}}, "requester.email", "invalid_email"),
    ({"requester": {"phone": "123"}}, "requester.phone", "invalid_phone"),
    ({"requester": {"consent": False}}, "requester.consent", "consent_required"),
    ({"requester": {"email": None, "phone": None, "channels": []}}, "requester.email", "contact_required"),
    ({"requester": {"email": None, "channels": ["email"]}}, "requester.channels", "channel_needs_contact"),
    ({"channel": "paloma"}, "channel", "enum"),
    ({"unexpected": 1}, "unexpected", "extra_forbidden"),
    (
        {"type": "soporte-interno", "subtype": "equipos", "form": {"unidad": "DOM"}},
        "requester.kind",
        "literal_error",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD_BODIES)
def test_bad_bodies_name_the_field_and_write_nothing(
    api: Any, aws: Aws, overrides: dict[str, Any], field: str, code: str
) -> None:
    before = table_items(aws)
    body = _problem(post(api, "/api/v1/tickets", ticket_body(**overrides)), 422)
    assert _fields(body).get(field) == code, body
    assert all(e["message"] and "{" not in e["message"] for e in body["errors"])
    assert table_items(aws) == before


def test_errors_are_worded_in_english_on_request(api: Any) -> None:
    response = post(api, "/api/v1/tickets", ticket_body(type="no-existe"), {"Accept-Language": "en"})
    body = _problem(response, 422)
    assert body["title"] == "Invalid data"
    assert body["errors"][0]["message"] == "Unknown request type."


def test_rut_is_checked_with_its_verifier_digit(api: Any) -> None:
    bad = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type="tramite",
            subtype="licencia-conducir",
            form={"rut": "12.345.678-9", "clase": "b", "tipo": "renovacion"},
        ),
    )
    assert _fields(_problem(bad, 422)) == {"form.rut": "invalid_rut"}
    good = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            type="tramite",
            subtype="licencia-conducir",
            form={"rut": "12.345.678-5", "clase": "b", "tipo": "renovacion"},
        ),
    )
    assert good.status_code == 201


@pytest.mark.parametrize(
    ("raw", "headers", "status", "code"),
    [
        ("{not json", {}, 400, "malformed_json"),
        ("[1, 2]", {}, 400, "body_not_object"),
        ("", {}, 400, "malformed_json"),
        ('{"a": 1}', {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ('{"a": 1}', {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ('{"x": "' + "a" * 300_000 + '"}', {}, 413, "payload_too_large"),
    ],
)
def test_malformed_requests(
    api: Any, aws: Aws, raw: str, headers: dict[str, str], status: int, code: str
) -> None:
    before = table_items(aws)
    body = _problem(post(api, "/api/v1/tickets", raw, headers), status)
    assert body["code"] == code
    assert table_items(aws) == before


def test_wrong_method_is_a_problem_document(api: Any) -> None:
    body = _problem(api.delete("/api/v1/tickets"), 405)
    assert body["code"] == "method_not_allowed"


def test_idempotency_key_returns_the_first_answer_and_creates_nothing(api: Any, aws: Aws) -> None:
    headers = {"Idempotency-Key": "retry-test-0001"}
    first = post(api, "/api/v1/tickets", ticket_body(), headers)
    assert first.status_code == 201
    before = table_items(aws)
    second = post(api, "/api/v1/tickets", ticket_body(), headers)
    assert second.status_code == 201
    assert second.json_body == first.json_body
    assert table_items(aws) == before
    other = post(api, "/api/v1/tickets", ticket_body(subject="Otro asunto distinto"), headers)
    assert _problem(other, 422)["code"] == "idempotency_key_reused"
    assert table_items(aws) == before


def test_bad_idempotency_key_is_refused(api: Any) -> None:
    body = _problem(post(api, "/api/v1/tickets", ticket_body(), {"Idempotency-Key": "short"}), 400)
    assert body["code"] == "invalid_idempotency_key"


def test_same_citizen_is_one_record_across_requests(aws: Aws, api: Any) -> None:
    from ventanilla.storage import tickets as store

    a = create(api, requester={"email": "repite@example.cl", "phone": None, "channels": ["email"]})
    b = create(api, requester={"email": "REPITE@EXAMPLE.CL", "phone": None, "channels": ["email"]})
    ta, tb = store.get_ticket(a["number"]), store.get_ticket(b["number"])
    assert ta is not None and tb is not None
    assert ta.citizen_id == tb.citizen_id
    assert {t.number for t in store.by_citizen(ta.citizen_id, 10)} >= {a["number"], b["number"]}


def test_two_creates_racing_for_one_number_cannot_both_win(aws: Aws) -> None:
    """Both read the counter at n; the transaction's conditions let exactly one write n+1."""
    import threading
    from datetime import UTC, datetime

    from ventanilla.models.ticket import Ticket
    from ventanilla.storage import tickets as store

    year = 2031  # a year no other test writes
    previous = store.read_counter(year)
    template = {
        "type_code": "consulta",
        "subtype_code": "general",
        "subject": "s",
        "description": "d",
        "channel": "web",
        "status": "received",
        "impact": "low",
        "urgency": "low",
        "priority": "low",
        "team": "atencion",
        "tier": "L1",
        "citizen_id": "c",
        "access_code_hash": "x",
        "requester": {"name": "N", "email": "n@example.cl"},
        "created_at": datetime(year, 1, 5, tzinfo=UTC),
        "updated_at": datetime(year, 1, 5, tzinfo=UTC),
        "expected_response_by": datetime(year, 1, 6, tzinfo=UTC),
        "resolution_due": datetime(year, 1, 9, tzinfo=UTC),
    }
    number = f"{year}-{previous + 1:06d}"
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def attempt(subject: str) -> None:
        ticket = Ticket.model_validate({**template, "number": number, "subject": subject})
        barrier.wait()
        try:
            store.insert_ticket(year, previous, ticket, [])
            outcomes.append(subject)
        except store.NumberTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(s,)) for s in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "taken" and sorted(outcomes)[0] in ("A", "B")
    stored = store.get_ticket(number)
    assert stored is not None and stored.subject == sorted(outcomes)[0]
    assert store.read_counter(year) == previous + 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "phone"}, "channel"),
        ({"channel": "in_person"}, "channel"),
        ({"requester": {"kind": "internal"}}, "requester.kind"),
    ],
)
def test_only_staff_may_file_on_another_channel_or_as_internal(
    api: Any, aws: Aws, overrides: dict[str, Any], field: str
) -> None:
    before = table_items(aws)
    refused = post(api, "/api/v1/tickets", ticket_body(**overrides))
    assert refused.status_code == 422, refused.body
    errors = json.loads(refused.body)["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, "staff_only")]
    assert table_items(aws) == before
    assert post(api, "/api/v1/tickets", ticket_body(channel="web")).status_code == 201


def test_a_staff_member_files_by_phone_and_is_recorded_as_the_creator(api: Any, aws: Aws) -> None:
    ana = aws.auth("ana.l1")
    body = ticket_body(
        type="soporte-interno", subtype="equipos", form={"unidad": "Finanzas"}, channel="phone"
    )
    body["requester"]["kind"] = "internal"
    filed = post(api, "/api/v1/tickets", body, ana)
    assert filed.status_code == 201, filed.body
    number = filed.json_body["number"]
    view = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("carla.supervisora")).json_body
    ticket = view["ticket"]
    assert ticket["channel"] == "phone" and ticket["requester"]["kind"] == "internal"
    assert (ticket["created_by"], ticket["created_by_name"]) == (aws.logins["ana.l1"].sub, "Ana Rojas")
    created = next(e for e in view["history"] if e["action"] == "created")
    assert created["actor"] == {"kind": "staff", "id": aws.logins["ana.l1"].sub, "name": "Ana Rojas"}
    assert created["channel"] == "phone" and created["data"]["citizen_id"] == ticket["citizen_id"]
    citizen = create(api)
    mine = api.get(
        f"/api/v1/agent/tickets/{citizen['number']}", headers=aws.auth("carla.supervisora")
    ).json_body
    assert mine["ticket"]["created_by"] is None
    bad_token = post(api, "/api/v1/tickets", ticket_body(), {"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401
