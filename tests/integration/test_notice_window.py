"""Fewer, better notices (issue 22): what staff do on a request within a short window goes to the
citizen as one notice whose message carries the status; internal steps are not notified; every
citizen notice links to the request (or its survey) with a one-time token. The window is the same
mechanism locally and in AWS: a per-request pending item (conditional write) and one delayed
message on the notifications queue."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Aws, post
from tests.integration.test_notifications import (
    drain,
    new_ticket,
    notifications,
    poller,
    publish_history,
    sent,
)


@pytest.fixture()
def window(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> int:
    from ventanilla.settings import get_settings

    monkeypatch.setattr(get_settings(), "notify_coalesce_seconds", 1)
    return 1


def settle(aws: Aws) -> None:
    """Drain the queue, waiting past the window for the delayed flush to become visible."""
    poller(aws).drain(timeout=60, settle=2.5)


def links(mail: dict[str, Any], number: str, page: str = "") -> list[str]:
    return re.findall(rf"/#/solicitud/{number}{page}\?t=([A-Za-z0-9_-]{{32}})", mail["text"])


def test_an_agent_pass_is_one_notice_carrying_the_message_and_the_status(
    api: Any, aws: Aws, window: int
) -> None:
    created, email = new_ticket(api, channels=["email"])
    number = created["number"]
    publish_history(number)
    drain(aws)
    assert len(sent(email)) == 1  # the receipt goes at once: it carries the access code
    agent = aws.auth("ana.l1")
    # Take it, reply, set waiting with a question: three public steps in a few seconds.
    taken = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "in_progress"}, agent)
    assert taken.status_code == 200, taken.body
    replied = post(
        api, f"/api/v1/agent/tickets/{number}/reply", {"body": "Revisamos su caso con el equipo."}, agent
    )
    assert replied.status_code == 200, replied.body
    waiting = post(
        api,
        f"/api/v1/agent/tickets/{number}/status",
        {"status": "waiting_citizen", "body": "Envíenos el número del poste, por favor."},
        agent,
    )
    assert waiting.status_code == 200, waiting.body
    publish_history(number)
    publish_history(number)  # the stream redelivers: still one notice
    settle(aws)
    mails = sent(email)
    assert len(mails) == 2, [m["subject"] for m in mails]
    notice = mails[0] if "información" in mails[0]["subject"] else mails[1]
    assert "Necesitamos información" in notice["subject"]
    # The one notice carries both messages, and opens the request ready to answer.
    assert "Revisamos su caso" in notice["text"] and "número del poste" in notice["text"]
    assert len(links(notice, number)) == 1
    assert [r["kind"] for r in notifications(number)].count("waiting_for_citizen") == 1
    # The citizen's history is the conversation: no "notice sent" rows, no routing.
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": created["access_code"]}).json_body
    assert not [e for e in view["timeline"] if e["action"] == "notification"]
    assert not [e for e in view["timeline"] if e.get("status") == "assigned"]
    assert view["description"].startswith("Hace una semana")


def test_internal_steps_alone_send_nothing(api: Any, aws: Aws, window: int) -> None:
    created, email = new_ticket(api, channels=["email"])
    number = created["number"]
    agent = aws.auth("ana.l1")
    assert (
        post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "in_progress"}, agent).status_code
        == 200
    )
    note = post(api, f"/api/v1/agent/tickets/{number}/note", {"body": "Llamar a bodega"}, agent)
    assert note.status_code == 200, note.body
    publish_history(number)
    settle(aws)
    assert [m["subject"] for m in sent(email)] == [sent(email)[0]["subject"]]  # the receipt only
    assert "Llamar a bodega" not in sent(email)[0]["text"]


def test_the_resolved_notice_carries_the_answer_and_a_survey_link_that_opens_the_request(
    api: Any, aws: Aws, window: int
) -> None:
    created, email = new_ticket(api, channels=["email"])
    number = created["number"]
    agent = aws.auth("ana.l1")
    assert (
        post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "in_progress"}, agent).status_code
        == 200
    )
    answer = "La cuadrilla reparó la luminaria el jueves."
    done = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "resolved", "body": answer}, agent)
    assert done.status_code == 200, done.body
    publish_history(number)
    settle(aws)
    [resolved] = [m for m in sent(email) if "resuelta" in m["subject"]]
    assert answer in resolved["text"] and answer in resolved["html"]
    [survey_token] = links(resolved, number, "/encuesta")
    [page_token] = links(resolved, number)
    assert survey_token != page_token  # each link works once, independently
    opened = post(api, f"/api/v1/tickets/{number}/session", {"token": survey_token})
    assert opened.status_code == 201, opened.body
    session = {"X-Ticket-Session": opened.json_body["session"]}
    view = api.get(f"/api/v1/tickets/{number}", headers=session).json_body
    assert view["survey_open"] is True and view["first_response_at"]
    rated = post(api, f"/api/v1/tickets/{number}/survey", {"score": 5, "comment": None}, session)
    assert rated.status_code in (200, 201), rated.body
    # The other link still opens the request; the access code remains a way in.
    assert post(api, f"/api/v1/tickets/{number}/session", {"token": page_token}).status_code == 201
    code = {"X-Access-Code": created["access_code"]}
    assert api.get(f"/api/v1/tickets/{number}", headers=code).status_code == 200


def test_a_window_is_one_pending_item_per_request_and_a_flush_without_news_sends_nothing(
    api: Any, aws: Aws, window: int
) -> None:
    from ventanilla.services import delivery
    from ventanilla.storage import notices

    created, _email = new_ticket(api, channels=["email"])
    number = created["number"]
    first = notices.hold(number, "ev-1", "2026-01-01T00:00:00Z", 1)
    again = notices.hold(number, "ev-2", "2026-01-01T00:00:05Z", 1)
    assert first["event_id"] == again["event_id"] == "ev-1"  # the second joins the open window
    notices.close_window(number, "ev-2")  # not the window's opener: stays open
    assert notices.hold(number, "ev-3", "x", 1)["event_id"] == "ev-1"
    result = delivery.handle(
        "CitizenNoticeDue", {"number": number, "window": "ev-1", "since": "2026-01-01T00:00:00+00:00"}
    )
    assert result.sent == 0  # nothing public from staff: no notice
    assert notices.hold(number, "ev-4", "y", 1)["event_id"] == "ev-4"  # the flush closed the window
    notices.close_window(number, "ev-4")
    bad = delivery.handle("CitizenNoticeDue", {"number": number, "window": "ev-9", "since": "nonsense"})
    assert bad.sent == 0
