"""Links between requests (B8): both sides, kinds as each side sees them, history, bad input."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Aws, post, table_items, ticket_body


def filed(api: Any) -> str:
    response = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
    assert response.status_code == 201
    return str(response.json_body["number"])


def test_link_both_ways_then_unlink(api: Any, aws: Aws) -> None:
    a, b = filed(api), filed(api)
    auth = aws.auth("ana.l1")
    linked = post(api, f"/api/v1/agent/tickets/{a}/links", {"number": b, "kind": "parent"}, auth)
    assert linked.status_code == 201, linked.body
    assert linked.json_body["items"] == [{"number": b, "kind": "parent"}]
    other_side = api.get(f"/api/v1/agent/tickets/{b}/links", headers=auth).json_body["items"]
    assert other_side == [{"number": a, "kind": "child"}]
    history = api.get(f"/api/v1/agent/tickets/{b}", headers=auth).json_body["history"]
    [event] = [h for h in history if h["action"] == "linked"]
    assert event["data"] == {"other": a, "kind": "child"} and event["public"] is False
    again = post(api, f"/api/v1/agent/tickets/{a}/links", {"number": b, "kind": "related"}, auth)
    assert again.status_code == 409
    removed = api.delete(f"/api/v1/agent/tickets/{b}/links/{a}", headers=auth)
    assert removed.status_code == 200 and removed.json_body["items"] == []
    assert api.get(f"/api/v1/agent/tickets/{a}/links", headers=auth).json_body["items"] == []
    assert any(
        h["action"] == "unlinked"
        for h in api.get(f"/api/v1/agent/tickets/{a}", headers=auth).json_body["history"]
    )
    assert api.delete(f"/api/v1/agent/tickets/{b}/links/{a}", headers=auth).status_code == 404


def test_bad_links_are_refused_and_write_nothing(api: Any, aws: Aws) -> None:
    a = filed(api)
    auth = aws.auth("ana.l1")
    before = table_items(aws)
    for body, field in (
        ({"number": a, "kind": "related"}, "number"),
        ({"number": "2026-999999", "kind": "related"}, "number"),
        ({"number": "hola", "kind": "related"}, "number"),
        ({"number": a, "kind": "hermana"}, "kind"),
    ):
        answer = post(api, f"/api/v1/agent/tickets/{a}/links", body, auth)
        assert answer.status_code == 422, (body, answer.body)
        assert field in {e["field"] for e in json.loads(answer.body)["errors"]}
    assert post(api, f"/api/v1/agent/tickets/{a}/links", {"number": a, "kind": "related"}).status_code == 401
    assert table_items(aws) == before
