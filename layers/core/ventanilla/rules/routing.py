"""Routing rules (B3): ordered conditions -> actions, applied when a request is filed.

Pure: :func:`evaluate` tells which rule matches a request and why (the dry-run route shows it);
:func:`validate` finds rules that name unknown teams or catalog entries, or can never match.
The first enabled rule whose conditions all hold wins; an empty condition list means "any".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ventanilla.models.base import Model
from ventanilla.models.catalog import Tier
from ventanilla.models.common import Channel, Code, version_read
from ventanilla.models.people import RequesterKind
from ventanilla.rules.priority import Priority
from ventanilla.rules.text import fold

MAX_RULES = 200


class Conditions(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    types: list[Code] = Field(default_factory=list, max_length=50)
    subtypes: list[str] = Field(default_factory=list, max_length=100)
    """``type/subtype`` (or a bare subtype code, any type)."""
    channels: list[Channel] = Field(default_factory=list, max_length=10)
    priorities: list[Priority] = Field(default_factory=list, max_length=4)
    keywords: list[str] = Field(default_factory=list, max_length=50)
    """Any of these words in the subject or description (accents and case ignored)."""
    requester_kinds: list[RequesterKind] = Field(default_factory=list, max_length=2)
    sectors: list[Code] = Field(default_factory=list, max_length=100)
    """The sector matched from the request's point (none matches a request without one)."""


