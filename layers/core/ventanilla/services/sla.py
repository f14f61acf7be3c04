"""Service-level use cases (B4, B9): legal extension, escalation, reclassification, timers that
fire, and the admin of calendars and policies.

Timers: the ticket lists its pending alerts (``Ticket.timers``, computed by
:func:`ventanilla.services.due_dates.apply_sla`); the timers function mirrors them as one-time
EventBridge Scheduler schedules; when one fires, :func:`on_timer_fired` re-reads the ticket and
does nothing unless that very timer (name and instant) is still pending.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ventanilla.auth import Principal
from ventanilla.errors import Conflict, FieldError, ValidationFailed
from ventanilla.models.base import Model
from ventanilla.models.catalog import Tier
from ventanilla.models.common import iso, utcnow
from ventanilla.models.sla import EscalationAction, SlaConfig
from ventanilla.models.ticket import (
    Action,
    Actor,
    EscalateIn,
    ExtensionIn,
    HistoryEvent,
    ReclassifyIn,
    SlaTarget,
    StaffTicket,
    Ticket,
)
from ventanilla.rules.priority import RANK, Priority
from ventanilla.rules.state_machine import Status
from ventanilla.services import config_versions, due_dates
from ventanilla.services import routing as _routing  # also registers unknown_team
from ventanilla.services.tickets import (
    _check_version,
    _staff_actor,
    _staff_ticket,
    new_event,
    save_staff_change,
    taken_up,
    targets_of,
)
from ventanilla.sla.calendar import BusinessCalendar
from ventanilla.sla.legal import LegalDeadlineError, apply_extension
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import tickets as store

ADMIN_ROLES = ("admin", "supervisor")
TIERS: tuple[Tier, ...] = ("L1", "L2", "L3")
BY_RANK: dict[int, Priority] = {rank: p for p, rank in RANK.items()}
MAX_FIRE_RETRIES = 3


_LEGAL_FIELDS = {"extra_days": "days", "extensions_used": "days", "decided_at": "days", "kind": "days"}
FINISHED = (Status.RESOLVED, Status.CLOSED)


# ---- legal extension ----------------------------------------------------------------------------


def extend(principal: Principal, number: str, body: ExtensionIn) -> StaffTicket:
    """Apply the legal extension (prórroga) once; the justification goes on the public timeline."""
    ticket, history = _staff_ticket(principal, number)
    _check_version(ticket, body.version)
    rule = due_dates.rule_of(ticket.legal_kind)
    if rule is None:
        raise Conflict("not_regulated")
    if ticket.status in FINISHED:
        raise Conflict("ticket_finished")
    if ticket.paused or ticket.legal_due is None:
        raise Conflict("clock_paused")
    now = utcnow()
    try:
        new_due = apply_extension(
            rule,
            ticket.legal_due,
            due_dates.institution_calendar(),
            body.days,
            body.justification,
            ticket.extensions_used,
            decided_at=now,
        )
    except LegalDeadlineError as error:
        field = _LEGAL_FIELDS.get(error.field, error.field)
        raise ValidationFailed(
            "validation_failed", errors=[FieldError(field, error.code, error.params)]
        ) from error
    actor = _staff_actor(principal)
    events = [
        new_event(
            number,
            actor,
            "extension",
            public=True,
            body=body.justification,
            at=now,
            days=body.days,
            law=rule.law,
            legal_due=iso(new_due),
            previous_legal_due=iso(ticket.legal_due),
        )
    ]
    updated = ticket.model_copy(
        update={
            "legal_extension_days": ticket.legal_extension_days + body.days,
            "extensions_used": ticket.extensions_used + 1,
            "updated_at": now,
            "version": ticket.version + 1,
        }
    )
    updated, started = taken_up(updated, actor, now)  # the justification is a public message
    return save_staff_change(ticket, history, updated, events + started, now)


# ---- escalation -----------------------------------------------------------------------------------


def _next_tier(tier: Tier) -> Tier | None:
    i = TIERS.index(tier)
    return TIERS[i + 1] if i + 1 < len(TIERS) else None


def _raised(priority: Priority) -> Priority:
    return BY_RANK[max(1, RANK[priority] - 1)]


def escalate(principal: Principal, number: str, body: EscalateIn) -> StaffTicket:
    """By hand, with a reason: to the next tier (or ``to_tier``, which must be higher)."""
    ticket, history = _staff_ticket(principal, number)
    _check_version(ticket, body.version)
    if ticket.status in FINISHED:
        raise Conflict("ticket_finished")
    target = body.to_tier or _next_tier(ticket.tier)
    if target is None:
        raise Conflict("no_higher_tier")
    if TIERS.index(target) <= TIERS.index(ticket.tier):
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("to_tier", "tier_not_higher", {"tier": ticket.tier})]
        )
    now = utcnow()
    level = ticket.escalation_level + 1
    actor = _staff_actor(principal)
    events = [
        new_event(
            number,
            actor,
            "escalated",
            public=False,
            body=body.reason,
            at=now,
            tier=target,
            previous_tier=ticket.tier,
            level=level,
            cause="manual",
            notify=["supervisor", tier_spec(target)],
        )
    ]
    handover, handed = _handover(ticket, target, "manual", now, actor)
    updated = ticket.model_copy(
        update={
            "tier": target,
            "escalation_level": level,
            "updated_at": now,
            "version": ticket.version + 1,
            **handover,
        }
    )
    events += handed
    return save_staff_change(ticket, history, updated, events, now)


def reclassify(principal: Principal, number: str, body: ReclassifyIn) -> StaffTicket:
    """Change type/subtype and/or priority; due dates are recomputed. A legal term stays."""
    ticket, history = _staff_ticket(principal, number)
    _check_version(ticket, body.version)
    if body.type is None and body.subtype is None and body.priority is None:
        raise ValidationFailed("validation_failed", errors=[FieldError("priority", "missing")])
    update: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if body.type is not None or body.subtype is not None:
        type_code = body.type or ticket.type_code
        rtype = catalog_store.get_type(type_code)
        if rtype is None:
            raise ValidationFailed("validation_failed", errors=[FieldError("type", "unknown_type")])
        subtype = rtype.subtype(body.subtype or ticket.subtype_code)
        if subtype is None:
            raise ValidationFailed("validation_failed", errors=[FieldError("subtype", "unknown_subtype")])
        update.update({"type_code": rtype.code, "subtype_code": subtype.code, "targets": subtype.targets})
        # A regulated request stays regulated: its legal term cannot be edited away.
        if ticket.legal_kind is None:
            update["legal_kind"] = due_dates.legal_kind_of(subtype.legal_kind)
        data.update(type=rtype.code, subtype=subtype.code, previous_type=ticket.type_code)
    if body.priority is not None and body.priority != ticket.priority:
        update["priority"] = body.priority
        data.update(priority=body.priority, previous_priority=ticket.priority)
    now = utcnow()
    action: Literal["reclassified", "priority_changed"] = (
        "reclassified" if "type" in data else "priority_changed"
    )
    events = [new_event(number, _staff_actor(principal), action, public=False, at=now, **data)]
    updated = ticket.model_copy(update={**update, "updated_at": now, "version": ticket.version + 1})
    return save_staff_change(ticket, history, updated, events, now)


# ---- timers that fire -----------------------------------------------------------------------------


class FiredTimer(Model):
    """What a schedule passes to the fired function (its Input)."""

    number: str
    name: str
    target: SlaTarget
    kind: str
    fire_at: datetime


FireOutcome = Literal["stale", "warned", "breached", "escalated"]


def on_timer_fired(fired: FiredTimer) -> FireOutcome:
    """Record a warning or a breach if the timer is still the ticket's; otherwise do nothing."""
    for _ in range(MAX_FIRE_RETRIES):
        ticket = store.get_ticket(fired.number)
        if ticket is None:
            return "stale"
        current = next((t for t in ticket.timers if t.name == fired.name), None)
        if current is None or iso(current.fire_at) != iso(fired.fire_at) or ticket.status in FINISHED:
            return "stale"
        updated, events, outcome = _fired_change(ticket, fired)
        try:
            store.save_change(ticket.version, updated, events)
        except Conflict:
            continue  # changed meanwhile: read again, the timer may now be stale
        return outcome
    raise Conflict("stale_version")


