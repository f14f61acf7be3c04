"""Admins manage staff accounts and teams against the user pool (moto's Cognito here)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from tests.conftest import Aws, post


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    return dict(json.loads(response.body))


def put(api: Any, path: str, body: Any, headers: dict[str, str]) -> Any:
    return api.put(path, body=json.dumps(body), headers={**headers, "Content-Type": "application/json"})


def new_person(**overrides: Any) -> dict[str, Any]:
    name = f"prueba.{uuid.uuid4().hex[:8]}"
    body = {
        "username": name,
        "email": f"{name}@vallverde.example",
        "name": "Pedro Prueba",
        "groups": ["agent-l1"],
        "teams": ["atencion"],
        "tier": "L1",
    }
    body.update(overrides)
    return body


def test_admin_creates_an_agent_who_must_choose_a_password(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    body = new_person()
    created = post(api, "/api/v1/admin/staff", body, elena)
    assert created.status_code == 201, created.body
    member = created.json_body
    assert member["status"] == "FORCE_CHANGE_PASSWORD" and member["enabled"] is True
    assert member["groups"] == ["agent-l1"] and member["teams"] == ["atencion"]
    assert member["available"] is False and member["open_load"] == 0 and member["version"] == 1
    # The invitation carries a temporary password; the first sign-in is asked for a new one.
    cognito = boto3.client("cognito-idp")
    pool = aws.env["USER_POOL_ID"]
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=body["username"], Password="Temporal-12345", Permanent=False
    )
    started = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": body["username"], "PASSWORD": "Temporal-12345"},
        ClientId=aws.env["USER_POOL_CLIENT_ID"],
    )
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    # The same username again is a conflict, and nothing else is created.
    assert problem(post(api, "/api/v1/admin/staff", body, elena), 409)["code"] == "staff_exists"
    listed = api.get("/api/v1/admin/staff", headers=elena).json_body
    assert body["username"] in [m["username"] for m in listed["items"]]
    ana = next(m for m in listed["items"] if m["username"] == "ana.l1")
    assert ana["available"] is True and ana["open_load"] >= 0 and ana["groups"] == ["agent-l1"]


def test_bad_staff_input_names_the_field(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    cases = [
        (new_person(username="X"), "username"),
        (new_person(email="not-an-email"), "email"),
        (new_person(groups=["root"]), "groups.0"),
        (new_person(groups=[]), "groups"),
        (new_person(teams=["no-existe"]), "teams.0"),
        (new_person(tier="L9"), "tier"),
    ]
    for body, field in cases:
        found = problem(post(api, "/api/v1/admin/staff", body, elena), 422)
        assert field in [e["field"] for e in found["errors"]], (field, found)
        assert (
            boto3.client("cognito-idp").list_users(
                UserPoolId=aws.env["USER_POOL_ID"], Filter=f'username = "{body["username"]}"'
            )["Users"]
            == []
            or body["username"] == "X"
        )


@pytest.mark.parametrize("cursor", ["a%F2%8C%A9%8A%C3%9F", "x" * 4097, "con espacio"])
def test_a_cursor_outside_the_documented_pattern_is_a_400(api: Any, aws: Aws, cursor: str) -> None:
    answer = api.get(f"/api/v1/admin/staff?cursor={cursor}", headers=aws.auth("elena.admin"))
    assert problem(answer, 400)["code"] == "invalid_cursor"


@pytest.mark.parametrize("who", ["ana.l1", "carla.supervisora", "diana.editora"])
def test_only_admins_manage_staff(api: Any, aws: Aws, who: str) -> None:
    headers = aws.auth(who)
    assert problem(api.get("/api/v1/admin/staff", headers=headers), 403)["code"] == "role_required"
    assert problem(post(api, "/api/v1/admin/staff", new_person(), headers), 403)["code"] == "role_required"
    assert problem(
        post(api, "/api/v1/admin/teams", {"code": "x", "name": {"es": "X"}, "tiers": ["L1"]}, headers), 403
    )


def test_roles_teams_and_a_stale_version_conflict(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    body = new_person()
    member = post(api, "/api/v1/admin/staff", body, elena).json_body
    change = {
        "name": "Pedro Prueba Soto",
        "groups": ["agent-l2", "editor"],
        "teams": ["tecnico"],
        "tier": "L2",
        "version": member["version"],
    }
    updated = put(api, f"/api/v1/admin/staff/{body['username']}", change, elena)
    assert updated.status_code == 200, updated.body
    got = updated.json_body
    assert got["groups"] == ["agent-l2", "editor"] and got["teams"] == ["tecnico"] and got["tier"] == "L2"
    assert got["name"] == "Pedro Prueba Soto" and got["version"] == member["version"] + 1
    # Off the old team's availability list, on the new one's.
    from ventanilla.storage import sla as sla_store

    assert sla_store.get_availability(member["sub"], "atencion") is None
    assert sla_store.get_availability(member["sub"], "tecnico") is not None
    # Someone else saved first: the version read before is refused, nothing changes.
    stale = put(api, f"/api/v1/admin/staff/{body['username']}", {**change, "groups": ["admin"]}, elena)
    assert problem(stale, 409)["code"] == "staff_changed"
    again = api.get(f"/api/v1/admin/staff/{body['username']}", headers=elena).json_body
    assert again["groups"] == ["agent-l2", "editor"]
    assert problem(api.get("/api/v1/admin/staff/nadie.aqui", headers=elena), 404)["code"] == "staff_not_found"


def test_disabling_ends_the_sessions_and_enabling_lets_them_back(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    body = new_person()
    post(api, "/api/v1/admin/staff", body, elena)
    cognito = boto3.client("cognito-idp")
    pool, client_id = aws.env["USER_POOL_ID"], aws.env["USER_POOL_CLIENT_ID"]
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=body["username"], Password="Propia-123456", Permanent=True
    )

    def sign_in() -> str:
        result = cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": body["username"], "PASSWORD": "Propia-123456"},
            ClientId=client_id,
        )
        return str(result["AuthenticationResult"]["AccessToken"])

    token = sign_in()
    mine = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/agent/me/preferences", headers=mine).status_code == 200
    disabled = post(api, f"/api/v1/admin/staff/{body['username']}/disable", {}, elena)
    assert disabled.status_code == 200 and disabled.json_body["enabled"] is False
    assert problem(api.get("/api/v1/agent/me/preferences", headers=mine), 401)["code"] == "token_revoked"
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in()
    enabled = post(api, f"/api/v1/admin/staff/{body['username']}/enable", {}, elena)
    assert enabled.status_code == 200 and enabled.json_body["enabled"] is True
    import time

    time.sleep(1.1)  # tokens carry whole seconds; the one of the sign-out's second is refused too
    fresh = {"Authorization": f"Bearer {sign_in()}"}
    assert api.get("/api/v1/agent/me/preferences", headers=fresh).status_code == 200


def test_admin_cannot_lock_themself_out(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    assert (
        problem(post(api, "/api/v1/admin/staff/elena.admin/disable", {}, elena), 409)["code"] == "staff_self"
    )
    me = api.get("/api/v1/admin/staff/elena.admin", headers=elena).json_body
    change = {
        "name": me["name"],
        "groups": ["supervisor"],
        "teams": me["teams"],
        "tier": me["tier"],
        "version": me["version"],
    }
    assert problem(put(api, "/api/v1/admin/staff/elena.admin", change, elena), 409)["code"] == "staff_self"


def test_teams_create_rename_and_conflicts(api: Any, aws: Aws) -> None:
    elena = aws.auth("elena.admin")
    code = f"obras-{uuid.uuid4().hex[:6]}"
    team = {"code": code, "name": {"es": "Obras", "en": "Public works"}, "tiers": ["L1", "L2"]}
    created = post(api, "/api/v1/admin/teams", team, elena)
    assert created.status_code == 201 and created.json_body["agents"] == 0
    assert problem(post(api, "/api/v1/admin/teams", team, elena), 409)["code"] == "team_exists"
    renamed = put(
        api, f"/api/v1/admin/teams/{code}", {"name": {"es": "Obras y aseo"}, "tiers": ["L1"]}, elena
    )
    assert renamed.status_code == 200 and renamed.json_body["name"]["es"] == "Obras y aseo"
    assert problem(
        put(api, "/api/v1/admin/teams/no-existe", {"name": {"es": "X"}, "tiers": ["L1"]}, elena), 404
    )
    bad = problem(post(api, "/api/v1/admin/teams", {**team, "code": "Con Espacios", "tiers": []}, elena), 422)
    assert {"code", "tiers"} <= {e["field"] for e in bad["errors"]}
    listed = api.get("/api/v1/admin/teams", headers=elena).json_body["items"]
    atencion = next(t for t in listed if t["code"] == "atencion")
    assert atencion["agents"] >= 1 and code in [t["code"] for t in listed]
