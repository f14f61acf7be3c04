"""A staff change sent without ``version`` (issue 22): when the ticket moves between the request's
read and its write (the citizen's message lands at that instant), the change is applied to the
ticket as it is now instead of answering 409 for a version the agent never named. A change that
names a version keeps its optimistic check. The interleaving is made deterministic here: the
citizen's write runs right before the agent's first write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Aws, post
from tests.integration.test_notifications import new_ticket


@pytest.fixture()
def citizen_writes_first(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Arm with ``state["ticket"] = (number, code)``: the next staff write of that ticket is
    preceded by the citizen's message, written between the agent's read and its write."""
    from ventanilla.i18n import Lang
    from ventanilla.models.ticket import MessageIn
    from ventanilla.services import tickets
    from ventanilla.storage import tickets as store

    original = store.save_change
    state: dict[str, Any] = {"ticket": None, "interleaved": 0, "writes": 0}

    def save_change(expected: int, ticket: Any, events: Any) -> None:
        armed = state["ticket"]
        if armed and armed[0] == ticket.number:
            state["ticket"] = None  # once; the citizen's own write below passes straight through
            lang: Lang = "es"
            tickets.citizen_reply(armed[0], armed[1], MessageIn(body="Les envío el número: 4471."), lang)
            state["interleaved"] += 1
        state["writes"] += 1
        original(expected, ticket, events)

    monkeypatch.setattr(store, "save_change", save_change)
    yield state


def history(api: Any, number: str, agent: dict[str, str]) -> list[dict[str, Any]]:
    return list(api.get(f"/api/v1/agent/tickets/{number}", headers=agent).json_body["history"])


def test_a_status_change_without_version_applies_after_the_citizen_wrote(
    api: Any, aws: Aws, citizen_writes_first: dict[str, Any]
) -> None:
    created, _ = new_ticket(api, channels=["email"])
    number, code = created["number"], created["access_code"]
    agent = aws.auth("ana.l1")
    before = api.get(f"/api/v1/agent/tickets/{number}", headers=agent).json_body["ticket"]["version"]
    citizen_writes_first["ticket"] = (number, code)
    changed = post(
        api,
        f"/api/v1/agent/tickets/{number}/status",
        {"status": "waiting_citizen", "body": "¿Nos indica el número del poste?"},
        agent,
    )
    assert changed.status_code == 200, changed.body
    assert citizen_writes_first["interleaved"] == 1
    ticket = changed.json_body["ticket"]
    assert ticket["status"] == "waiting_citizen"
    assert ticket["version"] == before + 2  # the citizen's message, then the agent's change
    actions = [(e["action"], e["actor"]["kind"]) for e in history(api, number, agent)]
    assert actions.count(("message", "citizen")) == 1
    assert actions.count(("status_changed", "staff")) == 1
    # The citizen's message came first: the agent's change is the latest word.
    assert actions.index(("message", "citizen")) < actions.index(("status_changed", "staff"))


def test_a_reply_and_an_assignment_without_version_survive_the_same_race(
    api: Any, aws: Aws, citizen_writes_first: dict[str, Any]
) -> None:
    created, _ = new_ticket(api, channels=["email"])
    number, code = created["number"], created["access_code"]
    agent = aws.auth("ana.l1")
    citizen_writes_first["ticket"] = (number, code)
    replied = post(api, f"/api/v1/agent/tickets/{number}/reply", {"body": "Revisamos su caso."}, agent)
    assert replied.status_code == 200, replied.body
    assert citizen_writes_first["interleaved"] == 1
    messages = [e for e in replied.json_body["history"] if e["action"] == "message"]
    assert [m["actor"]["kind"] for m in messages] == ["citizen", "staff"]
    me = api.get("/api/v1/agent/me", headers=agent)
    if me.status_code == 200 and me.json_body.get("sub"):
        citizen_writes_first["ticket"] = (number, code)
        assigned = post(
            api, f"/api/v1/agent/tickets/{number}/assign", {"assignee": me.json_body["sub"]}, agent
        )
        assert assigned.status_code == 200, assigned.body
        assert citizen_writes_first["interleaved"] == 2


def test_a_change_that_names_its_version_still_gets_409_and_writes_nothing(
    api: Any, aws: Aws, citizen_writes_first: dict[str, Any]
) -> None:
    created, _ = new_ticket(api, channels=["email"])
    number, code = created["number"], created["access_code"]
    agent = aws.auth("ana.l1")
    version = api.get(f"/api/v1/agent/tickets/{number}", headers=agent).json_body["ticket"]["version"]
    citizen_writes_first["ticket"] = (number, code)
    stale = post(
        api,
        f"/api/v1/agent/tickets/{number}/status",
        {"status": "resolved", "body": "Listo.", "version": version},
        agent,
    )
    assert stale.status_code == 409, stale.body
    assert stale.json_body["code"] == "stale_version"
    ticket = api.get(f"/api/v1/agent/tickets/{number}", headers=agent).json_body["ticket"]
    assert ticket["status"] != "resolved" and ticket["version"] == version + 1  # the citizen's only
    assert not [
        e
        for e in history(api, number, agent)
        if e["action"] == "status_changed" and e.get("status") == "resolved"
    ]


def test_the_retry_judges_the_change_against_the_ticket_as_it_is_now(
    api: Any, aws: Aws, citizen_writes_first: dict[str, Any]
) -> None:
    """The agent closes a resolved request while the citizen's message reopens it: the second try
    sees a reopened request, which cannot be closed, so the agent is told (nothing is forced)."""
    created, _ = new_ticket(api, channels=["email"])
    number, code = created["number"], created["access_code"]
    agent = aws.auth("ana.l1")
    for status in ("in_progress", "resolved"):
        moved = post(
            api, f"/api/v1/agent/tickets/{number}/status", {"status": status, "body": "Listo."}, agent
        )
        assert moved.status_code == 200, moved.body
    citizen_writes_first["ticket"] = (number, code)
    closed = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "closed"}, agent)
    assert closed.status_code in (409, 422), closed.body
    assert closed.json_body["code"] != "stale_version", closed.body
    ticket = api.get(f"/api/v1/agent/tickets/{number}", headers=agent).json_body["ticket"]
    assert ticket["status"] == "reopened"
