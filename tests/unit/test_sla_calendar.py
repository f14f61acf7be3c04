"""Business calendar: exact examples (holidays, DST, closures, shifts) plus property tests."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ventanilla.sla.calendar import BusinessCalendar, demo_calendar

SCL = ZoneInfo("America/Santiago")
BOG = ZoneInfo("America/Bogota")
MEX = ZoneInfo("America/Mexico_City")

CAL = demo_calendar()
CO_CAL = BusinessCalendar(
    timezone="America/Bogota",
    country="CO",
    working_hours={d: [(time(8, 0), time(17, 0))] for d in range(1, 6)},
)


def scl(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SCL)


# ---- construction and validation ------------------------------------------------------------


def test_demo_calendar_shape() -> None:
    assert CAL.country == "CL"
    assert CAL.timezone == "America/Santiago"
    assert CAL.working_hours[1] == [(time(8, 30), time(13, 0)), (time(14, 0), time(17, 30))]
    assert CAL.working_hours[5] == [(time(8, 30), time(13, 0)), (time(14, 0), time(16, 30))]
    assert 6 not in CAL.working_hours and 7 not in CAL.working_hours


def test_colombian_demo_calendar_and_no_demo_for_other_countries() -> None:
    co = demo_calendar("CO")
    assert (co.country, co.timezone) == ("CO", "America/Bogota")
    assert co.working_hours[5] == [(time(8), time(12)), (time(14), time(17))]
    assert not co.is_business_day(date(2027, 1, 11))  # Reyes Magos, moved to Monday (Ley Emiliani)
    assert co.is_business_day(date(2027, 5, 21))  # Glorias Navales is Chile's
    with pytest.raises(ValueError, match="country"):
        demo_calendar("MX")


@pytest.mark.parametrize("country", ["CL", "CO", "MX", "AR", "PE", "EC", "UY", "cl"])
def test_supported_countries(country: str) -> None:
    cal = BusinessCalendar(timezone="UTC", country=country, working_hours={1: [(time(9), time(17))]})
    assert cal.country == country.upper()


def test_config_from_json_like_data() -> None:
    cal = BusinessCalendar.model_validate(
        {
            "timezone": "America/Lima",
            "country": "PE",
            "working_hours": {"1": [["08:30", "13:00"], ["14:00", "17:30"]]},
            "closures": ["2026-12-24"],
        }
    )
    assert cal.working_hours[1][1] == (time(14), time(17, 30))
    assert date(2026, 12, 24) in cal.closures


def test_shifts_are_sorted() -> None:
    cal = BusinessCalendar(
        timezone="UTC", country="CL", working_hours={1: [(time(14), time(17)), (time(8), time(13))]}
    )
    assert cal.working_hours[1] == [(time(8), time(13)), (time(14), time(17))]


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"timezone": "America/Atlantis"}, "timezone", "Unknown IANA time zone"),
        ({"timezone": "../etc/passwd"}, "timezone", "Unknown IANA time zone"),
        ({"country": "XX"}, "country", "not a supported"),
        ({"working_hours": {1: [(time(17), time(9))]}}, "working_hours", "ends before it starts"),
        ({"working_hours": {1: [(time(9), time(9))]}}, "working_hours", "ends before it starts"),
        (
            {"working_hours": {1: [(time(8), time(13)), (time(12), time(17))]}},
            "working_hours",
            "overlap",
        ),
        ({"working_hours": {8: [(time(8), time(13))]}}, "working_hours", "Weekday 8"),
        ({"working_hours": {1: []}}, "working_hours", "At least one weekday"),
        ({"working_hours": {}}, "working_hours", "At least one weekday"),
    ],
)
def test_invalid_calendar(kwargs: dict[str, object], field: str, words: str) -> None:
    base: dict[str, object] = {
        "timezone": "America/Santiago",
        "country": "CL",
        "working_hours": {1: [(time(9), time(17))]},
    }
    with pytest.raises(ValidationError) as info:
        BusinessCalendar.model_validate(base | kwargs)
    err = info.value.errors()[0]
    assert err["loc"][0] == field
    assert words in err["msg"]
    assert not err["msg"].startswith(field)  # the path is the error's loc, not repeated in its words


def test_invalid_subdivision_names_field() -> None:
    with pytest.raises(ValueError, match="subdivision"):
        BusinessCalendar(
            timezone="America/Santiago",
            country="CL",
            subdivision="ZZ",
            working_hours={1: [(time(9), time(17))]},
        )


def test_calendar_is_frozen() -> None:
    with pytest.raises(ValidationError):
        CAL.country = "CO"  # type: ignore[misc]


def test_naive_datetimes_rejected() -> None:
    naive = datetime(2026, 3, 10, 10, 0)
    aware = scl(2026, 3, 10, 10)
    with pytest.raises(ValueError, match="start: naive"):
        CAL.add_business_hours(naive, 1)
    with pytest.raises(ValueError, match="start: naive"):
        CAL.add_business_days(naive, 1)
    with pytest.raises(ValueError, match="a: naive"):
        CAL.business_seconds_between(naive, aware)
    with pytest.raises(ValueError, match="b: naive"):
        CAL.business_seconds_between(aware, naive)
    with pytest.raises(ValueError, match=r"pauses\[0\].start: naive"):
        CAL.add_business_hours(aware, 1, [(naive, aware)])
    with pytest.raises(ValueError, match=r"pauses\[0\].end: naive"):
        CAL.add_business_hours(aware, 1, [(aware, naive)])
    with pytest.raises(ValueError, match="naive"):
        CAL.is_business_day(naive)


@pytest.mark.parametrize("hours", [-1, -0.001, math.nan, math.inf])
def test_bad_hours_rejected(hours: float) -> None:
    with pytest.raises(ValueError, match="hours"):
        CAL.add_business_hours(scl(2026, 3, 10, 10), hours)


@pytest.mark.parametrize("days", [-1, 1.5, True])
def test_bad_days_rejected(days: object) -> None:
    with pytest.raises(ValueError, match="days"):
        CAL.add_business_days(scl(2026, 3, 10, 10), days)  # type: ignore[call-overload]


def test_reversed_pause_rejected() -> None:
    with pytest.raises(ValueError, match=r"pauses\[0\]: ends"):
        CAL.add_business_hours(scl(2026, 3, 10, 10), 1, [(scl(2026, 3, 10, 12), scl(2026, 3, 10, 11))])


# ---- days -----------------------------------------------------------------------------------


def test_business_days_chile() -> None:
    assert CAL.is_business_day(date(2026, 9, 17))
    assert not CAL.is_business_day(date(2026, 9, 18))  # Fiestas Patrias
    assert not CAL.is_business_day(date(2026, 9, 19))  # Glorias del Ejército (and Saturday)
    assert not CAL.is_business_day(date(2026, 3, 14))  # Saturday
    assert not CAL.is_business_day(date(2026, 4, 3))  # Viernes Santo
    assert CAL.is_business_day(scl(2026, 9, 17, 23, 30))  # datetime judged by local date
    # 2026-09-18 02:00 UTC is still the 17th in Santiago.
    assert CAL.is_business_day(datetime(2026, 9, 18, 2, 0, tzinfo=UTC))


def test_colombia_moves_holidays_to_monday() -> None:
    """Ley Emiliani: San José (19 March, a Thursday in 2026) is observed on Monday 23 March."""
    assert CO_CAL.is_business_day(date(2026, 3, 19))
    assert not CO_CAL.is_business_day(date(2026, 3, 23))
    # Filing on Friday 20 March: day 1 is Tuesday 24 (Monday is the moved holiday).
    due = CO_CAL.add_business_days(datetime(2026, 3, 20, 10, tzinfo=BOG), 1)
    assert due == datetime(2026, 3, 24, 17, tzinfo=BOG)


def test_closure_day() -> None:
    closed = CAL.model_copy(update={"closures": frozenset({date(2026, 3, 16)})})
    assert not closed.is_business_day(date(2026, 3, 16))
    # Friday 16:00 + 2h: 0.5h on Friday, Monday closed, 1.5h on Tuesday.
    assert closed.add_business_hours(scl(2026, 3, 13, 16), 2) == scl(2026, 3, 17, 10)
    assert closed.add_business_days(scl(2026, 3, 13, 16), 1) == scl(2026, 3, 17, 17, 30)


def test_shifts_on() -> None:
    assert CAL.shifts_on(date(2026, 3, 13)) == [
        (scl(2026, 3, 13, 8, 30), scl(2026, 3, 13, 13)),
        (scl(2026, 3, 13, 14), scl(2026, 3, 13, 16, 30)),
    ]
    assert CAL.shifts_on(date(2026, 9, 18)) == []


# ---- add_business_hours: exact examples -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Friday afternoon request: 0.5h left on Friday (ends 16:30), rest on Monday.
        (scl(2026, 3, 13, 16), 2, scl(2026, 3, 16, 10)),
        # Midnight start: the clock starts at 08:30.
        (scl(2026, 3, 10, 0), 1, scl(2026, 3, 10, 9, 30)),
        # Before the first shift.
        (scl(2026, 3, 10, 7), 0.5, scl(2026, 3, 10, 9)),
        # During lunch: counts from 14:00.
        (scl(2026, 3, 10, 13, 30), 1, scl(2026, 3, 10, 15)),
        # Exhausting the morning shift answers 13:00, not 14:00.
        (scl(2026, 3, 10, 12), 1, scl(2026, 3, 10, 13)),
        # Crossing lunch.
        (scl(2026, 3, 10, 12), 2, scl(2026, 3, 10, 15)),
        # After hours: next morning.
        (scl(2026, 3, 10, 18), 1, scl(2026, 3, 11, 9, 30)),
        # Saturday: Monday.
        (scl(2026, 3, 14, 11), 1, scl(2026, 3, 16, 9, 30)),
        # Fiestas Patrias: request on Thursday 17 September 15:00, 8 business hours.
        # 2.5h on Thursday, Friday 18 holiday, weekend, 4.5h + 1h on Monday.
        (scl(2026, 9, 17, 15), 8, scl(2026, 9, 21, 15)),
        # Request on the holiday itself.
        (scl(2026, 9, 18, 10), 1, scl(2026, 9, 21, 9, 30)),
        # Year end: 31 Dec (Thu) 17:00, 1 Jan holiday, 2-3 Jan weekend.
        (scl(2026, 12, 31, 17), 1, scl(2027, 1, 4, 9)),
        # Zero hours: the start itself.
        (scl(2026, 3, 14, 11), 0, scl(2026, 3, 14, 11)),
    ],
)
def test_add_business_hours_examples(start: datetime, hours: float, expected: datetime) -> None:
    assert CAL.add_business_hours(start, hours) == expected


def test_fiestas_patrias_detail() -> None:
    # Thu 17 Sep 15:00: 2.5h that day; Fri 18 holiday; weekend; Mon 21 full 8h -> 10.5h by Mon 17:30.
    start = scl(2026, 9, 17, 15)
    assert CAL.add_business_hours(start, 10.5) == scl(2026, 9, 21, 17, 30)
    assert CAL.business_seconds_between(start, scl(2026, 9, 21, 17, 30)) == 10.5 * 3600


def test_result_in_calendar_zone() -> None:
    result = CAL.add_business_hours(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), 1)
    assert result.tzinfo == SCL
    assert result == scl(2026, 3, 10, 10)  # 12:00 UTC = 09:00 CLST


def test_dst_start_weekend_santiago() -> None:
    """Chile springs forward on Sunday 6 Sep 2026 (00:00 -> 01:00); shifts keep local time."""
    friday = scl(2026, 9, 4, 16)
    result = CAL.add_business_hours(friday, 3)
    assert result == scl(2026, 9, 7, 11)
    assert friday.utcoffset() == timedelta(hours=-4)
    assert result.utcoffset() == timedelta(hours=-3)
    assert CAL.business_seconds_between(friday, result) == 3 * 3600
    # The weekend gap is one real hour shorter than the wall clock suggests.
    monday_open, friday_close = scl(2026, 9, 7, 8, 30), scl(2026, 9, 4, 16, 30)
    assert monday_open - friday_close == timedelta(hours=64)  # same-zone subtraction is wall clock
    assert monday_open.astimezone(UTC) - friday_close.astimezone(UTC) == timedelta(hours=63)


def test_dst_end_weekend_santiago() -> None:
    """Clocks go back on Sunday 5 Apr 2026; Good Friday (3 Apr) is also a holiday."""
    result = CAL.add_business_hours(scl(2026, 4, 2, 17), 1)
    assert result == scl(2026, 4, 6, 9)
    assert result.utcoffset() == timedelta(hours=-4)


def test_round_the_clock_desk_across_dst() -> None:
    """Elapsed business time is real time: the spring-forward night has 23 hours."""
    cal = BusinessCalendar(
        timezone="America/Santiago",
        country="CL",
        working_hours={d: [(time(0), time(0))] for d in range(1, 8)},
    )
    start = scl(2026, 9, 5, 12)
    assert cal.add_business_hours(start, 24) == scl(2026, 9, 6, 13)


def test_mexico_has_no_dst_since_2022() -> None:
    cal = BusinessCalendar(
        timezone="America/Mexico_City",
        country="MX",
        working_hours={d: [(time(9), time(18))] for d in range(1, 6)},
    )
    june = cal.add_business_hours(datetime(2026, 6, 10, 9, tzinfo=MEX), 1)
    january = cal.add_business_hours(datetime(2026, 1, 14, 9, tzinfo=MEX), 1)
    assert june.utcoffset() == january.utcoffset() == timedelta(hours=-6)


def test_long_horizon() -> None:
    start = scl(2026, 3, 10, 10)
    result = CAL.add_business_hours(start, 2000)
    assert result.year == 2027
    assert CAL.business_seconds_between(start, result) == pytest.approx(2000 * 3600, abs=1)
    assert CAL.business_seconds_between(result, start) == pytest.approx(-2000 * 3600, abs=1)


# ---- pauses ---------------------------------------------------------------------------------


def test_closed_pause_pushes_due() -> None:
    start = scl(2026, 3, 10, 10)
    pause = (scl(2026, 3, 10, 10, 30), scl(2026, 3, 10, 11, 30))
    assert CAL.add_business_hours(start, 2, [pause]) == scl(2026, 3, 10, 13)
    # A pause outside working hours changes nothing.
    night = (scl(2026, 3, 10, 19), scl(2026, 3, 11, 8))
    assert CAL.add_business_hours(start, 2, [night]) == scl(2026, 3, 10, 12)


def test_open_pause_makes_due_unknown() -> None:
    start = scl(2026, 3, 10, 10)
    assert CAL.add_business_hours(start, 2, [(scl(2026, 3, 10, 11), None)]) is None
    # The target was already reached before the pause began: it stays known.
    assert CAL.add_business_hours(start, 2, [(scl(2026, 3, 10, 15), None)]) == scl(2026, 3, 10, 12)
    # Resumed pause followed by an open one.
    pauses = [(scl(2026, 3, 10, 10, 30), scl(2026, 3, 10, 11)), (scl(2026, 3, 11, 9), None)]
    assert CAL.add_business_hours(start, 2, pauses) == scl(2026, 3, 10, 12, 30)


def test_start_inside_pause_and_overlapping_pauses() -> None:
    start = scl(2026, 3, 10, 10)
    pauses = [(scl(2026, 3, 10, 9), scl(2026, 3, 10, 11)), (scl(2026, 3, 10, 10, 30), scl(2026, 3, 10, 12))]
    assert CAL.add_business_hours(start, 1, pauses) == scl(2026, 3, 10, 13)
    assert CAL.business_seconds_between(start, scl(2026, 3, 10, 13), pauses) == 3600


def test_business_days_with_pauses() -> None:
    start = scl(2026, 3, 9, 10)  # Monday
    assert CAL.add_business_days(start, 2) == scl(2026, 3, 11, 17, 30)
    # Tuesday fully paused: it does not count.
    tuesday = (scl(2026, 3, 10, 0), scl(2026, 3, 11, 0))
    assert CAL.add_business_days(start, 2, [tuesday]) == scl(2026, 3, 12, 17, 30)
    # A partly paused day still counts.
    partial = (scl(2026, 3, 10, 0), scl(2026, 3, 10, 12))
    assert CAL.add_business_days(start, 2, [partial]) == scl(2026, 3, 11, 17, 30)
    # Open pause from Tuesday: unknown; open pause after the deadline: known.
    assert CAL.add_business_days(start, 2, [(scl(2026, 3, 10, 8), None)]) is None
    assert CAL.add_business_days(start, 2, [(scl(2026, 3, 12, 8), None)]) == scl(2026, 3, 11, 17, 30)


# ---- add_business_days: legal counting ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Filed Tuesday morning: day 1 is Wednesday.
        (scl(2026, 3, 10, 9), 1, scl(2026, 3, 11, 17, 30)),
        # Filed after hours still counts as filed that day.
        (scl(2026, 3, 10, 23), 1, scl(2026, 3, 11, 17, 30)),
        # Filed Friday afternoon: day 1 is Monday.
        (scl(2026, 3, 13, 16), 1, scl(2026, 3, 16, 17, 30)),
        # Filed Saturday: taken as filed Monday, so day 1 is Tuesday.
        (scl(2026, 3, 14, 11), 1, scl(2026, 3, 17, 17, 30)),
        # Filed on 18 September (holiday): filed Mon 21, day 1 Tue 22.
        (scl(2026, 9, 18, 10), 1, scl(2026, 9, 22, 17, 30)),
        # Ending on a Friday: the Friday shift ends at 16:30.
        (scl(2026, 3, 9, 10), 4, scl(2026, 3, 13, 16, 30)),
        # Chile Ley 20.285: 20 business days from Thu 10 Sep 2026 (18 Sep holiday inside).
        (scl(2026, 9, 10, 12), 20, scl(2026, 10, 9, 16, 30)),
        # Zero days: end of the (effective) filing day.
        (scl(2026, 3, 14, 11), 0, scl(2026, 3, 16, 17, 30)),
    ],
)
def test_add_business_days_examples(start: datetime, days: int, expected: datetime) -> None:
    assert CAL.add_business_days(start, days) == expected


def test_business_days_long_horizon_matches_day_walk() -> None:
    start = scl(2026, 6, 1, 10)
    result = CAL.add_business_days(start, 250)
    assert _walk_days(CAL, start, 250) == result.date()


def _walk_days(cal: BusinessCalendar, start: datetime, days: int) -> date:
    """Reference: a plain day-by-day count with is_business_day."""
    d = start.astimezone(cal.zone).date()
    while not cal.is_business_day(d):
        d += timedelta(days=1)
    counted = 0
    while counted < days:
        d += timedelta(days=1)
        if cal.is_business_day(d):
            counted += 1
    return d


def _walk_hours(cal: BusinessCalendar, start: datetime, hours: float) -> datetime:
    """Reference: consume shifts day by day (no tables, no bisect)."""
    remaining = timedelta(hours=hours)
    d = start.astimezone(cal.zone).date()
    while True:
        for s, e in cal.shifts_on(d):
            s = max(s, start)
            if e <= s:
                continue
            if e - s >= remaining:
                return (s.astimezone(UTC) + remaining).astimezone(cal.zone)
            remaining -= e.astimezone(UTC) - s.astimezone(UTC)
        d += timedelta(days=1)


# ---- properties -----------------------------------------------------------------------------

CALENDARS = st.sampled_from([CAL, CO_CAL])
STARTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(SCL)
)
HOURS = st.floats(min_value=0.01, max_value=600, allow_nan=False)
PROPS = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(cal=CALENDARS, start=STARTS, hours=HOURS)
def test_prop_round_trip_and_reference(cal: BusinessCalendar, start: datetime, hours: float) -> None:
    result = cal.add_business_hours(start, hours)
    assert cal.business_seconds_between(start, result) == pytest.approx(hours * 3600, abs=1)
    assert abs((result - _walk_hours(cal, start, hours)).total_seconds()) < 0.01


@PROPS
@given(cal=CALENDARS, start=STARTS, h1=HOURS, h2=HOURS)
def test_prop_monotonic(cal: BusinessCalendar, start: datetime, h1: float, h2: float) -> None:
    lo, hi = sorted((h1, h2))
    assert cal.add_business_hours(start, lo) <= cal.add_business_hours(start, hi)


@PROPS
@given(cal=CALENDARS, start=STARTS, hours=HOURS)
def test_prop_result_inside_working_hours(cal: BusinessCalendar, start: datetime, hours: float) -> None:
    result = cal.add_business_hours(start, hours)
    local_day = result.astimezone(cal.zone).date()
    at_shift_end = any(end == result for _, end in cal.shifts_on(local_day))
    assert cal.is_working_time(result) or at_shift_end


@PROPS
@given(cal=CALENDARS, start=STARTS, days=st.integers(min_value=1, max_value=300))
def test_prop_business_days_land_on_business_day_end(
    cal: BusinessCalendar, start: datetime, days: int
) -> None:
    result = cal.add_business_days(start, days)
    local_day = result.astimezone(cal.zone).date()
    assert local_day.isoweekday() in cal.working_hours
    assert cal.is_business_day(local_day)
    assert result == cal.shifts_on(local_day)[-1][1]
    assert local_day == _walk_days(cal, start, days)


@st.composite
def start_and_near_pauses(draw: st.DrawFn) -> tuple[datetime, list[tuple[datetime, datetime]]]:
    """A start and up to 3 pauses within the following weeks, so they actually matter."""
    start = draw(STARTS)
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        offset = draw(st.floats(min_value=-24, max_value=24 * 40))
        length = draw(st.floats(min_value=0, max_value=24 * 6))
        p_start = start.astimezone(UTC) + timedelta(hours=offset)
        pauses.append((p_start.astimezone(SCL), (p_start + timedelta(hours=length)).astimezone(SCL)))
    return start, pauses


@PROPS
@given(cal=CALENDARS, case=start_and_near_pauses(), hours=HOURS, days=st.integers(0, 40))
def test_prop_pauses_only_push_later(
    cal: BusinessCalendar, case: tuple[datetime, list[tuple[datetime, datetime]]], hours: float, days: int
) -> None:
    start, pauses = case
    plain = cal.add_business_hours(start, hours)
    paused = cal.add_business_hours(start, hours, pauses)
    assert paused >= plain
    assert cal.business_seconds_between(start, paused, pauses) == pytest.approx(hours * 3600, abs=1)
    assert cal.add_business_days(start, days, pauses) >= cal.add_business_days(start, days)
    # Leaving the last pause open: unknown exactly when the clock stops before reaching the hours.
    if pauses:
        *closed, (open_start, _end) = sorted(pauses)
        open_result = cal.add_business_hours(start, hours, [*closed, (open_start, None)])
        reachable = cal.business_seconds_between(start, max(start, open_start), closed)
        if reachable >= hours * 3600 + 1:
            assert open_result == cal.add_business_hours(start, hours, closed)
        elif reachable < hours * 3600 - 1:
            assert open_result is None


@PROPS
@given(cal=CALENDARS, a=STARTS, b=STARTS, c=STARTS)
def test_prop_between_is_additive(cal: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    ab = cal.business_seconds_between(a, b)
    bc = cal.business_seconds_between(b, c)
    assert ab + bc == pytest.approx(cal.business_seconds_between(a, c), abs=1e-3)
    assert cal.business_seconds_between(a, b) == -cal.business_seconds_between(b, a)


@st.composite
def random_calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Arbitrary calendars: 0-3 shifts a day, shifts ending at midnight, Chile or Colombia."""
    hours: dict[int, list[tuple[time, time]]] = {}
    for weekday in range(1, 8):
        cuts = sorted(draw(st.sets(st.integers(0, 24 * 4), max_size=6)))
        cuts = cuts[: len(cuts) // 2 * 2]
        shifts = []
        for start, end in zip(cuts[::2], cuts[1::2], strict=True):
            as_time = [time(q // 4 % 24, q % 4 * 15) for q in (start, end)]
            shifts.append((as_time[0], as_time[1]))
        if shifts:
            hours[weekday] = shifts
    if not hours:
        hours[draw(st.integers(1, 7))] = [(time(0), time(0))]
    country, zone = draw(st.sampled_from([("CL", "America/Santiago"), ("CO", "America/Bogota")]))
    return BusinessCalendar(timezone=zone, country=country, working_hours=hours)


@PROPS
@given(cal=random_calendars(), start=STARTS, hours=HOURS, days=st.integers(0, 60))
def test_prop_random_calendars(cal: BusinessCalendar, start: datetime, hours: float, days: int) -> None:
    result = cal.add_business_hours(start, hours)
    assert cal.business_seconds_between(start, result) == pytest.approx(hours * 3600, abs=1)
    assert abs((result - _walk_hours(cal, start, hours)).total_seconds()) < 0.01
    due = cal.add_business_days(start, days)
    # A day ending at 24:00 has its deadline at 00:00 of the next date: look just before it.
    last_instant = (due.astimezone(UTC) - timedelta(microseconds=1)).astimezone(cal.zone)
    assert last_instant.date() == _walk_days(cal, start, days)
    assert cal.is_working_time(last_instant)


@PROPS
@given(cal=CALENDARS, case=start_and_near_pauses(), days=st.integers(0, 40))
def test_prop_business_days_with_pauses_match_reference(
    cal: BusinessCalendar, case: tuple[datetime, list[tuple[datetime, datetime]]], days: int
) -> None:
    """Reference: walk days; a day counts unless pauses cover all of its working time."""
    start, pauses = case
    d = start.astimezone(cal.zone).date()
    while not cal.is_business_day(d):
        d += timedelta(days=1)
    counted = 0
    while counted < days:
        d += timedelta(days=1)
        shifts = cal.shifts_on(d)
        if shifts and cal.business_seconds_between(shifts[0][0], shifts[-1][1], pauses) > 0:
            counted += 1
    assert cal.add_business_days(start, days, pauses) == cal.shifts_on(d)[-1][1]
