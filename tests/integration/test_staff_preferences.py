"""Staff choose the language of their notices (es default, en); the notifier writes to each staff
member in theirs, against the moto server and the real notifier."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import JSON, Aws, post
from tests.integration.test_notifications import drain, new_ticket, publish_history, sent

PATH = "/api/v1/agent/me/preferences"


def put(api: Any, body: Any, headers: dict[str, str]) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return api.put(PATH, body=raw, headers={**JSON, **headers})


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


@pytest.fixture()
def bruno(api: Any, aws: Aws) -> Iterator[dict[str, str]]:
    """Bruno's token; his language is Spanish again after the test (the stack is shared)."""
    headers = aws.auth("bruno.l2")
    yield headers
    assert put(api, {"language": "es"}, headers).status_code == 200


def test_staff_set_english_and_read_it_back_without_losing_their_profile(
    api: Any, aws: Aws, bruno: dict[str, str]
) -> None:
    first = api.get(PATH, headers=bruno)
    assert first.status_code == 200 and first.json_body["language"] == "es"
    assert first.headers["Cache-Control"] == "no-store"
    saved = put(api, {"language": "en"}, bruno)
    assert saved.status_code == 200, saved.body
    assert saved.json_body == {"sub": aws.logins["bruno.l2"].sub, "language": "en"}
    assert api.get(PATH, headers=bruno).json_body["language"] == "en"
    me = api.get("/api/v1/agent/me", headers=bruno).json_body
    assert me["language"] == "en" and me["name"] == "Bruno Díaz" and me["tier"] == "L2"
    assert sorted(me["teams"]) == ["atencion", "tecnico", "transparencia"]
    from ventanilla.storage import people

    profile = people.get_staff(aws.logins["bruno.l2"].sub)
    assert profile is not None and profile.email == "bruno.diaz@vallverde.example"
    # Others keep theirs.
    assert api.get(PATH, headers=aws.auth("carla.supervisora")).json_body["language"] == "es"


def test_bad_preferences_are_refused_naming_the_field_and_change_nothing(
    api: Any, aws: Aws, bruno: dict[str, str]
) -> None:
    for body in ({"language": "fr"}, {"language": "EN"}, {"language": None}, {}):
        bad = problem(put(api, body, bruno), 422)
        assert [e["field"] for e in bad["errors"]] == ["language"], body
    unknown = problem(put(api, {"language": "en", "timezone": "UTC"}, bruno), 422)
    assert [e["field"] for e in unknown["errors"]] == ["timezone"]
    english = problem(put(api, {"language": "pt"}, {**bruno, "Accept-Language": "en"}), 422)
    assert english["errors"][0]["message"].startswith("Not allowed. Use:")
    assert problem(put(api, "not json", bruno), 400)["code"] == "malformed_json"
    assert problem(put(api, ["en"], bruno), 400)["code"] == "body_not_object"
    assert problem(put(api, {"language": "en"}, {}), 401)["code"] == "token_missing"
    assert problem(put(api, {"language": "en"}, {"Authorization": "Bearer nope"}), 401)
    assert api.get(PATH, headers=bruno).json_body["language"] == "es"


def test_an_english_staff_member_gets_english_alerts_and_a_spanish_one_spanish(
    api: Any, aws: Aws, bruno: dict[str, str]
) -> None:
    from ventanilla.domain_events import DomainEvent
    from ventanilla.integrations import eventbus
    from ventanilla.storage import people

    drain(aws)
    assert put(api, {"language": "en"}, bruno).status_code == 200
    created, _ = new_ticket(api, channels=["email"])
    number = created["number"]
    sub = aws.logins["bruno.l2"].sub
    carla = aws.auth("carla.supervisora")
    assert post(api, f"/api/v1/agent/tickets/{number}/assign", {"assignee": sub}, carla).status_code == 200
    publish_history(number, {"assigned"})
    drain(aws)
    bruno_mail = str(people.get_staff(sub).email)  # type: ignore[union-attr]
    [assigned] = [m for m in sent(bruno_mail) if number in m["subject"]]
    assert assigned["subject"] == f"Request {number} was assigned to you"
    assert assigned["text"].startswith("Hello Bruno")
    assert "Hola" not in assigned["text"] and "Se le asign" not in assigned["html"]

    breach = DomainEvent(
        detail_type="SlaBreached",
        detail={
            "event_id": uuid.uuid4().hex[:16],
            "number": number,
            "at": "2026-03-02T13:00:00.000Z",
            "action": "sla_breached",
            "public": False,
            "actor_kind": "system",
            "channel": "web",
            "target": "resolution",
            "kind": "breach",
            "due": "2026-03-02T12:00:00.000Z",
            "notify": [sub, "supervisor"],
        },
    )
    eventbus.publish([breach])
    drain(aws)
    [overdue] = [m for m in sent(bruno_mail) if m["subject"].startswith("Overdue")]
    assert overdue["subject"] == f"Overdue: resolution for request {number}"
    carla_mail = str(people.get_staff(aws.logins["carla.supervisora"].sub).email)  # type: ignore[union-attr]
    [vencida] = [m for m in sent(carla_mail) if number in m["subject"]]
    assert vencida["subject"] == f"Vencida: resolución de la solicitud {number}"
    from tests.integration.test_notifications import notifications

    kinds = {r["kind"] for r in notifications(number) if r["recipient"] == sub}
    assert kinds == {"ticket_assigned_to_you", "sla_breached"}
