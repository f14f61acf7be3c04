"""Staff accounts and teams, managed by admins (registered in app.py)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import json_response, parse_body, principal_of, q, query_params, route
from ventanilla.models.staff_admin import (
    StaffCreateIn,
    StaffList,
    StaffMember,
    StaffUpdateIn,
    TeamCreateIn,
    TeamIn,
    TeamList,
    TeamOut,
)
from ventanilla.services import staff_admin

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store"}
ROLES = staff_admin.ADMINS


def _staff(username: str) -> StaffMember | None:
    """The staff member as admins see it (the audit trail's "before" and "after")."""
    from ventanilla.errors import NotFound

    try:
        member = staff_admin.get_staff(principal_of(bp.current_request), username)
    except NotFound:
        return None
    # load and availability move on their own: not part of what the admin changed
    return member.model_copy(update={"open_load": None, "available": None, "capacity": None})


def _team(code: str) -> object:
    return staff_admin.get_team(code)


@route(
    bp,
    "/api/v1/admin/staff",
    "GET",
    summary="Staff accounts (a page of 25): state, roles, teams, tier, availability and open load",
    tag="admin",
    response=StaffList,
    auth=True,
    query={"cursor": q("next_cursor of the previous page", pattern=r"^[!-~]{1,4096}$", maxLength=4096)},
    roles=ROLES,
)
def list_staff() -> Response:
    request = bp.current_request
    cursor = query_params(request).get("cursor")
    return json_response(staff_admin.list_staff(principal_of(request), cursor), headers=NO_STORE)


@route(
    bp,
    "/api/v1/admin/staff",
    "POST",
    summary="Create a staff account: Cognito emails a temporary password, changed at the first sign-in",
    tag="admin",
    body=StaffCreateIn,
    response=StaffMember,
    status=201,
    auth=True,
    roles=ROLES,
    audit="staff",
)
def create_staff() -> Response:
    request = bp.current_request
    body = parse_body(request, StaffCreateIn)
    return json_response(staff_admin.create_staff(principal_of(request), body), status=201)


@route(
    bp,
    "/api/v1/admin/staff/{username}",
    "GET",
    summary="One staff account",
    tag="admin",
    response=StaffMember,
    auth=True,
    roles=ROLES,
)
def get_staff(username: str) -> Response:
    return json_response(staff_admin.get_staff(principal_of(bp.current_request), username), headers=NO_STORE)


@route(
    bp,
    "/api/v1/admin/staff/{username}",
    "PUT",
    summary="Replace name, roles (groups), teams and tier; send the version you read (409 if changed)",
    tag="admin",
    body=StaffUpdateIn,
    response=StaffMember,
    auth=True,
    roles=ROLES,
    audit="staff",
    before=_staff,
)
def update_staff(username: str) -> Response:
    request = bp.current_request
    body = parse_body(request, StaffUpdateIn)
    return json_response(staff_admin.update_staff(principal_of(request), username, body))


@route(
    bp,
    "/api/v1/admin/staff/{username}/disable",
    "POST",
    summary="Disable the account and end every session it has now",
    tag="admin",
    response=StaffMember,
    auth=True,
    roles=ROLES,
    audit="staff",
    before=_staff,
)
def disable_staff(username: str) -> Response:
    return json_response(staff_admin.set_enabled(principal_of(bp.current_request), username, False))


@route(
    bp,
    "/api/v1/admin/staff/{username}/enable",
    "POST",
    summary="Enable a disabled account again",
    tag="admin",
    response=StaffMember,
    auth=True,
    roles=ROLES,
    audit="staff",
    before=_staff,
)
def enable_staff(username: str) -> Response:
    return json_response(staff_admin.set_enabled(principal_of(bp.current_request), username, True))


@route(
    bp,
    "/api/v1/admin/teams",
    "GET",
    summary="Teams with how many agents are on each and how many take new requests",
    tag="admin",
    response=TeamList,
    auth=True,
    roles=ROLES,
)
def list_teams() -> Response:
    return json_response(staff_admin.list_teams(principal_of(bp.current_request)), headers=NO_STORE)


@route(
    bp,
    "/api/v1/admin/teams",
    "POST",
    summary="Create a team",
    tag="admin",
    body=TeamCreateIn,
    response=TeamOut,
    status=201,
    auth=True,
    roles=ROLES,
    audit="team",
)
def create_team() -> Response:
    request = bp.current_request
    body = parse_body(request, TeamCreateIn)
    return json_response(staff_admin.create_team(principal_of(request), body), status=201)


@route(
    bp,
    "/api/v1/admin/teams/{code}",
    "PUT",
    summary="Rename a team or change its tiers",
    tag="admin",
    body=TeamIn,
    response=TeamOut,
    auth=True,
    roles=ROLES,
    audit="team",
    before=_team,
)
def update_team(code: str) -> Response:
    request = bp.current_request
    body = parse_body(request, TeamIn)
    return json_response(staff_admin.update_team(principal_of(request), code, body))
