"""Routing at creation, its dry run, the rules' admin, and assignment per team (B3)."""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ventanilla.auth import Principal
from ventanilla.errors import FieldError, ValidationFailed
from ventanilla.models.catalog import Subtype, Tier
from ventanilla.models.ticket import CreateTicketIn
from ventanilla.rules import routing as rules
from ventanilla.rules.priority import Priority
from ventanilla.services import config_versions
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import people as people_store
from ventanilla.storage import sla as sla_store

ADMIN_ROLES = ("admin", "supervisor")
CACHE_SECONDS = 30.0


_cache: dict[str, tuple[float, rules.RoutingRules]] = {}


def load_rules() -> rules.RoutingRules:
    hit = _cache.get("rules")
    if hit is not None and _time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    body = sla_store.get_body("ROUTING")
    value = rules.RoutingRules()
    if body:
        try:
            value = rules.RoutingRules.model_validate_json(body)
        except ValidationError:
            value = rules.RoutingRules()
    _cache["rules"] = (_time.monotonic(), value)
    return value


@dataclass
class Routed:
    team: str
    tier: Tier
    priority: Priority
    tags: list[str] = field(default_factory=list)
    rule: str | None = None


def route_new(
    body: CreateTicketIn,
    type_code: str,
    subtype: Subtype,
    requester_kind: Any,
    priority: Priority,
    sector: str | None = None,
) -> Routed:
    """The subtype's defaults, then the first matching rule's actions on top."""
    routed = Routed(team=subtype.team, tier=subtype.tier, priority=priority)
    stored = load_rules()
    if not stored.rules:
        return routed
    sample = rules.Sample(
        type=type_code,
        subtype=subtype.code,
        channel=body.channel,
        priority=priority,
        subject=body.subject,
        description=body.description[:10_000],
        requester_kind=requester_kind,
        sector=sector,
    )
    result = rules.evaluate(stored, sample)
    if result.actions is None:
        return routed
    a = result.actions
    return Routed(
        team=a.team or routed.team,
        tier=a.tier or routed.tier,
        priority=a.priority or routed.priority,
        tags=sorted(set(a.tags)),
        rule=result.matched,
    )


def dry_run(principal: Principal, sample: rules.Sample) -> rules.Evaluation:
    principal.require(*ADMIN_ROLES)
    return rules.evaluate(load_rules(), sample)


def get_rules(principal: Principal) -> rules.RoutingRules:
    principal.require(*ADMIN_ROLES)
    return config_versions.with_version("ROUTING", load_rules())


def _references() -> tuple[set[str], dict[str, set[str]]]:
    teams = {t.code for t in catalog_store.list_teams()}
    catalog = {t.code: {s.code for s in t.subtypes} for t in catalog_store.list_types()}
    return teams, catalog


def check_rules(value: rules.RoutingRules) -> None:
    problems = rules.validate(value, *_references())
    if problems:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError(p.field, p.code, p.params) for p in problems]
        )


def reference_errors(data: object) -> list[FieldError]:
    """Unknown teams, types and subtypes (and the other rule checks) in a routing document whose
    shape was refused, on the parts that parsed: reported with the shape errors, in one answer."""
    problems = rules.validate_parts(rules.parts_of(data), *_references())
    return [FieldError(p.field, p.code, p.params) for p in problems]


def put_rules(principal: Principal, value: rules.RoutingRules) -> rules.RoutingRules:
    principal.require(*ADMIN_ROLES)
    check_rules(value)
    stored = config_versions.save("ROUTING", value)
    _cache.clear()
    return stored


# ---- availability and assignment per team ------------------------------------------------------


def set_availability(principal: Principal, available: bool, capacity: int) -> dict[str, Any]:
    """An agent says whether they take new requests, and how many open ones at most."""
    from ventanilla.auth import AGENT_ROLES

    principal.require(*sorted(AGENT_ROLES | {"supervisor"}))
    teams = list(principal.teams)
    sla_store.put_availability(
        principal.sub, principal.name or principal.username, teams, available, capacity, principal.tier
    )
    return {"sub": principal.sub, "available": available, "capacity": capacity, "teams": teams}


def get_availability(principal: Principal) -> dict[str, Any]:
    """What the agent last set; never set means not taking new requests (capacity 10, the default)."""
    from ventanilla.auth import AGENT_ROLES

    principal.require(*sorted(AGENT_ROLES | {"supervisor"}))
    teams = list(principal.teams)
    item = sla_store.get_availability(principal.sub, teams[0]) if teams else None
    available = bool(item.get("available")) if item else False
    capacity = int(item.get("capacity", 10)) if item else 10
    return {"sub": principal.sub, "available": available, "capacity": capacity, "teams": teams}


TIER_RANK: dict[str, int] = {"L1": 1, "L2": 2, "L3": 3}


def staff_tier(sub: str) -> str:
    """The tier a staff member works at (their profile's; L1 when unknown)."""
    profile = people_store.get_staff(sub)
    return profile.tier if profile is not None else "L1"


def available_agents(team: str, min_tier: str | None = None) -> list[dict[str, Any]]:
    """The team's agents taking requests now, at ``min_tier`` or above.

    One Query of the team's agents; an item written before tiers were stored costs one GetItem.
    """
    agents = [a for a in sla_store.team_agents(team) if a.get("available")]
    if min_tier is None:
        return agents
    floor = TIER_RANK[min_tier]
    return [a for a in agents if TIER_RANK.get(str(a.get("tier") or staff_tier(str(a["sub"]))), 1) >= floor]


def pick_assignee(
    team: str, mode: str, exclude: str | None = None, min_tier: str | None = None
) -> tuple[str, str | None] | None:
    """(sub, name) of the agent who gets a new request of ``team``; None for a manual queue or nobody free.

    round_robin: the next available agent after the last one chosen (by sub order).
    least_loaded: the available agent with the fewest open requests relative to capacity.
    ``exclude``: an agent not to choose (reassignment on escalation picks someone else).
    ``min_tier``: only agents of that tier or above (an escalated request).
    Cost: one Query of the team's agents, then one bounded count per available agent.
    """
    if mode == "manual":
        return None
    agents = [a for a in available_agents(team, min_tier) if a["sub"] != exclude]
    if not agents:
        return None
    agents.sort(key=lambda a: str(a["sub"]))
    if mode == "round_robin":
        last = sla_store.last_round_robin(team)
        following = [a for a in agents if last is None or str(a["sub"]) > last]
        chosen = (following or agents)[0]
        sla_store.set_round_robin(team, str(chosen["sub"]))
    else:
        from ventanilla.storage import tickets as ticket_store

        loads = []
        for a in agents:
            capacity = int(a.get("capacity", 10))
            load = ticket_store.open_count(str(a["sub"]), capacity + 1)
            if load < capacity:
                loads.append((load / max(capacity, 1), load, str(a["sub"]), a))
        if not loads:
            return None
        chosen = min(loads)[3]
    return str(chosen["sub"]), (str(chosen["name"]) if chosen.get("name") else None)
