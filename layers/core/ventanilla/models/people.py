"""Citizens (external or internal requesters) and staff profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from ventanilla.models.base import Model
from ventanilla.models.catalog import Tier

NoticeChannel = Literal["email", "sms", "push"]
Language = Literal["es", "en"]
RequesterKind = Literal["external", "internal"]
StaffRole = Literal[
    "agent-l1", "agent-l2", "agent-l3", "supervisor", "editor", "moderator", "admin", "inventory"
]
STAFF_ROLES: tuple[StaffRole, ...] = (
    "agent-l1",
    "agent-l2",
    "agent-l3",
    "supervisor",
    "editor",
    "moderator",
    "admin",
    "inventory",
)


class Requester(Model):
    """Who filed a request, as they gave it then (a snapshot kept on the ticket)."""

    name: str = Field(min_length=1, max_length=120)
    email: str | None = None
    phone: str | None = None
    language: Literal["es", "en"] = "es"
    channels: list[NoticeChannel] = Field(default=["email"])
    kind: RequesterKind = "external"
    organisation: str | None = Field(default=None, max_length=160)


class Citizen(Model):
    """One record per citizen across channels (F1), found again by email or phone."""

    citizen_id: str
    name: str
    email: str | None = None
    phone: str | None = None
    language: Literal["es", "en"] = "es"
    channels: list[NoticeChannel] = Field(default_factory=list)
    consent_at: datetime
    created_at: datetime
    kind: RequesterKind = "external"


class StaffProfile(Model):
    """A staff member; identity and roles come from Cognito, teams, tier and language from here."""

    sub: str
    username: str
    name: str
    email: str | None = None
    teams: list[str] = Field(default_factory=list)
    tier: Tier = "L1"
    language: Language = "es"
    """The language of the notices the staff member receives (they set it themselves)."""
    signed_out_at: int | None = None
    """Epoch seconds of the last sign-out everywhere: tokens from sign-ins before it are refused."""
    roles: list[StaffRole] = Field(default_factory=list)
    """A copy of the Cognito groups, written with the profile: who a request may be handed to."""
    version: int = 0
    """Bumped by each admin change of name, roles, teams or tier (optimistic locking)."""


class StaffPreferencesIn(Model):
    """What a staff member sets about themself: the language of their notices."""

    model_config = ConfigDict(extra="forbid")

    language: Language


class StaffPreferences(StaffPreferencesIn):
    sub: str
