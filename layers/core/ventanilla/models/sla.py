"""Configuration of service levels stored per institution: policies, escalation, agent availability."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from ventanilla.models.base import Model
from ventanilla.models.common import version_read
from ventanilla.refusals import refuse
from ventanilla.rules.priority import Priority
from ventanilla.sla.targets import DEFAULT_WARNINGS, Duration, check_warnings

EscalationAction = Literal["notify_assignee", "notify_supervisor", "raise_priority", "next_tier", "reassign"]
AssignmentMode = Literal["manual", "round_robin", "least_loaded"]


_FACTORS: dict[Priority, float] = {"critical": 1.0, "high": 1.0, "medium": 1.0, "low": 1.0}
_ON_BREACH: tuple[EscalationAction, ...] = ("notify_assignee", "notify_supervisor")
_ON_WARNING: tuple[EscalationAction, ...] = ("notify_assignee",)
MAX_OVERDUE_LEVELS = 5


def _default_on_warning() -> list[EscalationAction]:
    return list(_ON_WARNING)


def _default_on_breach() -> list[EscalationAction]:
    return list(_ON_BREACH)


class OverdueLevel(Model):
    """A level after a target was missed (GLPI-style): ``after_hours`` business hours past due,
    these actions run once, e.g. 8 h: notify the supervisor; 24 h: next tier and reassign."""

    model_config = ConfigDict(extra="forbid")

    after_hours: float = Field(ge=0.01, le=2000, allow_inf_nan=False)
    actions: list[EscalationAction] = Field(min_length=1, max_length=5)


class PolicyOverride(Model):
    """Targets of one ``type/subtype`` that replace the catalog's ``targets``."""

    model_config = ConfigDict(extra="forbid")

    first_response: Duration | None = None
    resolution: Duration | None = None
    on_breach: list[EscalationAction] | None = None


class SlaConfig(Model):
    """The institution's service-level policy: warnings, priority factors, overrides, escalation."""

    model_config = ConfigDict(extra="forbid")

    warnings: tuple[Annotated[float, Field(ge=0.01, le=0.99)], ...] = Field(
        default=DEFAULT_WARNINGS, max_length=10, description="shares of the time, strictly ascending"
    )
    priority_factors: dict[Priority, Annotated[float, Field(ge=0.05, le=10)]] = Field(
        default_factory=lambda: dict(_FACTORS)
    )
    overrides: dict[str, PolicyOverride] = Field(default_factory=dict, max_length=200)
    on_warning: list[EscalationAction] = Field(default_factory=_default_on_warning)
    """Before due: what each warning threshold does (notifying the assignee by default)."""
    on_breach: list[EscalationAction] = Field(default_factory=_default_on_breach)
    """At due: what a missed target does."""
    version: int | None = version_read("sla_policy_changed")
    overdue: list[OverdueLevel] = Field(default_factory=list, max_length=MAX_OVERDUE_LEVELS)
    """After due: further levels, in ascending ``after_hours``."""
    assignment: dict[str, AssignmentMode] = Field(default_factory=dict, max_length=100)
    """Per team: manual (default), round_robin or least_loaded."""

    @field_validator("warnings")
    @classmethod
    def _warnings(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        return check_warnings(value)

    @field_validator("overdue")
    @classmethod
    def _overdue(cls, value: list[OverdueLevel]) -> list[OverdueLevel]:
        hours = [level.after_hours for level in value]
        if any(b <= a for a, b in pairwise(hours)):
            raise refuse("overdue_not_ascending", values=hours)
        return value

    @field_validator("priority_factors")
    @classmethod
    def _factors(cls, value: dict[Priority, float]) -> dict[Priority, float]:
        for priority, factor in value.items():
            if not 0.05 <= factor <= 10:
                raise refuse("priority_factor_range", priority=priority, value=factor)
        return value

    @field_validator("overrides")
    @classmethod
    def _override_keys(cls, value: dict[str, PolicyOverride]) -> dict[str, PolicyOverride]:
        for key in value:
            parts = key.split("/")
            if len(parts) != 2 or not all(parts):
                raise refuse("override_key_format", key=key)
        return value


class AvailabilityIn(Model):
    model_config = ConfigDict(extra="forbid")

    available: bool
    capacity: int = Field(default=10, ge=0, le=500)


class Availability(AvailabilityIn):
    sub: str
    name: str | None = None
    teams: list[str] = Field(default_factory=list)