class Actions(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    team: Code | None = None
    tier: Tier | None = None
    priority: Priority | None = None
    tags: list[Code] = Field(default_factory=list, max_length=20)


class RoutingRule(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Code
    enabled: bool = True
    conditions: Conditions = Field(default_factory=Conditions)
    actions: Actions


class RoutingRules(Model):
    model_config = ConfigDict(extra="forbid")

    rules: list[RoutingRule] = Field(default_factory=list, max_length=MAX_RULES)
    version: int | None = version_read("routing_changed")


class Sample(Model):
    """A request as routing sees it (also the dry-run body)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: Code
    subtype: Code
    channel: Channel = Channel.WEB
    priority: Priority = "medium"
    subject: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=10_000)
    requester_kind: RequesterKind = "external"
    sector: Code | None = None


class RuleCheck(Model):
    rule: str
    matched: bool
    reasons: list[str]


class Evaluation(Model):
    matched: str | None
    actions: Actions | None
    checks: list[RuleCheck]


def _subtype_matches(entry: str, sample: Sample) -> bool:
    if "/" in entry:
        return entry == f"{sample.type}/{sample.subtype}"
    return entry == sample.subtype


def check(rule: RoutingRule, sample: Sample) -> RuleCheck:
    """Whether ``rule`` matches ``sample`` and the reason for each condition (held or failed)."""
    reasons: list[str] = []
    ok = True
    if not rule.enabled:
        return RuleCheck(rule=rule.name, matched=False, reasons=["disabled"])
    c = rule.conditions

    def test(label: str, wanted: list[Any], held: bool, value: Any) -> None:
        nonlocal ok
        if not wanted:
            return
        reasons.append(f"{label} {value!s} {'in' if held else 'not in'} {[str(w) for w in wanted]}")
        ok = ok and held

    test("type", c.types, sample.type in c.types, sample.type)
    test("subtype", c.subtypes, any(_subtype_matches(s, sample) for s in c.subtypes), sample.subtype)
    test("channel", c.channels, sample.channel in c.channels, sample.channel.value)
    test("priority", c.priorities, sample.priority in c.priorities, sample.priority)
    test(
        "requester_kind", c.requester_kinds, sample.requester_kind in c.requester_kinds, sample.requester_kind
    )
    test("sector", c.sectors, sample.sector is not None and sample.sector in c.sectors, sample.sector or "-")
    if c.keywords:
        text = fold(f"{sample.subject} {sample.description}")
        found = [k for k in c.keywords if fold(k) and fold(k) in text]
        reasons.append(f"keywords found: {found}" if found else "no keyword found")
        ok = ok and bool(found)
    if not reasons:
        reasons.append("no conditions: matches every request")
    return RuleCheck(rule=rule.name, matched=ok, reasons=reasons)


def evaluate(rules: RoutingRules, sample: Sample) -> Evaluation:
    """The first matching rule and its actions, with every rule checked up to it."""
    checks: list[RuleCheck] = []
    for rule in rules.rules:
        result = check(rule, sample)
        checks.append(result)
        if result.matched:
            return Evaluation(matched=rule.name, actions=rule.actions, checks=checks)
    return Evaluation(matched=None, actions=None, checks=checks)


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    params: dict[str, Any]


@dataclass(frozen=True)
class RuleParts:
    """What parsed of one rule; a part that did not (``None``) is left to the shape errors."""

    index: int
    name: str | None
    enabled: bool | None
    conditions: Conditions | None
    actions: Actions | None
    whole: bool = True
    """Every condition and action parsed (a dropped one leaves "no action" and "catches all" unknown)."""


_M = TypeVar("_M", bound=BaseModel)
_NAME: TypeAdapter[str] = TypeAdapter(Code)
_ENABLED: TypeAdapter[bool] = TypeAdapter(bool)


def _part(parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except ValidationError:
        return None


def _lenient(model: type[_M], value: Any) -> tuple[_M | None, bool]:
    """``value`` as ``model`` without the fields it refuses (a flat model of optional fields):
    the model, or None, and whether nothing was dropped."""
    try:
        return model.model_validate(value), True
    except ValidationError as error:
        if not isinstance(value, dict):
            return None, False
        refused = {e["loc"][0] for e in error.errors() if e["loc"]}
        kept = {k: v for k, v in value.items() if k not in refused}
        try:
            return model.model_validate(kept), False
        except ValidationError:
            return None, False


def parts_of(data: Any) -> list[RuleParts]:
    """The parts of each rule of a routing document that parse on their own.

    For a document whose shape was refused: the reference checks still run on what parsed, so
    one answer lists both kinds of error (a person fixes them all, not one per save).
    """
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, list):
        return []
    out: list[RuleParts] = []
    for i, raw in enumerate(rules[:MAX_RULES]):
        if not isinstance(raw, dict):
            continue
        name = raw.get("name")
        conditions, all_conditions = _lenient(Conditions, raw.get("conditions", {}))
        actions, all_actions = _lenient(Actions, raw.get("actions"))
        out.append(
            RuleParts(
                index=i,
                name=_part(_NAME.validate_python, name.strip() if isinstance(name, str) else name),
                enabled=_part(_ENABLED.validate_python, raw.get("enabled", True)),
                conditions=conditions,
                actions=actions,
                whole=all_conditions and all_actions,
            )
        )
    return out


def validate(rules: RoutingRules, teams: set[str], catalog: dict[str, set[str]]) -> list[Problem]:
    """Unknown teams or catalog entries, empty or duplicate rules, and rules that can never match.

    ``catalog`` maps each type code to its subtype codes.
    """
    parts = [RuleParts(i, r.name, r.enabled, r.conditions, r.actions) for i, r in enumerate(rules.rules)]
    return validate_parts(parts, teams, catalog)


def validate_parts(rules: list[RuleParts], teams: set[str], catalog: dict[str, set[str]]) -> list[Problem]:
    """:func:`validate` on the parts of each rule that parsed (paths as pydantic writes them)."""
    problems: list[Problem] = []
    names: set[str] = set()
    catch_all: str | None = None
    for rule in rules:
        at = f"rules.{rule.index}"
        label = rule.name if rule.name is not None else f"#{rule.index + 1}"
        c, a = rule.conditions, rule.actions
        if rule.name is not None:
            if rule.name in names:
                problems.append(Problem(f"{at}.name", "duplicate_rule", {"name": rule.name}))
            names.add(rule.name)
        if a is not None:
            if rule.whole and a.team is None and a.tier is None and a.priority is None and not a.tags:
                problems.append(Problem(f"{at}.actions", "rule_without_action", {"name": label}))
            if a.team is not None and a.team not in teams:
                problems.append(Problem(f"{at}.actions.team", "unknown_team", {"team": a.team}))
        if c is not None:
            for t in c.types:
                if t not in catalog:
                    problems.append(Problem(f"{at}.conditions.types", "unknown_type", {"type": t}))
            for j, entry in enumerate(c.subtypes):
                where = f"{at}.conditions.subtypes.{j}"
                if "/" in entry:
                    type_code, sub = entry.split("/", 1)
                    if sub not in catalog.get(type_code, set()):
                        problems.append(Problem(where, "unknown_subtype", {"subtype": entry}))
                    elif c.types and type_code not in c.types:
                        problems.append(Problem(where, "rule_never_matches", {"name": label}))
                elif not any(entry in subs for t, subs in catalog.items() if not c.types or t in c.types):
                    problems.append(Problem(where, "unknown_subtype", {"subtype": entry}))
            for j, keyword in enumerate(c.keywords):
                if not fold(keyword):
                    problems.append(Problem(f"{at}.conditions.keywords.{j}", "empty_keyword", {}))
        if catch_all is not None and rule.enabled:
            problems.append(Problem(f"{at}", "rule_never_matches", {"name": label, "after": catch_all}))
        if (
            rule.enabled
            and rule.whole
            and c is not None
            and not any(
                (c.types, c.subtypes, c.channels, c.priorities, c.keywords, c.requester_kinds, c.sectors)
            )
        ):
            catch_all = catch_all or label
    return problems
