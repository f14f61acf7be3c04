"""Staff accounts and teams, managed by admins (registered in app.py)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import Area, json_response, principal_of, q, query_params
from ventanilla.auth import Principal
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


admins = Area(bp, "admin", roles=ROLES)


@admins.get(
    "/api/v1/admin/staff",
    response=StaffList,
    query={"cursor": q("next_cursor of the previous page", pattern=r"^[!-~]{1,4096}$", maxLength=4096)},
)
def list_staff(principal: Principal) -> Response:
    """Staff accounts (a page of 25): state, roles, teams, tier, availability and open load"""
    request = bp.current_request
    cursor = query_params(request).get("cursor")
    return json_response(staff_admin.list_staff(principal, cursor), headers=NO_STORE)


@admins.post("/api/v1/admin/staff", body=StaffCreateIn, response=StaffMember, status=201, audit="staff")
def create_staff(principal: Principal, body: StaffCreateIn) -> Response:
    """Create a staff account: Cognito emails a temporary password, changed at the first sign-in"""
    return json_response(staff_admin.create_staff(principal, body), status=201)


@admins.get("/api/v1/admin/staff/{username}", response=StaffMember)
def get_staff(username: str, principal: Principal) -> Response:
    """One staff account"""
    return json_response(staff_admin.get_staff(principal, username), headers=NO_STORE)


@admins.put(
    "/api/v1/admin/staff/{username}", body=StaffUpdateIn, response=StaffMember, audit="staff", before=_staff
)
def update_staff(username: str, principal: Principal, body: StaffUpdateIn) -> Response:
    """Replace name, roles (groups), teams and tier; send the version you read (409 if changed)"""
    return json_response(staff_admin.update_staff(principal, username, body))


@admins.post("/api/v1/admin/staff/{username}/disable", response=StaffMember, audit="staff", before=_staff)
def disable_staff(username: str, principal: Principal) -> Response:
    """Disable the account and end every session it has now"""
    return json_response(staff_admin.set_enabled(principal, username, False))


@admins.post("/api/v1/admin/staff/{username}/enable", response=StaffMember, audit="staff", before=_staff)
def enable_staff(username: str, principal: Principal) -> Response:
    """Enable a disabled account again"""
    return json_response(staff_admin.set_enabled(principal, username, True))


@admins.get("/api/v1/admin/teams", response=TeamList)
def list_teams(principal: Principal) -> Response:
    """Teams with how many agents are on each and how many take new requests"""
    return json_response(staff_admin.list_teams(principal), headers=NO_STORE)


@admins.post("/api/v1/admin/teams", body=TeamCreateIn, response=TeamOut, status=201, audit="team")
def create_team(principal: Principal, body: TeamCreateIn) -> Response:
    """Create a team"""
    return json_response(staff_admin.create_team(principal, body), status=201)


@admins.put("/api/v1/admin/teams/{code}", body=TeamIn, response=TeamOut, audit="team", before=_team)
def update_team(code: str, principal: Principal, body: TeamIn) -> Response:
    """Rename a team or change its tiers"""
    return json_response(staff_admin.update_team(principal, code, body))
