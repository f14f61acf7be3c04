"""Service-level targets (B4): due dates, warning instants, timers and status of a request.

Pure functions over :class:`~ventanilla.sla.calendar.BusinessCalendar`. The SLA function
turns :func:`timers_for` into one-time EventBridge Scheduler schedules; the names are derived
from the ticket number so re-creating them after a retry or a change overwrites, never doubles.

Pauses ("waiting for the citizen") follow the calendar's rules: while a pause is open, every
instant not yet reached before it began is ``None`` (unknown); instants reached before the pause
began stay known, so a breach that already happened is still reported.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Literal, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from ventanilla.models.base import Model
from ventanilla.refusals import refuse
from ventanilla.sla.calendar import BusinessCalendar, Pauses

__all__ = [
    "DEFAULT_WARNINGS",
    "DueDates",
    "Duration",
    "DurationUnit",
    "ServiceLevelPolicy",
    "SlaStatus",
    "TargetDue",
    "TargetName",
    "WarningInstant",
    "business_elapsed",
    "check_warnings",
    "compute_due",
    "sla_status",
]

DurationUnit = Literal["business_hours", "business_days", "calendar_hours"]
TargetName = Literal["first_response", "resolution", "legal"]
SlaStatus = Literal["on_time", "at_risk", "breached"]

DEFAULT_WARNINGS: tuple[float, ...] = (0.5, 0.8)


class Duration(Model):
    """A target length: ``value`` in business hours, business days or plain calendar hours."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(ge=0.01, le=10_000, allow_inf_nan=False)
    unit: DurationUnit

    @model_validator(mode="after")
    def _whole_days(self) -> Self:
        if self.unit == "business_days" and self.value != int(self.value):
            raise refuse("whole_business_days", value=self.value)
        return self

    def scaled(self, factor: float) -> Duration:
        """The duration times ``factor`` (priority); business days round up to whole days."""
        if not math.isfinite(factor) or factor <= 0:
            raise ValueError(f"priority_factor: must be a finite number > 0, got {factor}")
        value = self.value * factor
        if self.unit == "business_days":
            value = max(1, math.ceil(value - 1e-9))
        return Duration(value=value, unit=self.unit)

    def due(self, calendar: BusinessCalendar, start: datetime, pauses: Pauses = ()) -> datetime | None:
        """When this duration ends if it starts at ``start`` (``None`` while an open pause blocks it)."""
        if self.unit == "business_hours":
            return calendar.add_business_hours(start, self.value, pauses)
        if self.unit == "business_days":
            return calendar.add_business_days(start, int(self.value), pauses)
        return _add_calendar_seconds(calendar, start, self.value * 3600, pauses)


class ServiceLevelPolicy(Model):
    """First-response and resolution targets of a request type, with warning thresholds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_response: Duration
    resolution: Duration
    warnings: tuple[float, ...] = DEFAULT_WARNINGS

    @field_validator("warnings")
    @classmethod
    def _check_warnings(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        return check_warnings(value)


def check_warnings(value: tuple[float, ...]) -> tuple[float, ...]:
    """Warning thresholds: shares of the time in (0, 1), ascending, at least a percent apart."""
    for fraction in value:
        if not 0 < fraction < 1:
            raise refuse("warning_out_of_range", value=fraction)
    if any(b <= a for a, b in pairwise(value)):
        raise refuse("warnings_not_ascending", values=list(value))
    if len({_warning_kind(f) for f in value}) != len(value):
        raise refuse("warnings_too_close", values=list(value))
    return value


class WarningInstant(Model):
    """The instant at which ``fraction`` of a target's business time has elapsed."""

    model_config = ConfigDict(frozen=True)

    fraction: float
    at: datetime | None

    @property
    def kind(self) -> str:
        return _warning_kind(self.fraction)


class TargetDue(Model):
    """Due instant of one target plus its warning instants; ``None`` = unknown while paused."""

    model_config = ConfigDict(frozen=True)

    target: TargetName
    due: datetime | None
    warnings: tuple[WarningInstant, ...] = ()


class DueDates(Model):
    """Everything the SLA timers and the agent console need about a request's deadlines."""

    model_config = ConfigDict(frozen=True)

    first_response: TargetDue
    resolution: TargetDue
    legal: TargetDue | None = None

    @property
    def first_response_due(self) -> datetime | None:
        return self.first_response.due

    @property
    def resolution_due(self) -> datetime | None:
        return self.resolution.due

    @property
    def legal_due(self) -> datetime | None:
        return self.legal.due if self.legal else None

    def targets(self) -> tuple[TargetDue, ...]:
        return (self.first_response, self.resolution) + ((self.legal,) if self.legal else ())


