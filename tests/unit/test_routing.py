"""Routing rules (pure): first match wins, reasons explain, validation finds impossible rules."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ventanilla.rules.routing import (
    Actions,
    Conditions,
    RoutingRule,
    RoutingRules,
    Sample,
    check,
    evaluate,
    fold,
    validate,
)

CATALOG = {"consulta": {"general", "tramite"}, "reclamo": {"servicio", "atencion"}}
TEAMS = {"atencion", "tecnico"}

samples = st.builds(
    Sample,
    type=st.sampled_from(sorted(CATALOG)),
    subtype=st.sampled_from(["general", "tramite", "servicio", "atencion"]),
    channel=st.sampled_from(["web", "email", "phone"]),
    priority=st.sampled_from(["critical", "high", "medium", "low"]),
    subject=st.text(max_size=40),
    description=st.text(max_size=80),
    requester_kind=st.sampled_from(["external", "internal"]),
)
conditions = st.builds(
    Conditions,
    types=st.lists(st.sampled_from(sorted(CATALOG)), max_size=2, unique=True),
    channels=st.lists(st.sampled_from(["web", "email", "phone"]), max_size=2, unique=True),
    priorities=st.lists(st.sampled_from(["critical", "high", "medium", "low"]), max_size=2, unique=True),
    keywords=st.lists(st.sampled_from(["luz", "agua", "basura"]), max_size=2, unique=True),
)


def rule(name: str, **conds: Any) -> RoutingRule:
    return RoutingRule(name=name, conditions=Conditions(**conds), actions=Actions(team="tecnico"))


@given(st.lists(conditions, max_size=5), samples)
def test_the_match_is_the_first_rule_that_checks(conds: list[Conditions], sample: Sample) -> None:
    rules = RoutingRules(
        rules=[
            RoutingRule(name=f"r{i}", conditions=c, actions=Actions(tags=["t"])) for i, c in enumerate(conds)
        ]
    )
    result = evaluate(rules, sample)
    matching = [r.name for r in rules.rules if check(r, sample).matched]
    assert result.matched == (matching[0] if matching else None)
    assert all(not c.matched for c in result.checks[:-1])  # every rule before the match failed
    assert all(c.reasons for c in result.checks)  # and each says why


@given(samples)
def test_a_rule_without_conditions_matches_everything(sample: Sample) -> None:
    assert check(rule("todo"), sample).matched


@given(st.text(max_size=30))
def test_fold_is_idempotent_and_ignores_accents_and_case(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold("TRANSPARÉNCIA Ñandú") == "transparencia nandu"


def test_keywords_match_subject_or_description_without_accents() -> None:
    r = rule("luz", keywords=["Iluminación"])
    assert check(r, Sample(type="consulta", subtype="general", subject="ILUMINACION rota")).matched
    assert check(r, Sample(type="consulta", subtype="general", description="la iluminación")).matched
    assert not check(r, Sample(type="consulta", subtype="general", subject="bache")).matched


def test_disabled_rules_never_match() -> None:
    r = rule("off").model_copy(update={"enabled": False})
    assert check(r, Sample(type="consulta", subtype="general")).reasons == ["disabled"]


def test_validation_names_unknown_teams_catalog_entries_and_impossible_rules() -> None:
    rules = RoutingRules(
        rules=[
            RoutingRule(name="a", conditions=Conditions(types=["nada"]), actions=Actions(team="fantasma")),
            RoutingRule(
                name="b", conditions=Conditions(subtypes=["reclamo/no"]), actions=Actions(tags=["x"])
            ),
            RoutingRule(
                name="c",
                conditions=Conditions(types=["consulta"], subtypes=["reclamo/servicio"]),
                actions=Actions(tags=["x"]),
            ),
            RoutingRule(name="d", actions=Actions()),
            RoutingRule(name="d", conditions=Conditions(keywords=["  "]), actions=Actions(tags=["y"])),
        ]
    )
    found = {(p.field, p.code) for p in validate(rules, TEAMS, CATALOG)}
    assert found == {
        ("rules.0.actions.team", "unknown_team"),
        ("rules.0.conditions.types", "unknown_type"),
        ("rules.1.conditions.subtypes.0", "unknown_subtype"),
        ("rules.2.conditions.subtypes.0", "rule_never_matches"),
        ("rules.3.actions", "rule_without_action"),
        ("rules.4.name", "duplicate_rule"),
        ("rules.4.conditions.keywords.0", "empty_keyword"),
        ("rules.4", "rule_never_matches"),  # rule d (no conditions) catches everything before it
    }


@given(st.lists(conditions, min_size=1, max_size=5))
def test_rules_after_a_catch_all_are_reported(conds: list[Conditions]) -> None:
    rules = [RoutingRule(name="todo", actions=Actions(tags=["t"]))] + [
        RoutingRule(name=f"r{i}", conditions=c, actions=Actions(tags=["t"])) for i, c in enumerate(conds)
    ]
    problems = validate(RoutingRules(rules=rules), TEAMS, CATALOG)
    never = {p.field for p in problems if p.code == "rule_never_matches"}
    assert never == {f"rules.{i + 1}" for i in range(len(conds))}


def test_valid_rules_have_no_problems() -> None:
    rules = RoutingRules(rules=[rule("luz", types=["consulta"], keywords=["luz"]), rule("resto")])
    assert validate(rules, TEAMS, CATALOG) == []
