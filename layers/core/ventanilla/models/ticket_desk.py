"""The agent's ticket page as a shared desk: who else has the request open, and whom to hand it to."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ventanilla.models.base import Model
from ventanilla.models.catalog import Tier
from ventanilla.models.common import Strict

PresenceState = Literal["viewing", "replying"]
PRESENCE_TTL_SECONDS = 60
"""A page that stops saying it is there (closed, asleep, offline) drops out after this."""


class TicketPresenceIn(Strict):
    state: PresenceState = Field(description="viewing: the page is open; replying: typing a reply or note")


class TicketPresenceEntry(Model):
    sub: str
    name: str
    state: PresenceState
    seen_at: datetime


class TicketPresence(Model):
    """Who else has the request open, and the request's version (a page polls it to refresh when
    the citizen or a colleague changed the request)."""

    number: str
    version: int
    updated_at: datetime
    others: list[TicketPresenceEntry] = Field(description="other staff, the caller left out")
    ttl_seconds: int = PRESENCE_TTL_SECONDS


class TicketColleague(Model):
    sub: str
    name: str
    tier: Tier | None = None
    available: bool = False


class TicketColleagues(Model):
    """The members of the request's team it can be assigned to."""

    team: str
    items: list[TicketColleague]