def compute_due(
    policy: ServiceLevelPolicy,
    calendar: BusinessCalendar,
    created_at: datetime,
    pauses: Pauses = (),
    *,
    priority_factor: float = 1.0,
    legal_due: datetime | None = None,
    resolution_floor: datetime | None = None,
) -> DueDates:
    """Due dates and warning instants of a request created at ``created_at``.

    ``priority_factor`` scales both targets (e.g. 0.5 for high priority). ``legal_due`` (from
    :func:`ventanilla.sla.legal.legal_due`, extensions included) adds a ``legal`` target
    whose warnings use the same thresholds, so staff are alerted before a legal term expires (C3).
    ``resolution_floor`` (a legal term after an extension) moves a resolution target that falls
    earlier to it, warnings included: the institution cannot be late before the law says so.
    """
    first = _target_due(
        "first_response", policy.first_response.scaled(priority_factor), policy, calendar, created_at, pauses
    )
    resolution = _target_due(
        "resolution", policy.resolution.scaled(priority_factor), policy, calendar, created_at, pauses
    )
    if resolution_floor is not None and resolution.due is not None and resolution.due < resolution_floor:
        resolution = TargetDue(
            target="resolution",
            due=resolution_floor,
            warnings=_fraction_instants(policy.warnings, calendar, created_at, resolution_floor, pauses),
        )
    legal = None
    if legal_due is not None:
        legal = TargetDue(
            target="legal",
            due=legal_due,
            warnings=_fraction_instants(policy.warnings, calendar, created_at, legal_due, pauses),
        )
    return DueDates(first_response=first, resolution=resolution, legal=legal)


def business_elapsed(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Pauses = ()
) -> timedelta:
    """Business time from ``start`` to ``end`` minus pauses: "time to first response/resolution"."""
    return timedelta(seconds=calendar.business_seconds_between(start, end, pauses))


def sla_status(now: datetime, target: TargetDue, completed_at: datetime | None = None) -> SlaStatus:
    """``breached`` after the due instant, ``at_risk`` once the last warning passed, else ``on_time``.

    With ``completed_at`` (the target was met) the answer is final: breached only if it was met
    late. While paused an unknown instant never counts as passed.
    """
    for label, value in (("now", now), ("completed_at", completed_at)):
        if value is not None and value.tzinfo is None:
            raise ValueError(f"{label}: naive datetime; give a timezone-aware datetime")
    moment = completed_at if completed_at is not None else now
    if target.due is not None and moment > target.due:
        return "breached"
    if completed_at is not None:
        return "on_time"
    last = target.warnings[-1].at if target.warnings else None
    if last is not None and moment >= last:
        return "at_risk"
    return "on_time"


# ---- internals ------------------------------------------------------------------------------


def _warning_kind(fraction: float) -> str:
    return f"warning_{round(fraction * 100)}"


def _target_due(
    name: TargetName,
    duration: Duration,
    policy: ServiceLevelPolicy,
    calendar: BusinessCalendar,
    start: datetime,
    pauses: Pauses,
) -> TargetDue:
    due = duration.due(calendar, start, pauses)
    if duration.unit == "business_hours":
        warnings = tuple(
            WarningInstant(fraction=f, at=calendar.add_business_hours(start, duration.value * f, pauses))
            for f in policy.warnings
        )
    elif duration.unit == "calendar_hours":
        warnings = tuple(
            WarningInstant(
                fraction=f, at=_add_calendar_seconds(calendar, start, duration.value * 3600 * f, pauses)
            )
            for f in policy.warnings
        )
    else:
        warnings = _fraction_instants(policy.warnings, calendar, start, due, pauses)
    return TargetDue(target=name, due=due, warnings=warnings)


def _fraction_instants(
    fractions: tuple[float, ...],
    calendar: BusinessCalendar,
    start: datetime,
    due: datetime | None,
    pauses: Pauses,
) -> tuple[WarningInstant, ...]:
    """Warnings of a target whose length is a due instant (business days, legal terms).

    Its business time is measured from ``start`` to ``due`` minus pauses; an unknown due makes the
    warnings unknown too, since their share of an unknown total cannot be placed.
    """
    if due is None:
        return tuple(WarningInstant(fraction=f, at=None) for f in fractions)
    total = max(0.0, calendar.business_seconds_between(start, due, pauses))
    return tuple(
        WarningInstant(fraction=f, at=calendar.add_business_hours(start, total * f / 3600, pauses))
        for f in fractions
    )


def _add_calendar_seconds(
    calendar: BusinessCalendar, start: datetime, seconds: float, pauses: Pauses
) -> datetime | None:
    """``start`` plus elapsed ``seconds``, with paused time added back; ``None`` if paused.

    Arithmetic is done in UTC: aware-datetime arithmetic in a local zone is wall-clock
    arithmetic and would be an hour off across a DST change.
    """
    cursor = calendar.local(start).astimezone(UTC)
    remaining = timedelta(seconds=seconds)
    spans = sorted(
        (
            (calendar.local(s).astimezone(UTC), None if e is None else calendar.local(e).astimezone(UTC))
            for s, e in pauses
        ),
        key=lambda span: span[0],
    )
    for p_start, p_end in spans:
        if p_end is not None and p_end < p_start:
            raise ValueError(f"pauses: ends ({p_end.isoformat()}) before it starts ({p_start.isoformat()})")
        if p_end is not None and p_end <= cursor:
            continue
        if p_start > cursor:
            if cursor + remaining <= p_start:
                return calendar.local(cursor + remaining)
            remaining -= p_start - cursor
        if p_end is None:
            return None
        cursor = max(cursor, p_end)
    return calendar.local(cursor + remaining)
