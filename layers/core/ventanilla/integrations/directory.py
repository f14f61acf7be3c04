"""Staff directory lookups in Cognito: who the supervisors are (the group is the source of truth)."""

from __future__ import annotations

import time
from typing import Any

import boto3

from ventanilla.settings import get_settings

_CACHE: dict[str, tuple[float, list[str]]] = {}
_TTL = 300.0


def group_members(group: str, limit: int = 60) -> list[str]:
    """Subs of the group's users (one page of at most ``limit``; cached for a few minutes)."""
    cached = _CACHE.get(group)
    if cached and time.monotonic() - cached[0] < _TTL:
        return cached[1]
    settings = get_settings()
    client: Any = boto3.client("cognito-idp", region_name=settings.region)
    users = client.list_users_in_group(UserPoolId=settings.user_pool_id, GroupName=group, Limit=limit)
    subs = [
        str(a["Value"])
        for u in users.get("Users", [])
        for a in u.get("Attributes", [])
        if a.get("Name") == "sub"
    ]
    _CACHE[group] = (time.monotonic(), subs)
    return subs


# ---- staff accounts (admins manage them from the console) ----------------------------------------


def _client() -> Any:
    return boto3.client("cognito-idp", region_name=get_settings().region)


def _attrs(user: dict[str, Any]) -> dict[str, str]:
    raw = user.get("Attributes") or user.get("UserAttributes") or []
    return {str(a["Name"]): str(a["Value"]) for a in raw}


def _user(user: dict[str, Any]) -> dict[str, Any]:
    attrs = _attrs(user)
    return {
        "username": str(user["Username"]),
        "sub": attrs.get("sub", ""),
        "email": attrs.get("email"),
        "name": attrs.get("name", ""),
        "enabled": bool(user.get("Enabled", True)),
        "status": str(user.get("UserStatus", "")),
        "created_at": user.get("UserCreateDate"),
    }


def list_users(limit: int, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the pool's users (Cognito's own pagination token)."""
    kwargs: dict[str, Any] = {"UserPoolId": get_settings().user_pool_id, "Limit": limit}
    if token:
        kwargs["PaginationToken"] = token
    response = _client().list_users(**kwargs)
    return [_user(u) for u in response.get("Users", [])], response.get("PaginationToken")


def get_user(username: str) -> dict[str, Any] | None:
    client = _client()
    try:
        user = client.admin_get_user(UserPoolId=get_settings().user_pool_id, Username=username)
    except client.exceptions.UserNotFoundException:
        return None
    return _user(user)


def members_by_group(groups: tuple[str, ...], limit: int = 60) -> dict[str, set[str]]:
    """Usernames in each group (one ListUsersInGroup page per group)."""
    client = _client()
    pool = get_settings().user_pool_id
    out: dict[str, set[str]] = {}
    for group in groups:
        users: set[str] = set()
        token = None
        for _ in range(10):  # at most 600 members a group
            kwargs: dict[str, Any] = {"UserPoolId": pool, "GroupName": group, "Limit": limit}
            if token:
                kwargs["NextToken"] = token
            try:
                page = client.list_users_in_group(**kwargs)
            except client.exceptions.ResourceNotFoundException:
                break
            users.update(str(u["Username"]) for u in page.get("Users", []))
            token = page.get("NextToken")
            if not token:
                break
        out[group] = users
    return out


def groups_of(username: str) -> list[str]:
    listed = _client().admin_list_groups_for_user(UserPoolId=get_settings().user_pool_id, Username=username)
    return sorted(str(g["GroupName"]) for g in listed.get("Groups", []))


class UsernameTaken(Exception):
    """The pool already has a user of that name (usernames are case-insensitive)."""


def create_user(username: str, email: str, name: str) -> dict[str, Any]:
    """Invite a staff member: Cognito makes a temporary password and emails it with the pool's
    invitation message; the first sign-in must choose a new one (FORCE_CHANGE_PASSWORD)."""
    client = _client()
    try:
        created = client.admin_create_user(
            UserPoolId=get_settings().user_pool_id,
            Username=username,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "name", "Value": name},
                {"Name": "email_verified", "Value": "true"},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )
    except client.exceptions.UsernameExistsException as error:
        raise UsernameTaken(username) from error
    return _user(created["User"])


def set_name(username: str, name: str) -> None:
    _client().admin_update_user_attributes(
        UserPoolId=get_settings().user_pool_id,
        Username=username,
        UserAttributes=[{"Name": "name", "Value": name}],
    )


def set_groups(username: str, groups: list[str]) -> None:
    """Make the user's groups exactly ``groups`` (adds first, then removals)."""
    client = _client()
    pool = get_settings().user_pool_id
    current = set(groups_of(username))
    for group in sorted(set(groups) - current):
        client.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
    for group in sorted(current - set(groups)):
        client.admin_remove_user_from_group(UserPoolId=pool, Username=username, GroupName=group)
    _CACHE.clear()


def set_enabled(username: str, enabled: bool) -> None:
    """Disable (and sign out of every device: refresh tokens revoked) or enable a user."""
    client = _client()
    pool = get_settings().user_pool_id
    if enabled:
        client.admin_enable_user(UserPoolId=pool, Username=username)
        return
    client.admin_disable_user(UserPoolId=pool, Username=username)
    client.admin_user_global_sign_out(UserPoolId=pool, Username=username)


def delete_citizen_user(sub: str) -> None:
    """Delete a citizen's account from the citizens' pool (erasure); absent already is fine."""
    settings = get_settings()
    if not settings.citizen_pool_id:
        return
    client: Any = boto3.client("cognito-idp", region_name=settings.region)
    found = client.list_users(UserPoolId=settings.citizen_pool_id, Filter=f'sub = "{sub}"', Limit=1)
    for user in found.get("Users", []):
        client.admin_delete_user(UserPoolId=settings.citizen_pool_id, Username=user["Username"])
