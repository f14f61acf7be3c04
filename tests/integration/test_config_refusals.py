"""What the configuration editors refuse (issue 19): the models' own refusals in Spanish (default)
and English without the path repeated in the words, and a document refused for its shape also
reports its unknown teams, types and keys in the same answer, with nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Aws

POLICY = "/api/v1/admin/sla-policy"
RULES = "/api/v1/admin/routing/rules"
CALENDAR = "/api/v1/admin/calendar"


def put(api: Any, path: str, body: Any, auth: dict[str, str], lang: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", **auth}
    if lang:
        headers["Accept-Language"] = lang
    return api.put(path, body=json.dumps(body), headers=headers)


def refused(response: Any) -> dict[str, tuple[str, str]]:
    """Each error's field -> (code, message) of a 422 answer."""
    assert response.status_code == 422, response.body
    body = json.loads(response.body)
    assert body["code"] == "validation_failed"
    return {e["field"]: (e["code"], e["message"]) for e in body["errors"]}


@pytest.fixture()
def carla(aws: Aws) -> dict[str, str]:
    return aws.auth("carla.supervisora")


@pytest.fixture()
def policy(api: Any, carla: dict[str, str]) -> dict[str, Any]:
    current = dict(api.get(POLICY, headers=carla).json_body)
    current.pop("version")
    return current


@pytest.mark.parametrize(
    ("change", "field", "code", "es", "en"),
    [
        (
            {"warnings": [0.8, 0.5]},
            "warnings",
            "warnings_not_ascending",
            "Los umbrales deben ir en orden estrictamente creciente; se recibió [0.8, 0.5].",
            "Thresholds must be strictly ascending, got [0.8, 0.5].",
        ),
        (
            {"warnings": [0.5, 0.501]},
            "warnings",
            "warnings_too_close",
            "Los umbrales deben diferir en al menos un punto porcentual; se recibió [0.5, 0.501].",
            "Thresholds must differ by at least one percent, got [0.5, 0.501].",
        ),
        (
            {
                "overdue": [
                    {"after_hours": 24, "actions": ["next_tier"]},
                    {"after_hours": 8, "actions": ["reassign"]},
                ]
            },
            "overdue",
            "overdue_not_ascending",
            "Los niveles deben ir en after_hours estrictamente creciente; se recibió [24.0, 8.0].",
            "Levels must be in strictly ascending after_hours, got [24.0, 8.0].",
        ),
        (
            {"overrides": {"sin-barra": {"resolution": {"value": 2, "unit": "business_days"}}}},
            "overrides",
            "override_key_format",
            "La clave «sin-barra» debe tener la forma «tipo/subtipo».",
            "Key 'sin-barra' must be '<type>/<subtype>'.",
        ),
        (
            {"overrides": {"reclamo/servicio": {"resolution": {"value": 1.5, "unit": "business_days"}}}},
            "overrides.reclamo/servicio.resolution",
            "whole_business_days",
            "Los días hábiles deben ser un número entero; se recibió 1.5.",
            "Business days must be a whole number, got 1.5.",
        ),
    ],
)
def test_policy_refusals_are_spanish_first_and_english_without_the_path(
    api: Any,
    carla: dict[str, str],
    policy: dict[str, Any],
    change: dict[str, Any],
    field: str,
    code: str,
    es: str,
    en: str,
) -> None:
    body = {**policy, **change}
    assert refused(put(api, POLICY, body, carla)) == {field: (code, es)}  # Spanish by default
    assert refused(put(api, POLICY, body, carla, "en-US,en;q=0.9")) == {field: (code, en)}
    assert refused(put(api, POLICY, body, carla, "es-CL")) == {field: (code, es)}
    assert api.get(POLICY, headers=carla).json_body["warnings"] == policy["warnings"]  # nothing written


def test_policy_shape_and_reference_errors_come_in_one_answer(
    api: Any, carla: dict[str, str], policy: dict[str, Any]
) -> None:
    before = api.get(POLICY, headers=carla).json_body
    body = {
        **policy,
        "warnings": [0.8, 0.5],
        "overrides": {
            "consulta/no-existe": {"resolution": {"value": 2, "unit": "business_days"}},
            "mal-formada": {"resolution": {"value": 2, "unit": "business_days"}},
        },
        "assignment": {"fantasma": "round_robin"},
    }
    errors = refused(put(api, POLICY, body, carla))
    assert errors == {
        "warnings": ("warnings_not_ascending", errors["warnings"][1]),
        "overrides": ("override_key_format", "La clave «mal-formada» debe tener la forma «tipo/subtipo»."),
        "overrides.consulta/no-existe": (
            "unknown_policy_key",
            "No existe el tipo/subtipo consulta/no-existe.",
        ),
        "assignment.fantasma": ("unknown_team", "Equipo desconocido: fantasma."),
    }
    english = refused(put(api, POLICY, body, carla, "en"))
    assert english["assignment.fantasma"] == ("unknown_team", "Unknown team: fantasma.")
    # a value the model refuses beside an unknown team (the enum, not a validator)
    response = put(api, POLICY, {**policy, "assignment": {"fantasma": "al-azar"}}, carla)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in json.loads(response.body)["errors"]] == [
        ("assignment.fantasma", "literal_error"),
        ("assignment.fantasma", "unknown_team"),
    ]
    assert api.get(POLICY, headers=carla).json_body == before  # nothing written, version unchanged


