"""Legal deadlines: the catalogue's content, counting, extensions and bad data."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from ventanilla.sla.calendar import BusinessCalendar, demo_calendar
from ventanilla.sla.legal import (
    LegalDeadlineError,
    apply_extension,
    legal_due,
    legal_rule,
    legal_rules,
    load_rules,
)

SCL = ZoneInfo("America/Santiago")
BOG = ZoneInfo("America/Bogota")
CL_CAL = demo_calendar()
CO_CAL = BusinessCalendar(
    timezone="America/Bogota",
    country="CO",
    working_hours={d: [(time(7, 0), time(12, 0)), (time(13, 0), time(16, 0))] for d in range(1, 6)},
)
CL_ACCESS = legal_rule("CL", "access_to_information")
CO_PETITION = legal_rule("CO", "petition")


def scl(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SCL)


def bog(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BOG)


# ---- catalogue ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "kind", "days", "law", "ext_days", "ext_times"),
    [
        ("CL", "access_to_information", 20, "Ley 20.285", 10, 1),
        ("CO", "petition", 15, "Ley 1755 de 2015", 30, 1),
        ("CO", "documents_request", 10, "Ley 1755 de 2015", 20, 1),
        ("CO", "consultation", 30, "Ley 1755 de 2015", 60, 1),
        ("CO", "utility_pqr", 15, "Ley 142 de 1994", None, None),
    ],
)
def test_catalogue_content(
    country: str, kind: str, days: int, law: str, ext_days: int | None, ext_times: int | None
) -> None:
    rule = legal_rule(country, kind)
    assert (rule.country, rule.kind, rule.business_days, rule.law) == (country, kind, days, law)
    if ext_days is None:
        assert rule.extension is None
    else:
        assert rule.extension is not None
        assert (rule.extension.max_business_days, rule.extension.max_times) == (ext_days, ext_times)
        assert rule.extension.justification_required is True
    assert rule.label("es") and rule.label("en") and rule.label("es") != rule.label("en")


def test_colombian_extensions_are_twice_the_term() -> None:
    for rule in legal_rules("CO"):
        if rule.law.startswith("Ley 1755"):
            assert rule.extension is not None
            assert rule.extension.max_business_days == 2 * rule.business_days


def test_lookup_is_case_insensitive_on_country() -> None:
    assert legal_rule(" cl ", "access_to_information") == CL_ACCESS
    assert [r.kind for r in legal_rules("co")] == [
        "consultation",
        "documents_request",
        "petition",
        "utility_pqr",
    ]


def test_unknown_country_and_kind() -> None:
    with pytest.raises(LegalDeadlineError, match="country") as info:
        legal_rule("BR", "petition")
    assert info.value.field == "country" and info.value.code == "unknown_country"
    with pytest.raises(LegalDeadlineError, match="kind") as info:
        legal_rule("CL", "petition")
    assert info.value.field == "kind" and info.value.code == "unknown_kind"
    assert "access_to_information" in str(info.value)
    assert isinstance(info.value, ValueError)


# ---- counting -------------------------------------------------------------------------------


def test_chile_access_to_information_due() -> None:
    # Filed Thursday 10 Sep 2026; 18 Sep is a holiday; the 20th business day is Friday 9 Oct.
    assert legal_due(CL_ACCESS, CL_CAL, scl(2026, 9, 10, 12)) == scl(2026, 10, 9, 16, 30)


def test_colombia_petition_due_skips_moved_holidays() -> None:
    # Filed Fri 13 Mar 2026. Mon 23 Mar (San José, moved) and 2-3 Apr (Holy Week) are holidays.
    # Business days: 16-20 (5), 24-27 (9), 30-31 Mar + 1 Apr (12), 6-8 Apr (15).
    assert legal_due(CO_PETITION, CO_CAL, bog(2026, 3, 13, 10)) == bog(2026, 4, 8, 16)


def test_filing_on_weekend_counts_from_next_business_day() -> None:
    saturday = legal_due(CO_PETITION, CO_CAL, bog(2026, 3, 14, 10))
    monday = legal_due(CO_PETITION, CO_CAL, bog(2026, 3, 16, 10))
    assert saturday == monday == bog(2026, 4, 9, 16)


def test_suspension_pushes_and_open_suspension_is_unknown() -> None:
    filed = scl(2026, 9, 10, 12)
    # Requester asked to complete the request: Mon 14 to end of Wed 16 Sep (3 whole days).
    suspension = [(scl(2026, 9, 14, 0), scl(2026, 9, 17, 0))]
    # Three more business days after Fri 9 Oct; Mon 12 Oct is a holiday -> Thu 15 Oct.
    assert legal_due(CL_ACCESS, CL_CAL, filed, suspension) == scl(2026, 10, 15, 17, 30)
    assert legal_due(CL_ACCESS, CL_CAL, filed, [(scl(2026, 9, 14, 0), None)]) is None


def test_calendar_country_must_match() -> None:
    with pytest.raises(LegalDeadlineError, match="calendar") as info:
        legal_due(CO_PETITION, CL_CAL, scl(2026, 9, 10, 12))
    assert info.value.code == "country_mismatch"


def test_naive_filing_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        legal_due(CL_ACCESS, CL_CAL, datetime(2026, 9, 10, 12))


# ---- extensions -----------------------------------------------------------------------------


def test_chile_extension() -> None:
    due = legal_due(CL_ACCESS, CL_CAL, scl(2026, 9, 10, 12))
    # 10 extra business days after Fri 9 Oct; 12 Oct is a holiday.
    extended = apply_extension(CL_ACCESS, due, CL_CAL, 10, "Información dispersa en 3 archivos", 0)
    assert extended == scl(2026, 10, 26, 17, 30)
    shorter = apply_extension(CL_ACCESS, due, CL_CAL, 3, "Requiere consulta a terceros", 0)
    assert shorter == scl(2026, 10, 15, 17, 30)


def test_colombia_extension_up_to_twice_the_term() -> None:
    due = legal_due(CO_PETITION, CO_CAL, bog(2026, 3, 13, 10))
    extended = apply_extension(CO_PETITION, due, CO_CAL, 30, "Se requiere concepto técnico", 0)
    assert CO_CAL.business_seconds_between(due, extended) == 30 * 8 * 3600
    with pytest.raises(LegalDeadlineError, match="at most 30") as info:
        apply_extension(CO_PETITION, due, CO_CAL, 31, "Se requiere concepto técnico", 0)
    assert info.value.field == "extra_days" and info.value.code == "extension_too_long"


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"justification": ""}, "justification", "justification_required"),
        ({"justification": "   \n"}, "justification", "justification_required"),
        ({"extra_days": 11}, "extra_days", "extension_too_long"),
        ({"extra_days": 0}, "extra_days", "invalid"),
        ({"extra_days": -5}, "extra_days", "invalid"),
        ({"extensions_used": 1}, "extensions_used", "extension_already_applied"),
        ({"extensions_used": -1}, "extensions_used", "invalid"),
        ({"decided_at": scl(2026, 10, 9, 16, 31)}, "decided_at", "term_expired"),
        ({"decided_at": datetime(2026, 10, 9, 10)}, "decided_at", "naive_datetime"),
    ],
)
def test_extension_refused(kwargs: dict[str, object], field: str, code: str) -> None:
    args: dict[str, object] = {
        "extra_days": 10,
        "justification": "Volumen de información",
        "extensions_used": 0,
    } | kwargs
    due = scl(2026, 10, 9, 16, 30)
    with pytest.raises(LegalDeadlineError) as info:
        apply_extension(CL_ACCESS, due, CL_CAL, **args)  # type: ignore[arg-type]
    assert (info.value.field, info.value.code) == (field, code)
    assert str(info.value).startswith(f"{field}:")


def test_extension_decided_in_time_is_accepted() -> None:
    due = scl(2026, 10, 9, 16, 30)
    result = apply_extension(CL_ACCESS, due, CL_CAL, 10, "Volumen", 0, decided_at=scl(2026, 10, 9, 16, 0))
    assert result == scl(2026, 10, 26, 17, 30)


def test_no_extension_under_ley_142() -> None:
    rule = legal_rule("CO", "utility_pqr")
    due = legal_due(rule, CO_CAL, bog(2026, 3, 13, 10))
    with pytest.raises(LegalDeadlineError, match="Ley 142") as info:
        apply_extension(rule, due, CO_CAL, 5, "Práctica de pruebas", 0)
    assert info.value.code == "extension_not_allowed"


# ---- bad data fails loudly ------------------------------------------------------------------


def _good_entry() -> dict[str, object]:
    return {
        "law": "Ley X",
        "law_title_es": "Ley X",
        "law_title_en": "Act X",
        "label_es": "Solicitud",
        "label_en": "Request",
        "business_days": 10,
        "extension": {"max_business_days": 5, "max_times": 1, "justification_required": True},
    }


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_rules_accepts_a_new_country(tmp_path: Path) -> None:
    rules = load_rules(
        _write(tmp_path, {"schema_version": 1, "countries": {"PE": {"access": _good_entry()}}})
    )
    assert rules[("PE", "access")].business_days == 10


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.update(business_days=0),
        lambda e: e.update(business_days="veinte"),
        lambda e: e.update(label_en=""),
        lambda e: e.update(surprise=True),
        lambda e: e.pop("law"),
        lambda e: e["extension"].update(justification_required=False),
        lambda e: e["extension"].update(max_times=0),
    ],
)
def test_load_rules_rejects_bad_entries(tmp_path: Path, mutate: object) -> None:
    entry = _good_entry()
    mutate(entry)  # type: ignore[operator]
    with pytest.raises(ValidationError):
        load_rules(_write(tmp_path, {"schema_version": 1, "countries": {"PE": {"access": entry}}}))


@pytest.mark.parametrize(
    "data",
    [
        {"schema_version": 2, "countries": {}},
        {"schema_version": 1, "countries": {"peru": {"access": _good_entry()}}},
        {"schema_version": 1, "countries": {"PE": {"Access Request": _good_entry()}}},
    ],
)
def test_load_rules_rejects_bad_structure(tmp_path: Path, data: object) -> None:
    with pytest.raises(ValidationError):
        load_rules(_write(tmp_path, data))
