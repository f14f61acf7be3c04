"""Service levels, legal deadlines, routing and escalation (issue 4): agent actions and admin.

Registered in app.py; each route is also an operation of infra/api/rest-api.yaml.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from chalice import Blueprint, Response
from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from chalicelib.http import Area, json_response, lang_of, parse_body, principal_of
from ventanilla.auth import Principal
from ventanilla.models.base import Model
from ventanilla.models.sla import AvailabilityIn, SlaConfig
from ventanilla.models.ticket import EscalateIn, ExtensionIn, ReclassifyIn, StaffTicket
from ventanilla.refusals import refuse
from ventanilla.rules.routing import Evaluation, RoutingRules, Sample
from ventanilla.services import routing, sla
from ventanilla.sla.calendar import BusinessCalendar
from ventanilla.sla.legal import legal_rules

bp = Blueprint(__name__)


def _calendar() -> BusinessCalendar:
    return sla.get_calendar(principal_of(bp.current_request))


def _policy() -> SlaConfig:
    return sla.get_policy(principal_of(bp.current_request))


def _rules() -> RoutingRules:
    return routing.get_rules(principal_of(bp.current_request))


NO_STORE = {"Cache-Control": "no-store"}


class AvailabilityOut(Model):
    sub: str
    available: bool
    capacity: int
    teams: list[str]


class LegalRuleOut(Model):
    country: str
    kind: str
    law: str
    label: str
    business_days: int
    extension_max_business_days: int | None
    extension_max_times: int | None


class LegalRules(Model):
    items: list[LegalRuleOut]


sla_admins = Area(bp, "admin", roles=sla.ADMIN_ROLES)
staff = Area(bp, "service-levels", auth=True)
routing_admins = Area(bp, "admin", roles=routing.ADMIN_ROLES)
legal_readers = Area(bp, "admin", roles=(*sla.ADMIN_ROLES, "agent-l1", "agent-l2", "agent-l3"))


@staff.post("/api/v1/agent/tickets/{number}/extension", body=ExtensionIn, response=StaffTicket)
def extension(number: str, principal: Principal, body: ExtensionIn) -> Response:
    """Apply the legal extension (prórroga) once, with a justification the citizen sees"""
    return json_response(sla.extend(principal, number, body))


@staff.post("/api/v1/agent/tickets/{number}/escalate", body=EscalateIn, response=StaffTicket)
def escalate(number: str, principal: Principal, body: EscalateIn) -> Response:
    """Escalate to the next tier (or to_tier) with a reason"""
    return json_response(sla.escalate(principal, number, body))


@staff.post("/api/v1/agent/tickets/{number}/reclassify", body=ReclassifyIn, response=StaffTicket)
def reclassify(number: str, principal: Principal, body: ReclassifyIn) -> Response:
    """Change type/subtype or priority; due dates are recomputed (a legal term stays)"""
    return json_response(sla.reclassify(principal, number, body))


@staff.put("/api/v1/agent/me/availability", body=AvailabilityIn, response=AvailabilityOut)
def availability(principal: Principal, body: AvailabilityIn) -> Response:
    """Whether I take new requests and how many open ones at most (assignment)"""
    result = routing.set_availability(principal, body.available, body.capacity)
    return json_response(AvailabilityOut.model_validate(result), headers=NO_STORE)


@staff.get("/api/v1/agent/me/availability", response=AvailabilityOut)
def my_availability(principal: Principal) -> Response:
    """My availability and capacity as last set (not available until set)"""
    result = routing.get_availability(principal)
    return json_response(AvailabilityOut.model_validate(result), headers=NO_STORE)


@sla_admins.get("/api/v1/admin/calendar", response=BusinessCalendar)
def get_calendar(principal: Principal) -> Response:
    """The institution's business calendar"""
    return json_response(sla.get_calendar(principal), headers=NO_STORE)


@sla_admins.put(
    "/api/v1/admin/calendar",
    body=BusinessCalendar,
    response=BusinessCalendar,
    audit="calendar",
    before=_calendar,
)
def put_calendar(principal: Principal) -> Response:
    """Replace the business calendar (time zone, shifts, holidays country, closure days)"""
    request = bp.current_request
    principal.require(*sla.ADMIN_ROLES)
    body = parse_body(request, BusinessCalendar)
    return json_response(sla.put_calendar(principal, body))


class DueIn(Model):
    """When would something be due: from ``start``, so many business hours or business days, on
    the saved calendar or on the one being edited (to see a change before saving it)."""

    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime
    hours: float | None = Field(default=None, gt=0, le=5000)
    days: int | None = Field(default=None, ge=1, le=365)
    calendar: BusinessCalendar | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> DueIn:
        if (self.hours is None) == (self.days is None):
            raise refuse("due_one_amount")
        return self


