"""API keys of integration clients (Open311 apps): what admins issue, list and revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ventanilla.models.base import Model
from ventanilla.models.common import Strict

Scope = Literal["open311:write"]


class ApiKeyIn(Strict):
    """A new client: its name (shown on the requests it files), scopes and per-minute limit."""

    name: str = Field(min_length=2, max_length=80)
    scopes: list[Scope] = Field(default=["open311:write"], min_length=1, max_length=5)
    rate_limit_per_minute: int = Field(default=60, ge=1, le=6000)


class ApiKey(Model):
    """A key as listed: never the key itself, only its first characters to recognise it."""

    id: str
    name: str
    scopes: list[Scope]
    rate_limit_per_minute: int
    prefix: str
    created_at: datetime
    created_by: str | None = None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKey):
    key: str = Field(description="shown once: only its SHA-256 is stored")


class ApiKeyList(Model):
    items: list[ApiKey]