def _fired_change(ticket: Ticket, fired: FiredTimer) -> tuple[Ticket, list[HistoryEvent], FireOutcome]:
    """A warning (before due), a breach (at due) or an overdue level (after due): the flag it sets,
    its history event, then the escalation actions the institution's policy gives that level."""
    now = utcnow()
    system = Actor(kind="system")
    events: list[HistoryEvent] = []
    update: dict[str, Any] = {"updated_at": now, "version": ticket.version + 1}
    due = {
        "first_response": ticket.first_response_due,
        "resolution": ticket.resolution_due,
        "legal": ticket.legal_due,
    }.get(fired.target)
    config = due_dates.sla_config()
    outcome: FireOutcome
    action: Action
    if fired.kind == "breach":
        update["breached"] = [*ticket.breached, fired.target]
        actions, action, outcome, cause = _breach_actions(ticket), "sla_breached", "breached", "breach"
    elif fired.kind.startswith("overdue_"):
        index = int(fired.kind.removeprefix("overdue_"))
        if index > len(config.overdue):
            # The level was removed from the policy meanwhile: only drop the timer.
            cleaned = due_dates.apply_sla(ticket.model_copy(update=update), targets_of(ticket), now)
            return cleaned, [], "stale"
        update["warned"] = [*ticket.warned, f"{fired.target}:{fired.kind}"]
        actions, action, outcome = config.overdue[index - 1].actions, "sla_breached", "escalated"
        cause = fired.kind
    else:
        update["warned"] = [*ticket.warned, f"{fired.target}:{fired.kind}"]
        actions, action, outcome, cause = config.on_warning, "sla_warning", "warned", fired.kind
    notify = _recipients(ticket, actions)
    events.append(
        new_event(
            ticket.number,
            system,
            action,
            public=False,
            at=now,
            target=fired.target,
            kind=fired.kind,
            due=iso(due) if due else None,
            assignee=ticket.assignee,
            notify=notify,
        )
    )
    escalated = _escalation(ticket, actions, f"{cause}:{fired.target}", notify, now)
    update.update(escalated[0])
    events += escalated[1]
    updated = ticket.model_copy(update=update)
    updated = due_dates.apply_sla(updated, targets_of(updated), now)
    return updated, events, outcome


