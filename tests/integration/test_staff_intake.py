"""Staff enter what arrived by phone, at the counter, by letter or chat (C1), and file internal
requests for themselves (B7): POST /api/v1/agent/tickets through the API and the notifier."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from tests.conftest import Aws, post, table_items
from tests.integration.test_notifications import drain, publish_history, sent
from ventanilla import clock
from ventanilla.models.common import iso


def entry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "consulta",
        "subtype": "general",
        "subject": "Consulta telefónica por horario",
        "description": "Llamó para saber si atienden los sábados.",
        "channel": "phone",
        "requester": {
            "name": "Juana Soto",
            "email": f"juana-{uuid.uuid4().hex[:8]}@example.cl",
            "channels": ["email"],
            "consent": True,
        },
    }
    body.update(overrides)
    return body


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


def fields(doc: dict[str, Any]) -> set[str]:
    return {e["field"] for e in doc.get("errors", [])}


def test_a_phone_request_is_filed_by_the_agent_and_the_citizen_gets_the_receipt(api: Any, aws: Aws) -> None:
    drain(aws)
    body = entry()
    created = post(api, "/api/v1/agent/tickets", body, aws.auth("ana.l1"))
    assert created.status_code == 201, created.body
    number, code = created.json_body["number"], created.json_body["access_code"]
    assert created.headers["Location"] == f"/api/v1/agent/tickets/{number}"
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("ana.l1")).json_body
    t = staff["ticket"]
    assert t["channel"] == "phone" and t["created_by_name"] == "Ana Rojas"
    assert t["requester"]["name"] == "Juana Soto" and t["received_at"] is None
    [event] = [h for h in staff["history"] if h["action"] == "created"]
    assert event["channel"] == "phone" and event["actor"]["kind"] == "staff"
    # The citizen follows it with the code and hears about it on their channel.
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code})
    assert view.status_code == 200 and view.json_body["timeline"][0]["channel"] == "phone"
    publish_history(number)
    drain(aws)
    [mail] = sent(body["requester"]["email"], "email")
    assert number in mail["subject"] and code in mail["text"]


def test_a_letter_is_dated_when_received_and_its_terms_run_from_then(api: Any, aws: Aws) -> None:
    now = clock.now()
    received = now - timedelta(days=7)
    common = {
        "type": "solicitud-informacion",
        "subtype": "ley-20285",
        "form": {"rut": "12.345.678-5", "formato": "correo"},
        "channel": "letter",
    }
    today = post(api, "/api/v1/agent/tickets", entry(**common), aws.auth("bruno.l2")).json_body
    dated = post(
        api, "/api/v1/agent/tickets", entry(**common, received_at=iso(received)), aws.auth("bruno.l2")
    )
    assert dated.status_code == 201, dated.body
    d = dated.json_body
    assert d["resolution_due"] < today["resolution_due"]
    t = api.get(f"/api/v1/agent/tickets/{d['number']}", headers=aws.auth("bruno.l2")).json_body
    assert t["ticket"]["received_at"][:19] == iso(received)[:19] == t["ticket"]["created_at"][:19]
    [event] = [h for h in t["history"] if h["action"] == "created"]
    assert event["at"][:19] == iso(received)[:19] and "entered_at" in event["data"]
    # The legal term is 20 business days from the letter, not from the day it was typed in.
    legal_today = api.get(f"/api/v1/agent/tickets/{today['number']}", headers=aws.auth("bruno.l2")).json_body
    assert t["ticket"]["legal_due"] < legal_today["ticket"]["legal_due"]


def test_staff_file_internal_requests_for_themselves(api: Any, aws: Aws) -> None:
    body = entry(type="soporte-interno", subtype="sistemas", channel="chat", requester=None)
    body.pop("requester")
    body["form"] = {"sistema": "Correo institucional"}
    created = post(api, "/api/v1/agent/tickets", body, aws.auth("ana.l1"))
    assert created.status_code == 201, created.body
    number = created.json_body["number"]
    t = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("carla.supervisora")).json_body["ticket"]
    assert t["requester"]["kind"] == "internal" and t["requester"]["email"] == "ana.rojas@vallverde.example"
    assert t["created_by_name"] == "Ana Rojas" and t["channel"] == "chat"
    # An external-only type is not for internal requesters... and an internal-only type not for citizens.
    citizen = entry(type="soporte-interno", subtype="sistemas", form={"sistema": "Correo"})
    doc = problem(post(api, "/api/v1/agent/tickets", citizen, aws.auth("ana.l1")), 422)
    assert "requester.kind" in fields(doc)


def test_bad_entries_are_clear_problems_and_write_nothing(api: Any, aws: Aws) -> None:
    before = table_items(aws)
    auth = aws.auth("ana.l1")
    now = clock.now()
    cases = [
        (entry(channel="web"), "channel"),
        (entry(channel="monitoring"), "channel"),
        (entry(received_at=iso(now + timedelta(days=1))), "received_at"),
        (entry(received_at=iso(now - timedelta(days=200))), "received_at"),
        (entry(received_at="2026-01-05T10:00:00"), "received_at"),
        (entry(received_at="ayer"), "received_at"),
        (entry(type="no-existe"), "type"),
        (entry(requester={"name": "X Y", "channels": ["email"], "consent": True}), "requester.email"),
    ]
    for body, field in cases:
        doc = problem(post(api, "/api/v1/agent/tickets", body, auth), 422)
        assert field in fields(doc), (body, doc)
    doc = problem(
        post(
            api,
            "/api/v1/agent/tickets",
            entry(received_at=iso(now + timedelta(days=1))),
            {**auth, "Accept-Language": "en"},
        ),
        422,
    )
    assert "future" in json.dumps(doc)
    assert table_items(aws) == before


def test_only_working_staff_enter_requests(api: Any, aws: Aws) -> None:
    before = table_items(aws)
    problem(post(api, "/api/v1/agent/tickets", entry()), 401)
    problem(post(api, "/api/v1/agent/tickets", entry(), aws.auth("diana.editora")), 403)
    assert table_items(aws) == before


def test_a_retried_entry_with_the_same_key_files_once(api: Any, aws: Aws) -> None:
    auth = {**aws.auth("ana.l1"), "Idempotency-Key": f"phone-{uuid.uuid4().hex}"}
    body = entry(channel="in_person", received_at=iso(clock.now() - timedelta(hours=2)))
    first = post(api, "/api/v1/agent/tickets", body, auth)
    again = post(api, "/api/v1/agent/tickets", body, auth)
    assert first.status_code == again.status_code == 201
    assert first.json_body["number"] == again.json_body["number"]
    other = post(api, "/api/v1/agent/tickets", {**body, "subject": "Otra cosa distinta"}, auth)
    assert other.status_code == 422


def test_the_filer_reads_their_internal_request_for_another_team_and_cannot_act_on_it(
    api: Any, aws: Aws
) -> None:
    """Ana (team atencion) asks IT (tecnico) for access: she opens it in the agent view, sees its
    public conversation only, and every change still checks the team."""
    body = entry(
        type="soporte-interno", subtype="sistemas", channel="chat", form={"sistema": "Correo institucional"}
    )
    body.pop("requester")
    ana, bruno = aws.auth("ana.l1"), aws.auth("bruno.l2")
    number = post(api, "/api/v1/agent/tickets", body, ana).json_body["number"]
    team = api.get(f"/api/v1/agent/tickets/{number}", headers=bruno).json_body
    assert team["access"] == "team" and team["ticket"]["team"] != "atencion"
    assert (
        post(
            api, f"/api/v1/agent/tickets/{number}/note", {"body": "Revisar licencia ERP."}, bruno
        ).status_code
        == 200
    )
    assert (
        post(api, f"/api/v1/agent/tickets/{number}/reply", {"body": "Lo vemos hoy."}, bruno).status_code
        == 200
    )

    mine = api.get(f"/api/v1/agent/tickets/{number}", headers=ana)
    assert mine.status_code == 200, mine.body
    view = mine.json_body
    assert view["access"] == "filer" and view["ticket"]["number"] == number
    assert view["next_statuses"] == []  # read only: nothing to offer
    assert all(e["public"] for e in view["history"])
    bodies = [e.get("body") for e in view["history"]]
    assert "Lo vemos hoy." in bodies and "Revisar licencia ERP." not in bodies
    # Read only: acting on it is still refused for her team.
    for path, change in (
        ("reply", {"body": "¿Novedades?"}),
        ("note", {"body": "x"}),
        ("assign", {"assignee": None}),
    ):
        refused = problem(post(api, f"/api/v1/agent/tickets/{number}/{path}", change, ana), 403)
        assert refused["code"] == "not_your_team", path
    assert problem(api.get(f"/api/v1/agent/tickets/{number}/requester", headers=ana), 403)

    # Another staff member's internal request, or a request she filed for a citizen, stays closed.
    theirs = entry(
        type="soporte-interno", subtype="sistemas", channel="chat", form={"sistema": "Correo institucional"}
    )
    theirs.pop("requester")
    elena_number = post(api, "/api/v1/agent/tickets", theirs, aws.auth("elena.admin")).json_body["number"]
    assert (
        problem(api.get(f"/api/v1/agent/tickets/{elena_number}", headers=ana), 403)["code"] == "not_your_team"
    )
    assert problem(api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("diana.editora")), 403)
