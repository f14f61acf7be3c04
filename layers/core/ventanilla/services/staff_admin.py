"""Admins manage staff accounts and teams (F2): Cognito holds identities and groups (roles), the
staff profile holds teams and tier, availability items put agents on their teams' queues."""

from __future__ import annotations

import re
import time
from typing import Any

from pydantic import ValidationError

from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, Conflict, FieldError, NotFound, ValidationFailed
from ventanilla.integrations import directory
from ventanilla.models.catalog import Team
from ventanilla.models.people import STAFF_ROLES, StaffProfile
from ventanilla.models.staff_admin import (
    StaffAccess,
    StaffCreateIn,
    StaffList,
    StaffMember,
    StaffUpdateIn,
    TeamCreateIn,
    TeamIn,
    TeamList,
    TeamOut,
)
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import people as people_store
from ventanilla.storage import sla as sla_store
from ventanilla.storage import tickets as ticket_store

ADMINS = ("admin",)
PAGE = 25
"""Staff per page: each row counts the member's open requests (three COUNT queries)."""
LOAD_CAP = 100
WORKING_GROUPS = frozenset({"agent-l1", "agent-l2", "agent-l3", "supervisor"})


def _check_teams(teams: list[str]) -> None:
    known = {t.code for t in catalog_store.list_teams()}
    errors = [
        FieldError(f"teams.{i}", "staff_unknown_team", {"team": team})
        for i, team in enumerate(teams)
        if team not in known
    ]
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)


def _member(user: dict[str, Any], groups: list[str], profile: StaffProfile | None, load: bool) -> StaffMember:
    teams = list(profile.teams) if profile else []
    available = capacity = open_load = None
    if profile and set(groups) & WORKING_GROUPS:
        item = sla_store.get_availability(profile.sub, teams[0]) if teams else None
        available = bool(item.get("available")) if item else False
        capacity = int(item.get("capacity", 10)) if item else 10
        if load:
            open_load = ticket_store.open_count(profile.sub, LOAD_CAP)
    return StaffMember(
        username=user["username"],
        sub=user["sub"],
        name=(profile.name if profile else "") or user.get("name") or user["username"],
        email=user.get("email"),
        enabled=user["enabled"],
        status=user["status"],
        groups=[g for g in groups if g in STAFF_ROLES],
        teams=teams,
        tier=profile.tier if profile else "L1",
        available=available,
        capacity=capacity,
        open_load=open_load,
        created_at=user.get("created_at"),
        version=profile.version if profile else 0,
    )


CURSOR = re.compile(r"[!-~]{1,4096}")


def list_staff(principal: Principal, cursor: str | None) -> StaffList:
    """One page of staff: account state, roles, teams, tier, availability and open load."""
    principal.require(*ADMINS)
    if cursor is not None and not CURSOR.fullmatch(cursor):  # as documented: Cognito's token is ASCII
        raise BadRequest("invalid_cursor")
    try:
        users, token = directory.list_users(PAGE, cursor)
    except Exception as error:
        if type(error).__name__ in ("InvalidParameterException", "ParamValidationError"):
            raise BadRequest("invalid_cursor") from error
        raise
    members = directory.members_by_group(STAFF_ROLES)
    profiles = people_store.get_staff_many([u["sub"] for u in users if u["sub"]])
    items = [
        _member(u, [g for g in STAFF_ROLES if u["username"] in members[g]], profiles.get(u["sub"]), True)
        for u in users
    ]
    items.sort(key=lambda m: m.name.lower())
    return StaffList(items=items, next_cursor=token)


def get_staff(principal: Principal, username: str) -> StaffMember:
    principal.require(*ADMINS)
    user = directory.get_user(username)
    if user is None:
        raise NotFound("staff_not_found")
    profile = people_store.get_staff(user["sub"])
    return _member(user, directory.groups_of(username), profile, True)


def create_staff(principal: Principal, body: StaffCreateIn) -> StaffMember:
    """Invite a staff member (Cognito emails the temporary password) with roles, teams and tier."""
    principal.require(*ADMINS)
    _check_teams(body.teams)
    try:
        user = directory.create_user(body.username, body.email, body.name)
    except directory.UsernameTaken as error:
        raise Conflict("staff_exists") from error
    directory.set_groups(user["username"], list(body.groups))
    profile = people_store.set_staff_access(
        user["sub"], user["username"], body.name, list(body.groups), list(body.teams), body.tier, 0
    )
    if profile is not None and body.email:
        people_store.put_staff(profile.model_copy(update={"email": body.email}))
    _sync_availability(user["sub"], body, [], None)
    return get_staff(principal, user["username"])


