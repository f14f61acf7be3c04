"""Small value types shared by the models."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from ventanilla.models.base import Model

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]


def is_code(value: str) -> bool:
    """Whether ``value`` could be a code (an id from a path that is not one names nothing: 404)."""
    return re.fullmatch(CODE_PATTERN, value) is not None


"""A catalog or team code: lowercase letters, digits and hyphens."""


class Strict(Model):
    """Base for bodies sent by clients: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Text(Model):
    """A text shown to people, in Spanish (required) and English (falls back to Spanish)."""

    model_config = ConfigDict(extra="forbid")

    es: str = Field(min_length=1, max_length=500)
    en: str | None = Field(default=None, max_length=500)

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.es


class Channel(StrEnum):
    """Where an interaction came from or went to (C1: every channel lands in one place)."""

    WEB = "web"
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    IN_PERSON = "in_person"
    LETTER = "letter"
    CHAT = "chat"
    MONITORING = "monitoring"
    API = "api"
    PUSH = "push"
    """Outbound only: a mobile push notice recorded on the timeline."""


def version_read(conflict: str) -> Any:
    """The ``version`` field of a singleton setting replaced by PUT (optimistic locking): the
    version GET gave, refused with 409 ``conflict`` when another save came in between."""
    return Field(
        default=None,
        ge=0,
        le=1_000_000_000,
        description="the version read (GET gives it; 0: never saved). On PUT another save meanwhile "
        f"is refused (409 {conflict}); omitted: no check",
    )


def utcnow() -> datetime:
    """Now, from :mod:`ventanilla.clock` (which the local stack can move forward for demos)."""
    from ventanilla import clock

    return clock.now()


def iso(dt: datetime) -> str:
    """Sortable UTC ISO-8601 with milliseconds, the form every key and date attribute uses."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