def test_routing_shape_and_reference_errors_come_in_one_answer(api: Any, carla: dict[str, str]) -> None:
    before = api.get(RULES, headers=carla).json_body
    body = {
        "rules": [
            # name refused, team unknown
            {"name": "Mala Regla", "conditions": {"keywords": ["luz"]}, "actions": {"team": "fantasma"}},
            {
                "name": "canal-raro",  # a refused channel, an unknown type in the same conditions
                "conditions": {"channels": ["paloma"], "types": ["nada"]},
                "actions": {"team": "tecnico"},
            },
            # a refused priority, an unknown team beside it; the rule is not said to have no action
            {
                "name": "tipo-raro",
                "conditions": {"types": ["no-existe"]},
                "actions": {"priority": "urgente", "team": "fantasma"},
            },
            {"name": "tipo-raro", "conditions": {"subtypes": ["consulta/nada"]}, "actions": {"tags": ["x"]}},
        ]
    }
    errors = refused(put(api, RULES, body, carla))
    codes = {field: code for field, (code, _) in errors.items()}
    assert codes == {
        "rules.0.name": "string_pattern_mismatch",
        "rules.0.actions.team": "unknown_team",
        "rules.1.conditions.channels.0": "enum",
        "rules.1.conditions.types": "unknown_type",
        "rules.2.actions.priority": "literal_error",
        "rules.2.actions.team": "unknown_team",
        "rules.2.conditions.types": "unknown_type",
        "rules.3.name": "duplicate_rule",
        "rules.3.conditions.subtypes.0": "unknown_subtype",
    }
    assert errors["rules.0.actions.team"][1] == "Equipo desconocido: fantasma."
    assert errors["rules.0.name"][1] == "Formato no válido."
    english = refused(put(api, RULES, body, carla, "en"))
    assert english["rules.0.actions.team"][1] == "Unknown team: fantasma."
    assert api.get(RULES, headers=carla).json_body == before  # nothing written


def test_a_document_that_is_not_a_routing_or_policy_shape_still_gets_a_422(
    api: Any, carla: dict[str, str]
) -> None:
    for path, body in (
        (RULES, {"rules": "todas"}),
        (RULES, {"rules": [1, None, {"actions": []}, {"name": "x", "conditions": 3, "actions": {"x": 1}}]}),
        (
            RULES,
            {
                "rules": [
                    {"name": "sin-accion", "actions": {"priority": "ya"}},
                    {"name": "otra", "actions": {}},
                ]
            },
        ),
        (POLICY, {"overrides": [], "assignment": "x"}),
        (POLICY, {"overrides": {"a/b": 3}, "assignment": {"": 1}}),
    ):
        response = put(api, path, body, carla)
        assert response.status_code == 422, (path, body, response.body)
    answer = put(
        api,
        RULES,
        {"rules": [{"name": "a", "actions": {"priority": "ya"}}, {"name": "b", "actions": {}}]},
        carla,
    )
    # a rule whose only action was refused is not also said to have none; an empty one is
    assert {(e["field"], e["code"]) for e in json.loads(answer.body)["errors"]} == {
        ("rules.0.actions.priority", "literal_error"),
        ("rules.1.actions", "rule_without_action"),
    }
    # the reference checks run for staff allowed to save only
    assert put(api, RULES, {"rules": [{"name": "x", "actions": {"team": "fantasma"}}]}, {}).status_code == 401


def test_calendar_refusals_are_bilingual_and_name_their_field(api: Any, carla: dict[str, str]) -> None:
    current = dict(api.get(CALENDAR, headers=carla).json_body)
    current.pop("version")
    overlapping = {**current, "working_hours": {"1": [["08:30", "13:00"], ["12:00", "17:00"]]}}
    assert refused(put(api, CALENDAR, overlapping, carla)) == {
        "working_hours.1": (
            "shifts_overlap",
            "Los turnos se superponen a las 12:00 (el anterior termina a las 13:00).",
        )
    }
    assert refused(put(api, CALENDAR, {**current, "timezone": "Marte/Olympus"}, carla, "en"))["timezone"] == (
        "unknown_timezone",
        "Unknown IANA time zone 'Marte/Olympus' (e.g. America/Santiago).",
    )
    assert refused(put(api, CALENDAR, {**current, "subdivision": "ZZ"}, carla)) == {
        "subdivision": ("unknown_subdivision", "«ZZ» no es una subdivisión de CL.")
    }
    due = api.post(
        "/api/v1/admin/calendar/due",
        body=json.dumps({"start": "2026-12-04T16:00:00-03:00"}),
        headers={"Content-Type": "application/json", **carla},
    )
    assert refused(due) == {"body": ("due_one_amount", "Indique horas o días hábiles, uno de los dos.")}
