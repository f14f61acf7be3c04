"""What the console's topic tools read before acting on an account (issue 15 item 2): a forum
account's state for moderators only, and how warnings, a suspension and a ban show in it."""

from __future__ import annotations

from typing import Any

from tests.conftest import Aws
from tests.integration.test_forum import MOD, demo_forum, mod, new_citizen

__all__ = ["demo_forum"]


def test_moderators_read_an_accounts_state_as_they_act_on_it(api: Any, aws: Aws, demo_forum: Any) -> None:
    citizen = new_citizen(api, aws)
    account = citizen["account"]
    path = f"/api/v1/forum/moderation/accounts/{account}"
    first = api.get(path, headers=aws.auth(MOD))
    assert first.status_code == 200, first.body
    assert first.json_body["status"] == "active" and first.json_body["warnings"] == 0
    assert first.headers["Cache-Control"] == "no-store"
    for who, status in (("ana.l1", 403), ("carla.supervisora", 403)):
        assert api.get(path, headers=aws.auth(who)).status_code == status
    assert api.get(path, headers=citizen["headers"]).status_code in (401, 403)
    assert api.get(path).status_code == 401
    assert api.get("/api/v1/forum/moderation/accounts/nadie", headers=aws.auth(MOD)).status_code == 404

    assert mod(api, aws, f"accounts/{account}/warn", {"reason": "Cuide el tono"}).status_code == 200
    assert mod(api, aws, f"accounts/{account}/suspend", {"reason": "Insultos", "days": 3}).status_code == 200
    state = api.get(path, headers=aws.auth(MOD)).json_body
    assert state["status"] == "suspended" and state["warnings"] == 1 and state["suspended_until"]
    # the reason is required and the days bounded: nothing half written
    bad = mod(api, aws, f"accounts/{account}/suspend", {"reason": "", "days": 400})
    assert bad.status_code == 422 and {e["field"] for e in bad.json_body["errors"]} == {"reason", "days"}
    assert mod(api, aws, f"accounts/{account}/ban", {"reason": "Reincidencia"}).status_code == 200
    assert api.get(path, headers=aws.auth(MOD)).json_body["status"] == "banned"
    assert mod(api, aws, f"accounts/{account}/unban", {"reason": "Apelación aceptada"}).status_code == 200
    assert api.get(path, headers=aws.auth(MOD)).json_body["status"] == "active"
    # a staff member's forum account too
    staff = api.get("/api/v1/forum/moderation/accounts/staff:ana.l1", headers=aws.auth(MOD))
    assert staff.status_code == 200 and staff.json_body["account"] == "staff:ana.l1"