def _recipients(ticket: Ticket, actions: list[EscalationAction]) -> list[str]:
    """Whom the alert goes to: staff subs, "team" (its available agents) or "supervisor"; never
    addresses. A request nobody holds goes to the supervisors too, so the alert reaches someone."""
    notify: list[str] = []
    if "notify_assignee" in actions:
        notify += [ticket.assignee] if ticket.assignee else ["team", "supervisor"]
    if "notify_supervisor" in actions:
        notify.append("supervisor")
    return list(dict.fromkeys(notify))


def tier_spec(tier: Tier) -> str:
    """The recipient spec of a tier's available agents of the ticket's team (see the notifier)."""
    return f"tier:{tier}"


def _handover(
    ticket: Ticket, tier: Tier, cause: str, now: datetime, actor: Actor
) -> tuple[dict[str, Any], list[HistoryEvent]]:
    """An escalated request leaves the hands of an assignee below ``tier``: it waits unassigned in
    that tier's queue, or goes to an agent of that tier when the team assigns automatically."""
    keeps = (
        ticket.assignee is not None
        and _routing.TIER_RANK.get(_routing.staff_tier(ticket.assignee), 1) >= _routing.TIER_RANK[tier]
    )
    if keeps:
        return {}, []
    mode = due_dates.sla_config().assignment.get(ticket.team, "manual")
    chosen = _routing.pick_assignee(ticket.team, mode, min_tier=tier)
    if chosen is None and ticket.assignee is None:
        return {}, []
    sub, name = chosen if chosen is not None else (None, None)
    event = new_event(
        ticket.number,
        actor,
        "assigned",
        public=False,
        at=now,
        team=ticket.team,
        assignee=sub,
        assignee_name=name,
        previous_assignee=ticket.assignee,
        mode="escalation",
        cause=cause,
    )
    return {"assignee": sub, "assignee_name": name}, [event]