class DueOut(Model):
    start: datetime
    due: datetime
    due_local: str = Field(description="the due moment in the calendar's time zone, ISO 8601")
    timezone: str


@sla_admins.post("/api/v1/admin/calendar/due", body=DueIn, response=DueOut)
def due_calculator(principal: Principal, body: DueIn) -> Response:
    """When would this be due? Business hours or days from a moment, on a calendar"""
    calendar = body.calendar or sla.get_calendar(principal)
    if body.hours is not None:
        due = calendar.add_business_hours(body.start, body.hours)
    else:
        due = calendar.add_business_days(body.start, body.days or 1)
    local = calendar.local(due)
    return json_response(
        DueOut(start=body.start, due=due, due_local=local.isoformat(), timezone=calendar.timezone),
        headers=NO_STORE,
    )


class CalendarHolidaysIn(Model):
    """Which days a calendar does not work in ``year``: the saved one or the one being edited."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    calendar: BusinessCalendar | None = None


class CalendarHoliday(Model):
    day: date
    name: str | None = Field(description="the public holiday's name; null for the institution's closures")
    kind: Literal["holiday", "closure"]


class CalendarHolidaysOut(Model):
    year: int
    country: str
    subdivision: str | None
    items: list[CalendarHoliday]


@sla_admins.post("/api/v1/admin/calendar/holidays", body=CalendarHolidaysIn, response=CalendarHolidaysOut)
def calendar_holidays(body: CalendarHolidaysIn) -> Response:
    """The public holidays (country and region) and closures of a year, on a calendar"""
    request = bp.current_request
    principal = principal_of(request)
    calendar = body.calendar or sla.get_calendar(principal)
    names = calendar.holiday_names(body.year, lang_of(request))
    items = [CalendarHoliday(day=d, name=n, kind="holiday") for d, n in names.items()]
    items += [
        CalendarHoliday(day=d, name=None, kind="closure")
        for d in sorted(calendar.closures)
        if d.year == body.year and d not in names
    ]
    items.sort(key=lambda x: x.day)
    out = CalendarHolidaysOut(
        year=body.year, country=calendar.country, subdivision=calendar.subdivision, items=items
    )
    return json_response(out, headers=NO_STORE)


@sla_admins.get("/api/v1/admin/sla-policy", response=SlaConfig)
def get_policy(principal: Principal) -> Response:
    """Service-level policy: warnings, priority factors, overrides, escalation, assignment"""
    return json_response(sla.get_policy(principal), headers=NO_STORE)


@sla_admins.put(
    "/api/v1/admin/sla-policy",
    body=SlaConfig,
    response=SlaConfig,
    audit="sla-policy",
    before=_policy,
    also=sla.policy_reference_errors,
)
def put_policy(principal: Principal, body: SlaConfig) -> Response:
    """Replace the service-level policy (validated)"""
    return json_response(sla.put_policy(principal, body))


@routing_admins.get("/api/v1/admin/routing/rules", response=RoutingRules)
def get_rules(principal: Principal) -> Response:
    """Ordered routing rules"""
    return json_response(routing.get_rules(principal), headers=NO_STORE)


@routing_admins.put(
    "/api/v1/admin/routing/rules",
    body=RoutingRules,
    response=RoutingRules,
    audit="routing-rules",
    before=_rules,
    also=routing.reference_errors,
)
def put_rules(principal: Principal, body: RoutingRules) -> Response:
    """Replace the routing rules (unknown teams and rules that can never match are refused)"""
    return json_response(routing.put_rules(principal, body))


@routing_admins.post("/api/v1/admin/routing/dry-run", body=Sample, response=Evaluation)
def dry_run(principal: Principal, body: Sample) -> Response:
    """Which rule a sample request would match, and why"""
    return json_response(routing.dry_run(principal, body), headers=NO_STORE)


@legal_readers.get("/api/v1/admin/legal-deadlines", response=LegalRules)
def legal_deadlines() -> Response:
    """Legal deadlines shipped as data (country, kind, law, business days, extension)"""
    lang = lang_of(bp.current_request)
    items = [
        LegalRuleOut(
            country=r.country,
            kind=r.kind,
            law=r.law,
            label=r.label(lang),
            business_days=r.business_days,
            extension_max_business_days=r.extension.max_business_days if r.extension else None,
            extension_max_times=r.extension.max_times if r.extension else None,
        )
        for r in legal_rules()
    ]
    return json_response(LegalRules(items=items), headers={"Cache-Control": "max-age=300"})
