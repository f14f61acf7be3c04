"""Due dates of a request (B4, B9): the institution's calendar and policy applied to a ticket.

:func:`apply_sla` is the one place a ticket's service-level fields are computed: at creation and
after every change that moves them (pause, resume, priority or type change, extension, escalation).
It also lists the ticket's pending timers (:class:`~ventanilla.models.ticket.SlaTimer`), which the
timers function mirrors as EventBridge Scheduler schedules from the table stream.
"""

from __future__ import annotations

import time as _time
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from pydantic import ValidationError

from ventanilla.models.catalog import ResponseTargets
from ventanilla.models.common import utcnow
from ventanilla.models.sla import SlaConfig
from ventanilla.models.ticket import SlaTimer, Ticket
from ventanilla.rules.state_machine import Status
from ventanilla.settings import get_settings
from ventanilla.sla.calendar import BusinessCalendar, demo_calendar
from ventanilla.sla.legal import LegalDeadlineError, LegalRule, legal_due, legal_rule
from ventanilla.sla.targets import DueDates, Duration, ServiceLevelPolicy, business_elapsed, compute_due
from ventanilla.sla.timers import schedule_name as _schedule_name
from ventanilla.sla.timers import timers_for
from ventanilla.storage import sla as sla_store

CACHE_SECONDS = 60.0
LATE_BREACH_DELAY = timedelta(minutes=1)
"""A breach already past but not yet recorded (e.g. priority raised) fires this soon after."""

_LEGAL_KIND_ALIASES = {
    "acceso-informacion": "access_to_information",
    "transparencia": "access_to_information",
    "peticion": "petition",
    "peticion-general": "petition",
    "documentos": "documents_request",
    "peticion-documentos": "documents_request",
    "consulta": "consultation",
    "pqr-servicios": "utility_pqr",
}

_cache: dict[str, tuple[float, Any]] = {}


def _cached(key: str, load: Any) -> Any:
    hit = _cache.get(key)
    if hit is not None and _time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    _cache[key] = (_time.monotonic(), value)
    return value


def forget_cache() -> None:
    """After an admin change, so this process uses the new calendar or policy at once."""
    _cache.clear()


def _load_calendar() -> BusinessCalendar:
    body = sla_store.get_body("CALENDAR")
    if body:
        try:
            return BusinessCalendar.model_validate_json(body)
        except ValidationError:
            pass  # validated on PUT; a bad item never stops tickets from getting dates
    return demo_calendar(get_settings().country)


def institution_calendar() -> BusinessCalendar:
    """The institution's calendar (time zone, working hours, holidays, closures); by default the
    demo institution of ``INSTITUTION_COUNTRY`` (Chile, or Colombia)."""
    result: BusinessCalendar = _cached("calendar", _load_calendar)
    return result


def institution_today() -> date:
    """Today where the institution is (its calendar's time zone), not in UTC: periods, goals and
    open data count days as the office does."""
    return utcnow().astimezone(institution_calendar().zone).date()


def _load_config() -> SlaConfig:
    body = sla_store.get_body("SLA")
    if body:
        try:
            return SlaConfig.model_validate_json(body)
        except ValidationError:
            pass
    return SlaConfig()


def sla_config() -> SlaConfig:
    result: SlaConfig = _cached("sla", _load_config)
    return result


def legal_kind_of(catalog_kind: str | None) -> str | None:
    """``CL/acceso-informacion`` (catalog) -> ``CL/access_to_information`` (legal_deadlines.json)."""
    if not catalog_kind or "/" not in catalog_kind:
        return None
    country, kind = catalog_kind.split("/", 1)
    kind = _LEGAL_KIND_ALIASES.get(kind, kind.replace("-", "_"))
    try:
        rule = legal_rule(country, kind)
    except LegalDeadlineError:
        return None
    return f"{rule.country}/{rule.kind}"


def rule_of(legal_kind: str | None) -> LegalRule | None:
    if not legal_kind:
        return None
    country, kind = legal_kind.split("/", 1)
    return legal_rule(country, kind)


def policy_for(
    config: SlaConfig, type_code: str, subtype_code: str, targets: ResponseTargets
) -> ServiceLevelPolicy:
    override = config.overrides.get(f"{type_code}/{subtype_code}")
    first = Duration(value=targets.first_response_hours, unit="business_hours")
    resolution = Duration(value=targets.resolution_days, unit="business_days")
    if override is not None:
        first = override.first_response or first
        resolution = override.resolution or resolution
    return ServiceLevelPolicy(first_response=first, resolution=resolution, warnings=config.warnings)


def due_dates(targets: ResponseTargets, start: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolution due) of a request filed at ``start`` with no pauses."""
    calendar = institution_calendar()
    first = calendar.add_business_hours(start, targets.first_response_hours)
    resolution = calendar.add_business_days(start, targets.resolution_days)
    return first, resolution


def _ceil_second(dt: datetime) -> datetime:
    """Scheduler's ``at()`` has whole seconds; never fire before the instant."""
    return dt if dt.microsecond == 0 else dt.replace(microsecond=0) + timedelta(seconds=1)


def overdue_kind(level: int) -> str:
    """Timer kind of the ``level``-th escalation level after a target was missed (1-based)."""
    return f"overdue_{level}"


class _Dues(NamedTuple):
    """The due instant of each target as stored on the ticket (``legal`` only when regulated)."""

    first_response: datetime
    resolution: datetime
    legal: datetime | None


