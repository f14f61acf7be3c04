"""An agent reads back the availability they set (the console's form starts from it)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import JSON, Aws


def put(api: Any, body: Any, headers: dict[str, str]) -> Any:
    return api.put("/api/v1/agent/me/availability", body=json.dumps(body), headers={**JSON, **headers})


def test_availability_reads_back_what_was_set(api: Any, aws: Aws) -> None:
    ana = aws.auth("ana.l1")
    try:
        assert put(api, {"available": True, "capacity": 7}, ana).status_code == 200
        got = api.get("/api/v1/agent/me/availability", headers=ana)
        assert got.status_code == 200, got.body
        assert (got.json_body["available"], got.json_body["capacity"]) == (True, 7)
        assert got.json_body["teams"] == ["atencion"]
        assert got.headers["Cache-Control"] == "no-store"
        assert put(api, {"available": False, "capacity": 3}, ana).status_code == 200
        again = api.get("/api/v1/agent/me/availability", headers=ana).json_body
        assert (again["available"], again["capacity"]) == (False, 3)
    finally:
        put(api, {"available": False}, ana)


def test_availability_needs_a_staff_token(api: Any) -> None:
    response = api.get("/api/v1/agent/me/availability")
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_config_tells_the_web_the_sla_warning_shares(api: Any) -> None:
    config = api.get("/api/v1/config").json_body
    assert config["sla_warnings"] == [0.5, 0.8]


def test_queue_items_carry_what_the_badges_need(api: Any) -> None:
    from tests.conftest import post, ticket_body
    from ventanilla.services.queue import _queue_item
    from ventanilla.storage import tickets as store

    created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
    ticket = store.get_ticket(created.json_body["number"])
    assert ticket is not None
    item = _queue_item(ticket)
    assert item.warned == [] and item.breached == [] and item.first_response_at is None
    assert item.next_due == ticket.next_due == ticket.expected_response_by
    warned = _queue_item(ticket.model_copy(update={"warned": ["resolution:warn_50"]}))
    assert warned.warned == ["resolution:warn_50"]
