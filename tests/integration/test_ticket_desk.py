"""The agent's ticket page as a work surface (issue 22, items 8 and 9): "send and set status" as one
request and one notice; presence of other staff with a short TTL; colleagues to assign to."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items, ticket_body
from tests.integration.test_notifications import (
    drain,
    history_events,
    new_ticket,
    notifications,
    problem,
    publish_history,
    sent,
)


def put(api: Any, path: str, body: Any, headers: dict[str, str]) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return api.put(path, body=raw, headers={"Content-Type": "application/json", **headers})


# ---- send and set status ----------------------------------------------------------------------


def test_send_and_set_waiting_is_one_change_one_event_and_one_notice(api: Any, aws: Aws) -> None:
    created, email = new_ticket(api, channels=["email"])
    number = created["number"]
    publish_history(number)
    drain(aws)
    receipts = len(sent(email))
    agent = aws.auth("ana.l1")
    before = len(history_events(number))
    question = "Envíenos el número del poste, por favor."
    answer = post(
        api, f"/api/v1/agent/tickets/{number}/reply", {"body": question, "status": "waiting_citizen"}, agent
    )
    assert answer.status_code == 200, answer.body
    ticket = answer.json_body["ticket"]
    assert ticket["status"] == "waiting_citizen" and ticket["pauses"][-1]["end"] is None
    assert ticket["first_response_at"]  # the message is the first response
    new = history_events(number)[before:]
    # One public event carries the message and the move (plus the clock's pause).
    assert [e["action"] for e in new if e["action"] != "sla_paused"] == ["status_changed"]
    [moved] = [e for e in new if e["action"] == "status_changed"]
    assert moved["body"] == question and moved["data"]["previous"] == "received"
    publish_history(number)
    publish_history(number)  # a redelivery sends nothing twice
    drain(aws)
    mails = sent(email)
    assert len(mails) == receipts + 1, [m["subject"] for m in mails]
    [waiting] = [m for m in mails if "información" in m["subject"]]
    assert "número del poste" in waiting["text"]
    assert [n["kind"] for n in notifications(number)].count("waiting_for_citizen") == 1


def test_send_and_resolve_from_waiting_and_a_plain_reply_when_already_there(api: Any, aws: Aws) -> None:
    created, _ = new_ticket(api, channels=["email"])
    number = created["number"]
    agent = aws.auth("ana.l1")
    path = f"/api/v1/agent/tickets/{number}/reply"
    first = post(api, path, {"body": "¿Cuál es el número del poste?", "status": "waiting_citizen"}, agent)
    assert first.json_body["ticket"]["status"] == "waiting_citizen"
    # "Send and set waiting" on a request already waiting: a plain reply, nothing refused.
    again = post(
        api, path, {"body": "Le recordamos el número del poste.", "status": "waiting_citizen"}, agent
    )
    assert again.status_code == 200, again.body
    assert again.json_body["ticket"]["status"] == "waiting_citizen"
    assert again.json_body["history"][-1]["action"] == "message"
    version = again.json_body["ticket"]["version"]
    done = post(api, path, {"body": "Quedó reparada.", "status": "resolved", "version": version}, agent)
    assert done.status_code == 200, done.body
    assert done.json_body["ticket"]["status"] == "resolved" and done.json_body["ticket"]["resolved_at"]


def test_a_wrong_move_is_409_and_writes_nothing(api: Any, aws: Aws) -> None:
    created, _ = new_ticket(api, channels=["email"])
    number = created["number"]
    agent = aws.auth("ana.l1")
    path = f"/api/v1/agent/tickets/{number}/reply"
    assert post(api, path, {"body": "Resuelta.", "status": "resolved"}, agent).status_code == 200
    items, events = table_items(aws), len(history_events(number))
    body = problem(post(api, path, {"body": "¿Algo más?", "status": "waiting_citizen"}, agent), 409)
    assert body["code"] == "transition_forbidden"
    assert (table_items(aws), len(history_events(number))) == (items, events)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "Hola", "status": "closed"}, "status"),  # only waiting_citizen or resolved
        ({"body": "", "status": "resolved"}, "body"),
        ({"body": "Hola", "status": "resolved", "version": 0}, "version"),
    ],
)
def test_bad_send_and_set_is_422_naming_the_field(
    api: Any, aws: Aws, body: dict[str, Any], field: str
) -> None:
    created, _ = new_ticket(api)
    answer = problem(
        post(api, f"/api/v1/agent/tickets/{created['number']}/reply", body, aws.auth("ana.l1")), 422
    )
    assert field in [e["field"] for e in answer["errors"]]


def test_a_stale_send_and_set_is_a_conflict(api: Any, aws: Aws) -> None:
    created, _ = new_ticket(api)
    number = created["number"]
    agent = aws.auth("ana.l1")
    post(api, f"/api/v1/agent/tickets/{number}/note", {"body": "Reviso yo"}, aws.auth("bruno.l2"))
    stale = post(
        api,
        f"/api/v1/agent/tickets/{number}/reply",
        {"body": "Listo", "status": "resolved", "version": 1},
        agent,
    )
    assert problem(stale, 409)["code"] == "stale_version"


# ---- presence ---------------------------------------------------------------------------------


def test_presence_shows_other_staff_viewing_and_replying_and_the_version(api: Any, aws: Aws) -> None:
    created, _ = new_ticket(api)
    number = created["number"]
    path = f"/api/v1/agent/tickets/{number}/presence"
    ana, bruno = aws.auth("ana.l1"), aws.auth("bruno.l2")
    mine = put(api, path, {"state": "viewing"}, ana)
    assert mine.status_code == 200, mine.body
    assert mine.json_body["others"] == [] and mine.json_body["ttl_seconds"] == 60
    theirs = put(api, path, {"state": "replying"}, bruno).json_body
    assert [(o["name"], o["state"]) for o in theirs["others"]] == [("Ana Rojas", "viewing")]
    seen = api.get(path, headers=ana).json_body
    assert [o["state"] for o in seen["others"]] == ["replying"] and seen["version"] == 1
    # The citizen writes: the version the pages poll moves.
    code = {"X-Access-Code": created["access_code"], "Content-Type": "application/json"}
    assert api.post(
        f"/api/v1/tickets/{number}/messages", body=json.dumps({"body": "Más datos"}), headers=code
    ).status_code in (200, 201)
    assert api.get(path, headers=ana).json_body["version"] == 2
    # Leaving takes Bruno off at once.
    assert api.delete(path, headers=bruno).status_code == 204
    assert api.get(path, headers=ana).json_body["others"] == []


def test_presence_expires_after_its_ttl(api: Any, aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from ventanilla.models import common

    created, _ = new_ticket(api)
    path = f"/api/v1/agent/tickets/{created['number']}/presence"
    assert put(api, path, {"state": "viewing"}, aws.auth("bruno.l2")).status_code == 200
    assert len(api.get(path, headers=aws.auth("ana.l1")).json_body["others"]) == 1
    later = common.utcnow() + timedelta(seconds=61)
    monkeypatch.setattr("ventanilla.services.ticket_desk.utcnow", lambda: later)
    assert api.get(path, headers=aws.auth("ana.l1")).json_body["others"] == []


def test_presence_is_one_small_item_per_request_and_person(api: Any, aws: Aws) -> None:
    from boto3.dynamodb.conditions import Key

    from ventanilla.storage.table import table

    created, _ = new_ticket(api)
    number = created["number"]
    path = f"/api/v1/agent/tickets/{number}/presence"
    for state in ("viewing", "replying", "viewing"):
        put(api, path, {"state": state}, aws.auth("ana.l1"))
    items = table().query(KeyConditionExpression=Key("PK").eq(f"PRESENCE#{number}"))["Items"]
    assert len(items) == 1 and items[0]["state"] == "viewing" and int(items[0]["ttl"]) > 0


def test_presence_only_for_staff_who_may_see_the_request(api: Any, aws: Aws) -> None:
    emergency = post(
        api,
        "/api/v1/tickets",
        ticket_body(type="emergencia", subtype="corte-servicio", form={"servicio": "luz", "direccion": "x"}),
    ).json_body
    path = f"/api/v1/agent/tickets/{emergency['number']}/presence"
    assert problem(put(api, path, {"state": "viewing"}, aws.auth("ana.l1")), 403)  # another team
    assert problem(api.get(path, headers=aws.auth("diana.editora")), 403)  # not a working role
    assert problem(put(api, path, {"state": "viewing"}, {}), 401)
    assert problem(api.get("/api/v1/agent/tickets/2026-999999/presence", headers=aws.auth("ana.l1")), 404)
    assert put(api, path, {"state": "viewing"}, aws.auth("bruno.l2")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [({"state": "typing"}, "state"), ({}, "state"), ({"state": "viewing", "extra": 1}, "extra")],
)
def test_bad_presence_is_422_naming_the_field(api: Any, aws: Aws, body: dict[str, Any], field: str) -> None:
    created, _ = new_ticket(api)
    path = f"/api/v1/agent/tickets/{created['number']}/presence"
    answer = problem(put(api, path, body, aws.auth("ana.l1")), 422)
    assert field in [e["field"] for e in answer["errors"]]


# ---- colleagues, reassign, unassign ------------------------------------------------------------


def test_colleagues_then_reassign_and_unassign(api: Any, aws: Aws) -> None:
    created, _ = new_ticket(api)
    number = created["number"]
    ana = aws.auth("ana.l1")
    team = api.get(f"/api/v1/agent/tickets/{number}/colleagues", headers=ana).json_body
    names = {c["name"]: c for c in team["items"]}
    assert {"Ana Rojas", "Bruno Díaz"} <= set(names), names
    bruno = names["Bruno Díaz"]["sub"]
    given = post(api, f"/api/v1/agent/tickets/{number}/assign", {"assignee": bruno}, ana)
    assert given.status_code == 200 and given.json_body["ticket"]["assignee_name"] == "Bruno Díaz"
    taken_off = post(
        api, f"/api/v1/agent/tickets/{number}/assign", {"assignee": None, "team": team["team"]}, ana
    )
    assert taken_off.status_code == 200, taken_off.body
    assert taken_off.json_body["ticket"]["assignee"] is None