def apply_sla(
    ticket: Ticket,
    targets: ResponseTargets,
    now: datetime,
    *,
    calendar: BusinessCalendar | None = None,
    config: SlaConfig | None = None,
) -> Ticket:
    """The ticket with its due dates, business times, next due and pending timers recomputed."""
    calendar = calendar or institution_calendar()
    config = config or sla_config()
    pauses = [(p.start, p.end) for p in ticket.pauses]
    rule = rule_of(ticket.legal_kind)
    legal = _legal_term_due(ticket, rule, calendar, pauses)
    due = compute_due(
        policy_for(config, ticket.type_code, ticket.subtype_code, targets),
        calendar,
        ticket.created_at,
        pauses,
        priority_factor=config.priority_factors.get(ticket.priority, 1.0),
        legal_due=legal,
        # After a legal extension the institution's own target cannot stay earlier than the law's.
        resolution_floor=legal if ticket.legal_extension_days else None,
    )
    dues = _Dues(
        first_response=due.first_response_due or ticket.first_response_due or ticket.expected_response_by,
        resolution=due.resolution_due or ticket.resolution_due,
        legal=legal or ticket.legal_due if rule is not None else None,
    )
    finished = ticket.resolved_at is not None or ticket.status in (Status.RESOLVED, Status.CLOSED)
    first_seconds, resolution_seconds = _business_times(ticket, calendar)
    timers = [] if finished or ticket.paused else _pending_timers(ticket, due, dues, config, calendar, now)
    first_due, resolution_due, legal_field = dues
    next_due = _next_due(ticket, dues, finished)
    return ticket.model_copy(
        update={
            "first_response_due": first_due,
            "expected_response_by": first_due,
            "resolution_due": resolution_due,
            "legal_due": legal_field,
            "next_due": next_due,
            "first_response_business_seconds": first_seconds,
            "resolution_business_seconds": resolution_seconds,
            "timers": timers,
        }
    )


def _legal_term_due(
    ticket: Ticket,
    rule: LegalRule | None,
    calendar: BusinessCalendar,
    pauses: list[tuple[datetime, datetime | None]],
) -> datetime | None:
    """The legal term in the institution's calendar, extensions included (none for another country's rule)."""
    if rule is None or rule.country != calendar.country:
        return None
    base = legal_due(rule, calendar, ticket.created_at, pauses)
    if base is not None and ticket.legal_extension_days:
        base = calendar.add_business_days(base, ticket.legal_extension_days)
    return base


def _next_due(ticket: Ticket, dues: _Dues, finished: bool) -> datetime:
    """The earliest target still to meet (the resolution's when none is)."""
    pending: list[datetime] = []
    if ticket.first_response_at is None and not finished:
        pending.append(dues.first_response)
    if not finished:
        pending.append(dues.resolution)
        if dues.legal is not None:
            pending.append(dues.legal)
    return min(pending) if pending else dues.resolution


def _business_times(ticket: Ticket, calendar: BusinessCalendar) -> tuple[float | None, float | None]:
    """Business seconds to the first response and to resolution, closed pauses left out."""
    closed = [(p.start, p.end) for p in ticket.pauses if p.end is not None]
    first_seconds = ticket.first_response_business_seconds
    if ticket.first_response_at is not None and first_seconds is None:
        first_seconds = business_elapsed(
            calendar, ticket.created_at, ticket.first_response_at, closed
        ).total_seconds()
    resolution_seconds = None
    if ticket.resolved_at is not None:
        resolution_seconds = business_elapsed(
            calendar, ticket.created_at, ticket.resolved_at, closed
        ).total_seconds()
    return first_seconds, resolution_seconds


class _Timers:
    """The timers being listed for a ticket, each named by ticket, target and kind."""

    def __init__(self, ticket: Ticket, now: datetime) -> None:
        self.ticket, self.now = ticket, now
        self.existing = {t.name: t for t in ticket.timers}
        self.listed: list[SlaTimer] = []

    def add(self, target: str, kind: str, at: datetime, *, late: bool) -> None:
        """Add the timer; one already past keeps a pending schedule's instant (it fires, not
        stale), else fires a minute from now when ``late`` (a breach, a level), else is moot."""
        name = _schedule_name(self.ticket.number, target, kind)
        fire_at = _ceil_second(at)
        if fire_at <= self.now:
            kept = self.existing.get(name)
            if kept is not None and kept.fire_at <= self.now + LATE_BREACH_DELAY:
                fire_at = kept.fire_at
            elif late:
                fire_at = _ceil_second(self.now + LATE_BREACH_DELAY)
            else:
                return
        self.listed.append(SlaTimer(name=name, target=target, kind=kind, fire_at=fire_at))


def _pending_timers(
    ticket: Ticket, due: DueDates, dues: _Dues, config: SlaConfig, calendar: BusinessCalendar, now: datetime
) -> list[SlaTimer]:
    """The alerts still to come on an open, running request: each warning and breach not yet
    fired, then the escalation levels of each target already missed."""
    timers = _Timers(ticket, now)
    for t in timers_for(due, first_responded=ticket.first_response_at is not None):
        if t.target in ticket.breached or f"{t.target}:{t.kind}" in ticket.warned:
            continue
        timers.add(t.target, t.kind, t.fire_at, late=t.kind == "breach")
    pauses = [(p.start, p.end) for p in ticket.pauses]
    missed = dues._asdict()
    for target in ticket.breached:
        target_due = missed.get(target)
        if target_due is None or (target == "first_response" and ticket.first_response_at):
            continue
        for index, level in enumerate(config.overdue, start=1):
            kind = overdue_kind(index)
            if f"{target}:{kind}" in ticket.warned:
                continue
            at = calendar.add_business_hours(target_due, level.after_hours, pauses)
            if at is not None:
                timers.add(target, kind, at, late=True)
    return timers.listed
