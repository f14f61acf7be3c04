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


def delete_citizen_user(sub: str) -> None:
    """Delete a citizen's account from the citizens' pool (erasure); absent already is fine."""
    settings = get_settings()
    if not settings.citizen_pool_id:
        return
    client: Any = boto3.client("cognito-idp", region_name=settings.region)
    found = client.list_users(UserPoolId=settings.citizen_pool_id, Filter=f'sub = "{sub}"', Limit=1)
    for user in found.get("Users", []):
        client.admin_delete_user(UserPoolId=settings.citizen_pool_id, Username=user["Username"])
