"""What admins send and see when they manage staff accounts and teams."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field, field_validator

from ventanilla.models.base import Model
from ventanilla.models.catalog import Team, Tier
from ventanilla.models.common import Code, Text
from ventanilla.models.people import StaffRole

USERNAME = r"^[a-z0-9][a-z0-9._-]{2,63}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[A-Za-z]{2,24}$"


class StaffAccess(Model):
    """Groups (roles), teams and tier: what an admin sets for a staff member."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    groups: list[StaffRole] = Field(min_length=1, max_length=7, json_schema_extra={"uniqueItems": True})
    teams: list[Code] = Field(default_factory=list, max_length=30, json_schema_extra={"uniqueItems": True})
    tier: Tier = "L1"

    @field_validator("groups", "teams")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("repetido / repeated")
        return value


class StaffCreateIn(StaffAccess):
    """A new staff account: Cognito emails a temporary password, changed at the first sign-in."""

    username: str = Field(pattern=USERNAME)
    email: str = Field(pattern=EMAIL, max_length=254)


class StaffUpdateIn(StaffAccess):
    """Replace a staff member's name, groups, teams and tier; ``version`` is the one you read."""

    version: int = Field(ge=0)


class StaffMember(Model):
    username: str
    sub: str
    name: str
    email: str | None = None
    enabled: bool
    status: str = Field(description="Cognito's: FORCE_CHANGE_PASSWORD until the first sign-in, CONFIRMED...")
    groups: list[StaffRole]
    teams: list[str]
    tier: Tier
    available: bool | None = Field(default=None, description="taking new requests (agents and supervisors)")
    capacity: int | None = None
    open_load: int | None = Field(default=None, description="open requests assigned (counted up to 100)")
    created_at: datetime | None = None
    version: int = 0


class StaffList(Model):
    items: list[StaffMember]
    next_cursor: str | None = None


class TeamIn(Model):
    model_config = ConfigDict(extra="forbid")

    name: Text
    tiers: list[Tier] = Field(min_length=1, max_length=3)


class TeamCreateIn(TeamIn):
    code: Code


class TeamOut(Team):
    agents: int = Field(default=0, description="agents with availability on the team")
    available: int = Field(default=0, description="of those, taking new requests now")


class TeamList(Model):
    items: list[TeamOut]