def _escalation(
    ticket: Ticket, actions: list[EscalationAction], cause: str, notify: list[str], now: datetime
) -> tuple[dict[str, Any], list[HistoryEvent]]:
    """The ticket fields and history events of the moving actions (tier, priority, reassignment)."""
    system = Actor(kind="system")
    update: dict[str, Any] = {}
    events: list[HistoryEvent] = []
    tier, priority = ticket.tier, ticket.priority
    if "next_tier" in actions:
        tier = _next_tier(ticket.tier) or ticket.tier
    if "raise_priority" in actions:
        priority = _raised(ticket.priority)
    assignee = ticket.assignee
    if (tier, priority) != (ticket.tier, ticket.priority):
        level = ticket.escalation_level + 1
        update.update(tier=tier, priority=priority, escalation_level=level)
        raised = [*notify, "supervisor", tier_spec(tier)] if tier != ticket.tier else notify
        events.append(
            new_event(
                ticket.number,
                system,
                "escalated",
                public=False,
                at=now,
                tier=tier,
                previous_tier=ticket.tier,
                priority=priority,
                previous_priority=ticket.priority,
                level=level,
                cause=cause,
                notify=list(dict.fromkeys(raised)),
            )
        )
        if tier != ticket.tier:
            handover, handed = _handover(ticket, tier, cause, now, system)
            update.update(handover)
            events += handed
            assignee = handover.get("assignee", assignee)
    if "reassign" in actions and (assignee == ticket.assignee or assignee is None):
        chosen = _routing.pick_assignee(ticket.team, "least_loaded", exclude=ticket.assignee, min_tier=tier)
        if chosen is not None:
            update.update(assignee=chosen[0], assignee_name=chosen[1])
            events.append(
                new_event(
                    ticket.number,
                    system,
                    "assigned",
                    public=False,
                    at=now,
                    team=ticket.team,
                    assignee=chosen[0],
                    previous_assignee=ticket.assignee,
                    mode="escalation",
                    cause=cause,
                )
            )
    return update, events


def _breach_actions(ticket: Ticket) -> list[EscalationAction]:
    config = due_dates.sla_config()
    override = config.overrides.get(f"{ticket.type_code}/{ticket.subtype_code}")
    if override is not None and override.on_breach is not None:
        return override.on_breach
    return config.on_breach


# ---- admin: calendar and policy ---------------------------------------------------------------------


def get_calendar(principal: Principal) -> BusinessCalendar:
    principal.require(*ADMIN_ROLES)
    return config_versions.with_version("CALENDAR", due_dates.institution_calendar())


def put_calendar(principal: Principal, calendar: BusinessCalendar) -> BusinessCalendar:
    """Store the institution's calendar (validated: time zone, country, shifts that do not overlap)."""
    principal.require(*ADMIN_ROLES)
    stored = config_versions.save("CALENDAR", calendar)
    due_dates.forget_cache()
    return stored


def get_policy(principal: Principal) -> SlaConfig:
    principal.require(*ADMIN_ROLES)
    return config_versions.with_version("SLA", due_dates.sla_config())


def _policy_references(override_keys: list[str], assignment_teams: list[str]) -> list[FieldError]:
    """Overrides of a type/subtype the catalog lacks and assignment modes of unknown teams."""
    errors: list[FieldError] = []
    catalog = {t.code: {s.code for s in t.subtypes} for t in catalog_store.list_types()}
    for key in override_keys:
        type_code, _, sub = key.partition("/")
        if sub not in catalog.get(type_code, set()):
            errors.append(FieldError(f"overrides.{key}", "unknown_policy_key", {"key": key}))
    teams = {t.code for t in catalog_store.list_teams()}
    for team in assignment_teams:
        if team not in teams:
            errors.append(FieldError(f"assignment.{team}", "unknown_team", {"team": team}))
    return errors


def policy_reference_errors(data: object) -> list[FieldError]:
    """The reference checks of :func:`put_policy` on a policy document whose shape was refused:
    the well-formed override keys and the assignment's teams, reported with the shape errors."""
    if not isinstance(data, dict):
        return []
    overrides, assignment = data.get("overrides"), data.get("assignment")
    keys = [k for k in overrides if _is_policy_key(k)] if isinstance(overrides, dict) else []
    teams = list(assignment) if isinstance(assignment, dict) else []
    return _policy_references(keys[:200], teams[:100])


def _is_policy_key(key: str) -> bool:
    parts = key.split("/")
    return len(parts) == 2 and all(parts)


def put_policy(principal: Principal, config: SlaConfig) -> SlaConfig:
    principal.require(*ADMIN_ROLES)
    errors = _policy_references(list(config.overrides), list(config.assignment))
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    stored = config_versions.save("SLA", config)
    due_dates.forget_cache()
    return stored
