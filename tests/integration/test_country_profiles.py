"""Institution profiles per country: Chile (the default) and Colombia (INSTITUTION_COUNTRY=CO).

Requests are filed through the API with the service clock set to a known instant, and every
expected date below was counted by hand on a calendar, holidays included (the comments show the
count). The ``holidays`` package must agree with these counts; if it does not, one of them is wrong.

How the law counts ("a partir del día hábil siguiente"): the filing day never counts; the term
ends at the end of the last shift of its last business day, local time. Chile's demo institution
works 8:30-13:00 and 14:00-17:30 (Friday until 16:30, America/Santiago, UTC-4 from April to
September); Colombia's 8:00-12:00 and 14:00-17:00 (America/Bogota, UTC-5 all year).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import Aws, post, ticket_body

SANTIAGO_WINTER = timezone(timedelta(hours=-4))
BOGOTA = timezone(timedelta(hours=-5))
JUSTIFICATION = "La información está en el archivo central y su búsqueda requiere más tiempo."


@contextmanager
def clock_at(instant: datetime) -> Iterator[None]:
    """The service clock at ``instant`` (in the future: the clock only moves forward)."""
    from ventanilla import clock

    with clock.advanced(instant - clock.now()):
        yield


def at(y: int, m: int, d: int, hh: int, mm: int, tz: timezone) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=tz)


_filed = itertools.count(1)


def file(api: Any, type_code: str, subtype: str, form: dict[str, Any], when: datetime) -> dict[str, Any]:
    # A few seconds apart: no two requests share a due instant (the queue orders by it), and
    # seconds never move a term that ends with the day.
    with clock_at(when + timedelta(seconds=next(_filed))):
        response = post(api, "/api/v1/tickets", ticket_body(type=type_code, subtype=subtype, form=form))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def ticket(api: Any, aws: Aws, number: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("carla.supervisora"))
    assert response.status_code == 200, response.body
    return dict(response.json_body["ticket"])


def extend(api: Any, aws: Aws, number: str, days: int, when: datetime) -> Any:
    with clock_at(when):
        return post(
            api,
            f"/api/v1/agent/tickets/{number}/extension",
            {"days": days, "justification": JUSTIFICATION},
            aws.auth("carla.supervisora"),
        )


def refused(response: Any) -> tuple[str, str]:
    assert response.status_code == 422, response.body
    [error] = json.loads(response.body)["errors"]
    return str(error["field"]), str(error["code"])


def same_instant(value: str, expected: datetime) -> bool:
    return datetime.fromisoformat(value) == expected


# ---- Chile (the default profile) -----------------------------------------------------------------


def chile_transparency(api: Any) -> dict[str, Any]:
    """A Ley 20.285 request filed on Thursday 13 May 2027 at 10:00, Santiago."""
    form = {"rut": "12.345.678-5", "formato": "correo"}
    return file(api, "solicitud-informacion", "ley-20285", form, at(2027, 5, 13, 10, 0, SANTIAGO_WINTER))


def test_chile_transparency_term_and_its_one_extension_of_ten_days(api: Any, aws: Aws) -> None:
    # Ley 20.285 art. 14: 20 business days, once extendable by 10, before the term expires.
    # Filed Thursday 13 May 2027, 10:00. Count from Friday 14 May:
    #   May 14=1, 17=2, 18=3, 19=4, 20=5, (Fri 21 May: Glorias Navales, holiday), 24=6, 25=7,
    #   26=8, 27=9, 28=10, 31=11, Jun 1=12, 2=13, 3=14, 4=15, 7=16, 8=17, 9=18, 10=19, 11=20
    #   -> Friday 11 June 2027, end of the Friday shift 16:30 (UTC-4).
    created = chile_transparency(api)
    number = created["number"]
    t = ticket(api, aws, number)
    assert t["legal_kind"] == "CL/access_to_information"
    assert same_instant(t["legal_due"], at(2027, 6, 11, 16, 30, SANTIAGO_WINTER)), t["legal_due"]
    # Asked on 1 June, before expiry: 11 days is more than the law allows; 10 days is fine.
    assert refused(extend(api, aws, number, 11, at(2027, 6, 1, 9, 0, SANTIAGO_WINTER))) == (
        "days",
        "extension_too_long",
    )
    ok = extend(api, aws, number, 10, at(2027, 6, 1, 9, 0, SANTIAGO_WINTER))
    assert ok.status_code == 200, ok.body
    # 10 more business days from the business day after 11 June:
    #   Jun 14=1, 15=2, 16=3, 17=4, 18=5, (Mon 21 Jun: Día de los Pueblos Indígenas), 22=6, 23=7,
    #   24=8, 25=9, (Mon 28 Jun: San Pedro y San Pablo, moved from Tue 29), 29=10
    #   -> Tuesday 29 June 2027, 17:30.
    extended = ok.json_body["ticket"]
    assert same_instant(extended["legal_due"], at(2027, 6, 29, 17, 30, SANTIAGO_WINTER))
    assert extended["resolution_due"] == extended["legal_due"]
    # Once only.
    again = extend(api, aws, number, 1, at(2027, 6, 2, 9, 0, SANTIAGO_WINTER))
    assert refused(again) == ("days", "extension_already_applied")


def test_chile_refuses_an_extension_asked_after_the_term_expired(api: Any, aws: Aws) -> None:
    created = chile_transparency(api)
    # The term ended on Friday 11 June at 16:30 (above); Monday 14 June is too late.
    late = extend(api, aws, created["number"], 5, at(2027, 6, 14, 9, 0, SANTIAGO_WINTER))
    assert refused(late) == ("days", "term_expired")
    assert ticket(api, aws, created["number"])["extensions_used"] == 0


# ---- Colombia ------------------------------------------------------------------------------------------


@pytest.fixture()
def colombia(aws: Aws) -> Iterator[None]:
    """INSTITUTION_COUNTRY=CO for the API: Colombian request types and calendar, then back."""
    from infra.local import demo
    from ventanilla.services import due_dates
    from ventanilla.settings import get_settings
    from ventanilla.storage import catalog as catalog_store
    from ventanilla.storage import sla as sla_store
    from ventanilla.storage.table import table

    settings = get_settings()
    stored = sla_store.get_body("CALENDAR")  # an admin's calendar would win over the profile's
    calendar_key = {"PK": sla_store.CONFIG_PK, "SK": f"CALENDAR#{sla_store.INSTITUTION}"}
    table().delete_item(Key=calendar_key)
    chile = {t.code for t in catalog_store.list_types()}
    added = [t for t in demo.catalog_types("CO") if t.code not in chile]
    catalog_store.put_types(added)
    settings.country = "CO"
    due_dates.forget_cache()
    try:
        yield
    finally:
        settings.country = "CL"
        for t in added:
            table().delete_item(Key={"PK": "CATALOG", "SK": f"TYPE#{t.code}"})
        catalog_store.forget_types()
        if stored is not None:
            sla_store.put_body("CALENDAR", stored)
        due_dates.forget_cache()


# Filed Monday 4 January 2027, 10:00 Bogotá. Business days from Tuesday 5 January:
#   Jan 5=1, 6=2, 7=3, 8=4, (Mon 11 Jan: Reyes Magos, moved from Wed 6 by the Ley Emiliani),
#   12=5, 13=6, 14=7, 15=8, 18=9, 19=10, 20=11, 21=12, 22=13, 25=14, 26=15, 27=16, 28=17, 29=18,
#   Feb 1..5 = 19..23, Feb 8..12 = 24..28, Feb 15=29, 16=30.
FILED_CO = at(2027, 1, 4, 10, 0, BOGOTA)


@pytest.mark.parametrize(
    ("type_code", "subtype", "form", "legal_kind", "due"),
    [
        # Ley 1755 art. 14: petición 15 días hábiles -> day 15 = Tuesday 26 January, 17:00.
        ("peticion", "general", {}, "CO/petition", at(2027, 1, 26, 17, 0, BOGOTA)),
        # art. 14 num. 1: documentos e información 10 días -> day 10 = Tuesday 19 January.
        (
            "peticion",
            "documentos",
            {"formato": "correo"},
            "CO/documents_request",
            at(2027, 1, 19, 17, 0, BOGOTA),
        ),
        # art. 14 num. 2: consultas 30 días -> day 30 = Tuesday 16 February.
        ("peticion", "consulta", {}, "CO/consultation", at(2027, 2, 16, 17, 0, BOGOTA)),
        # Ley 142 art. 158: PQR de servicios públicos 15 días -> Tuesday 26 January.
        (
            "servicios-publicos",
            "pqr",
            {"servicio": "acueducto", "cuenta": "123456"},
            "CO/utility_pqr",
            at(2027, 1, 26, 17, 0, BOGOTA),
        ),
    ],
)
def test_colombian_request_types_get_their_legal_terms_with_colombian_holidays(
    api: Any,
    aws: Aws,
    colombia: None,
    type_code: str,
    subtype: str,
    form: dict[str, Any],
    legal_kind: str,
    due: datetime,
) -> None:
    created = file(api, type_code, subtype, form, FILED_CO)
    t = ticket(api, aws, created["number"])
    assert t["legal_kind"] == legal_kind
    assert same_instant(t["legal_due"], due), t["legal_due"]
    follow = api.get(
        f"/api/v1/tickets/{created['number']}", headers={"X-Access-Code": created["access_code"]}
    )
    assert same_instant(follow.json_body["legal_due"], due)


def test_colombian_petition_extension_up_to_twice_the_term_told_before_it_expires(
    api: Any, aws: Aws, colombia: None
) -> None:
    created = file(api, "peticion", "general", {}, FILED_CO)
    number = created["number"]
    before_expiry = at(2027, 1, 20, 9, 0, BOGOTA)
    # Ley 1755 art. 14 parágrafo: the new term may not exceed twice the original (2 x 15 = 30).
    assert refused(extend(api, aws, number, 31, before_expiry)) == ("days", "extension_too_long")
    ok = extend(api, aws, number, 30, before_expiry)
    assert ok.status_code == 200, ok.body
    # 30 business days from the day after 26 January (no Colombian holiday until 22 March):
    #   Jan 27=1, 28=2, 29=3, Feb 1..5 = 4..8, 8..12 = 9..13, 15..19 = 14..18, 22..26 = 19..23,
    #   Mar 1..5 = 24..28, Mar 8=29, 9=30 -> Tuesday 9 March 2027, 17:00.
    t = ok.json_body["ticket"]
    assert same_instant(t["legal_due"], at(2027, 3, 9, 17, 0, BOGOTA))
    assert t["resolution_due"] == t["legal_due"]
    assert refused(extend(api, aws, number, 1, before_expiry)) == ("days", "extension_already_applied")
    # The citizen is told: the extension and its reason are on their timeline.
    follow = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": created["access_code"]})
    entry = next(e for e in follow.json_body["timeline"] if e["action"] == "extension")
    assert entry["body"] == JUSTIFICATION and same_instant(entry["legal_due"], at(2027, 3, 9, 17, 0, BOGOTA))


def test_colombia_refuses_a_late_extension_and_any_extension_of_a_utility_pqr(
    api: Any, aws: Aws, colombia: None
) -> None:
    late = file(api, "peticion", "general", {}, FILED_CO)
    # The term ended Tuesday 26 January at 17:00; Wednesday 27 January is after it.
    assert refused(extend(api, aws, late["number"], 5, at(2027, 1, 27, 9, 0, BOGOTA))) == (
        "days",
        "term_expired",
    )
    pqr = file(api, "servicios-publicos", "pqr", {"servicio": "aseo", "cuenta": "99"}, FILED_CO)
    # Ley 142 art. 158: no extension; silence is positive once the term runs out.
    assert refused(extend(api, aws, pqr["number"], 5, at(2027, 1, 12, 9, 0, BOGOTA))) == (
        "days",
        "extension_not_allowed",
    )


def test_the_colombian_profile_uses_colombian_holidays(aws: Aws, colombia: None) -> None:
    from datetime import date

    from ventanilla.services.due_dates import institution_calendar

    calendar = institution_calendar()
    assert (calendar.country, calendar.timezone) == ("CO", "America/Bogota")
    assert not calendar.is_business_day(date(2027, 1, 11))  # Reyes Magos (observed)
    assert calendar.is_business_day(date(2027, 5, 21))  # a Chilean holiday only
