"""The satisfaction survey (B6): POST /api/v1/tickets/{number}/survey with the access code, once per
resolution, recorded on the ticket (for statistics) and in the history."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items, ticket_body


def create(api: Any) -> dict[str, Any]:
    response = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def move(api: Any, aws: Aws, number: str, status: str) -> dict[str, Any]:
    response = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": status}, aws.auth("ana.l1"))
    assert response.status_code == 200, response.body
    return dict(response.json_body["ticket"])


def resolved(api: Any, aws: Aws) -> dict[str, Any]:
    created = create(api)
    move(api, aws, created["number"], "resolved")
    return created


def survey(api: Any, created: dict[str, Any], body: Any, **headers: str) -> Any:
    return post(
        api,
        f"/api/v1/tickets/{created['number']}/survey",
        body,
        {"X-Access-Code": created["access_code"], **headers},
    )


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    body = dict(json.loads(response.body))
    assert body["status"] == status and body["detail"]
    return body


def stored(number: str) -> Any:
    from ventanilla.storage import tickets as store

    return store.get_with_history(number)


def test_survey_is_recorded_on_the_ticket_and_in_the_history(api: Any, aws: Aws) -> None:
    created = resolved(api, aws)
    followed = api.get(
        f"/api/v1/tickets/{created['number']}", headers={"X-Access-Code": created["access_code"]}
    ).json_body
    assert followed["survey_open"] is True and followed["csat_score"] is None

    answer = survey(api, created, {"score": 4, "comment": "  Rápido y claro.  "})
    assert answer.status_code == 201, answer.body
    view = answer.json_body
    assert view["survey_open"] is False
    assert view["csat_score"] == 4 and view["csat_at"]
    assert view["timeline"][-1]["action"] == "survey"
    assert view["timeline"][-1]["body"] == "Rápido y claro."

    ticket, history = stored(created["number"])
    assert ticket.csat_score == 4 and ticket.csat_comment == "Rápido y claro."
    assert ticket.csat_at is not None and ticket.csat_resolved_at == ticket.resolved_at
    event = history[-1]
    assert (event.action, event.public, event.actor.kind) == ("survey", True, "citizen")
    assert event.data["score"] == 4
    # Staff see it in the full history too.
    staff = api.get(f"/api/v1/agent/tickets/{created['number']}", headers=aws.auth("ana.l1")).json_body
    assert staff["ticket"]["csat_score"] == 4
    assert staff["history"][-1]["action"] == "survey"


def test_comment_is_optional(api: Any, aws: Aws) -> None:
    created = resolved(api, aws)
    answer = survey(api, created, {"score": 1})
    assert answer.status_code == 201, answer.body
    ticket, _ = stored(created["number"])
    assert ticket.csat_score == 1 and ticket.csat_comment is None


def test_second_answer_for_the_same_resolution_is_409_and_writes_nothing(api: Any, aws: Aws) -> None:
    created = resolved(api, aws)
    assert survey(api, created, {"score": 5}).status_code == 201
    before = table_items(aws)
    again = problem(survey(api, created, {"score": 1, "comment": "cambié de opinión"}), 409)
    assert again["code"] == "survey_already_answered"
    assert table_items(aws) == before
    ticket, _ = stored(created["number"])
    assert ticket.csat_score == 5


def test_survey_after_the_request_is_closed_is_still_allowed_once(api: Any, aws: Aws) -> None:
    created = resolved(api, aws)
    move(api, aws, created["number"], "closed")
    assert survey(api, created, {"score": 3}).status_code == 201
    assert problem(survey(api, created, {"score": 3}), 409)["code"] == "survey_already_answered"


def test_a_new_resolution_opens_a_new_survey(api: Any, aws: Aws) -> None:
    created = resolved(api, aws)
    assert survey(api, created, {"score": 2}).status_code == 201
    # The citizen writes again: the request reopens, and the open request cannot be rated.
    reply = post(
        api,
        f"/api/v1/tickets/{created['number']}/messages",
        {"body": "Sigue sin funcionar."},
        {"X-Access-Code": created["access_code"]},
    )
    assert reply.status_code == 201 and reply.json_body["status"] == "reopened"
    assert reply.json_body["survey_open"] is False
    assert problem(survey(api, created, {"score": 5}), 409)["code"] == "survey_not_open"
    move(api, aws, created["number"], "resolved")
    assert survey(api, created, {"score": 5}).status_code == 201
    ticket, history = stored(created["number"])
    assert ticket.csat_score == 5
    assert [e.data["score"] for e in history if e.action == "survey"] == [2, 5]


@pytest.mark.parametrize("status", [None, "in_progress", "waiting_citizen"])
def test_unresolved_request_cannot_be_rated(api: Any, aws: Aws, status: str | None) -> None:
    created = create(api)
    if status:
        move(api, aws, created["number"], "assigned")
        move(api, aws, created["number"], status)
    before = table_items(aws)
    body = problem(survey(api, created, {"score": 5}), 409)
    assert body["code"] == "survey_not_open"
    assert table_items(aws) == before


def test_closed_without_resolution_cannot_be_rated(api: Any, aws: Aws) -> None:
    created = create(api)
    move(api, aws, created["number"], "closed")  # spam or duplicate: never resolved
    assert problem(survey(api, created, {"score": 5}), 409)["code"] == "survey_not_open"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"score": 0}, "score", "greater_than_equal"),
        ({"score": 6}, "score", "less_than_equal"),
        ({"score": "5"}, "score", "int_type"),
        ({"score": 4.5}, "score", "int_type"),
        ({"score": True}, "score", "int_type"),
        ({}, "score", "missing"),
        ({"score": 3, "comment": "x" * 2001}, "comment", "string_too_long"),
        ({"score": 3, "stars": 5}, "stars", "extra_forbidden"),
    ],
)
def test_bad_answers_name_the_field_and_write_nothing(
    api: Any, aws: Aws, body: dict[str, Any], field: str, code: str
) -> None:
    created = resolved(api, aws)
    before = table_items(aws)
    answer = problem(survey(api, created, body), 422)
    assert {e["field"]: e["code"] for e in answer["errors"]}.get(field) == code, answer
    assert all(e["message"] and "{" not in e["message"] for e in answer["errors"])
    assert table_items(aws) == before
    assert stored(created["number"])[0].csat_score is None


@pytest.mark.parametrize(
    ("raw", "headers", "status", "code"),
    [
        ("{not json", {}, 400, "malformed_json"),
        ("[5]", {}, 400, "body_not_object"),
        ('{"score": 5}', {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
    ],
)
def test_malformed_survey_requests(
    api: Any, aws: Aws, raw: str, headers: dict[str, str], status: int, code: str
) -> None:
    created = resolved(api, aws)
    before = table_items(aws)
    assert problem(survey(api, created, raw, **headers), status)["code"] == code
    assert table_items(aws) == before


@pytest.mark.parametrize("code", [None, "", "ZZZZZZZZZZ"])
def test_wrong_or_missing_code_is_404_like_an_unknown_number(api: Any, aws: Aws, code: str | None) -> None:
    created = resolved(api, aws)
    headers = {} if code is None else {"X-Access-Code": code}
    before = table_items(aws)
    wrong = post(api, f"/api/v1/tickets/{created['number']}/survey", {"score": 5}, headers)
    unknown = post(
        api, "/api/v1/tickets/1999-999999/survey", {"score": 5}, {"X-Access-Code": created["access_code"]}
    )
    assert problem(wrong, 404)["code"] == problem(unknown, 404)["code"] == "ticket_not_found"
    assert table_items(aws) == before


def test_english_messages(api: Any, aws: Aws) -> None:
    created = create(api)
    body = problem(survey(api, created, {"score": 5}, **{"Accept-Language": "en"}), 409)
    assert body["detail"] == "The survey can be answered once the request is resolved."


def test_two_answers_at_once_keep_exactly_one(api: Any, aws: Aws, app: Any) -> None:
    from chalice.test import Client

    created = resolved(api, aws)
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def send(score: int) -> None:
        with Client(app) as client:
            barrier.wait()
            statuses.append(survey(client.http, created, {"score": score}).status_code)

    threads = [threading.Thread(target=send, args=(s,)) for s in (1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409]
    _, history = stored(created["number"])
    assert len([e for e in history if e.action == "survey"]) == 1


def test_survey_event_becomes_a_domain_event_without_the_comment() -> None:
    from ventanilla.domain_events import from_stream_record

    image = {
        "entity": "event",
        "event_id": "e1",
        "number": "2026-000001",
        "at": "2026-03-02T12:00:00.000Z",
        "action": "survey",
        "public": True,
        "actor": {"kind": "citizen", "id": "c1"},
        "channel": "web",
        "body": "Muy amable la funcionaria María",
        "data": {"score": Decimal(5), "resolved_at": "2026-03-02T11:00:00.000Z"},
    }
    [event] = from_stream_record("INSERT", image)  # numbers come out of a stream image as Decimal
    assert event.detail_type == "SurveyAnswered"
    assert event.detail["score"] == 5 and isinstance(event.detail["score"], int)
    assert "María" not in json.dumps(event.detail)  # JSON-ready, and without the comment