def _sync_availability(
    sub: str, access: StaffAccess, old_teams: list[str], old: dict[str, Any] | None
) -> None:
    """Agents and supervisors are on their teams' availability lists (not taking requests until they
    say so); leaving a team or the working roles takes them off it."""
    works = bool(set(access.groups) & WORKING_GROUPS)
    teams = list(access.teams) if works else []
    removed = [t for t in old_teams if t not in teams]
    if removed:
        sla_store.remove_availability(sub, removed)
    if teams:
        available = bool(old.get("available")) if old else False
        capacity = int(old.get("capacity", 10)) if old else 10
        sla_store.put_availability(sub, access.name, teams, available, capacity, access.tier)


def update_staff(principal: Principal, username: str, body: StaffUpdateIn) -> StaffMember:
    """Replace name, roles, teams and tier; 409 when someone changed them since ``body.version``."""
    principal.require(*ADMINS)
    user = directory.get_user(username)
    if user is None:
        raise NotFound("staff_not_found")
    if user["sub"] == principal.sub and "admin" not in body.groups:
        raise Conflict("staff_self")
    _check_teams(body.teams)
    old = people_store.get_staff(user["sub"])
    old_teams = list(old.teams) if old else []
    availability = sla_store.get_availability(user["sub"], old_teams[0]) if old_teams else None
    saved = people_store.set_staff_access(
        user["sub"], user["username"], body.name, list(body.groups), list(body.teams), body.tier, body.version
    )
    if saved is None:
        raise Conflict("staff_changed")
    directory.set_groups(user["username"], list(body.groups))
    if body.name != user.get("name"):
        directory.set_name(user["username"], body.name)
    _sync_availability(user["sub"], body, old_teams, availability)
    return get_staff(principal, username)


def set_enabled(principal: Principal, username: str, enabled: bool) -> StaffMember:
    """Disable a staff member (their sessions end now: Cognito's refresh tokens and every access
    token the API would otherwise accept until it expires) or enable them again."""
    principal.require(*ADMINS)
    user = directory.get_user(username)
    if user is None:
        raise NotFound("staff_not_found")
    if user["sub"] == principal.sub and not enabled:
        raise Conflict("staff_self")
    directory.set_enabled(user["username"], enabled)
    if not enabled:
        profile = people_store.get_staff(user["sub"]) or StaffProfile(
            sub=user["sub"], username=user["username"], name=user.get("name") or user["username"]
        )
        people_store.set_signed_out(profile, int(time.time()))  # real time: Cognito's tokens use it
        if profile.teams:
            item = sla_store.get_availability(profile.sub, profile.teams[0])
            if item and item.get("available"):
                capacity = int(item.get("capacity", 10))
                sla_store.put_availability(
                    profile.sub, profile.name, profile.teams, False, capacity, profile.tier
                )
    return get_staff(principal, username)


# ---- teams --------------------------------------------------------------------------------------


def _team_out(team: Team) -> TeamOut:
    agents = sla_store.team_agents(team.code)
    return TeamOut(
        **team.model_dump(),
        agents=len(agents),
        available=sum(1 for a in agents if a.get("available")),
    )


def list_teams(principal: Principal) -> TeamList:
    principal.require(*ADMINS)
    return TeamList(items=[_team_out(t) for t in sorted(catalog_store.list_teams(), key=lambda t: t.code)])


def get_team(code: str) -> Team | None:
    return next((t for t in catalog_store.list_teams() if t.code == code), None)


def create_team(principal: Principal, body: TeamCreateIn) -> TeamOut:
    principal.require(*ADMINS)
    team = Team(code=body.code, name=body.name, tiers=list(body.tiers))
    if not catalog_store.put_team(team, create=True):
        raise Conflict("team_exists")
    return _team_out(team)


def update_team(principal: Principal, code: str, body: TeamIn) -> TeamOut:
    principal.require(*ADMINS)
    try:
        team = Team(code=code, name=body.name, tiers=list(body.tiers))
    except ValidationError:  # the body was checked: only a code no team can have fails here
        raise NotFound("team_not_found") from None
    if not catalog_store.put_team(team, create=False):
        raise NotFound("team_not_found")
    return _team_out(team)
