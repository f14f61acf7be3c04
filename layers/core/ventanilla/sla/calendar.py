"""Business calendar of an institution: working hours, national holidays and its own closures.

Service-level targets (B4) and legal deadlines (B9) are counted in business time, so every due
date in Ventanilla goes through this module. It is pure Python (no AWS) and deterministic.

How time is counted
-------------------
* Working hours are local wall-clock shifts per ISO weekday; a day counts when it has shifts and
  is neither a national holiday (``holidays`` library, which already applies Colombia's Ley
  Emiliani moves to Monday) nor one of the institution's ``closures``.
* Shifts are turned into real instants with the calendar's IANA zone, so a DST change is handled
  by the zone database: business time is elapsed real time inside the shifts.
* Every public function takes and returns timezone-aware datetimes; results are expressed in the
  calendar's zone. Naive datetimes are rejected because guessing their zone silently shifts due
  dates by hours.

Pauses
------
A pause ``(start, end)`` stops the clock (e.g. "waiting for the citizen"). ``end=None`` means the
clock is still stopped: a result that would only be reached after such a pause starts is unknown,
so the functions return ``None`` (a result reached before the open pause began is still returned,
because it already happened). Pauses may overlap; they are merged.

Speed
-----
For each local year the calendar builds, once, a sorted table of its working intervals (as integer
UTC microseconds) with prefix sums. Counting is then a binary search per year crossed, so a
horizon of a year or more costs microseconds, never a minute-by-minute walk.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Annotated, Any, Self, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
)

from ventanilla.models.base import Model
from ventanilla.models.common import version_read
from ventanilla.refusals import refuse

__all__ = [
    "DEMO_COUNTRIES",
    "BusinessCalendar",
    "ClosedPauses",
    "Pauses",
    "demo_calendar",
]

#: Pauses whose end may still be unknown (``None`` = still paused).
Pauses = Sequence[tuple[datetime, datetime | None]]
#: Pauses that have all ended; functions given only these always return a datetime.
ClosedPauses = Sequence[tuple[datetime, datetime]]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_INF = math.inf
_MIDNIGHT = time(0, 0)
# Countries the product is documented for; any country the holidays library knows also works.
CORE_countries = ("CL", "CO", "MX", "AR", "PE", "EC", "UY")
# A calendar with at least one working weekday always finds business days; this guards against
# pathological data (e.g. a country whose holiday list covers every working weekday).
_MAX_EMPTY_YEARS = 3


def _to_us(dt: datetime) -> int:
    return (dt - _EPOCH) // _US


def _require_aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name}: expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: naive datetime {value.isoformat()}; give a timezone-aware datetime")


@lru_cache(maxsize=1024)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """National (and subdivision) public holidays of one year; cached because the library is slow."""
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


@dataclass(frozen=True, slots=True)
class _Year:
    """Working intervals of one local year, as UTC microseconds, ready for binary search."""

    starts: list[int]  # interval starts, ascending
    ends: list[int]  # interval ends
    cum: list[int]  # cum[i] = business microseconds before interval i; len == len(starts) + 1
    day_ordinals: list[int]  # business days (date.toordinal()), ascending
    day_starts: list[int]  # start of the first shift of each business day
    day_ends: list[int]  # end of the last shift of each business day

    @property
    def total(self) -> int:
        return self.cum[-1]

    def cum_at(self, t: int) -> int:
        """Business microseconds of this year before instant ``t``."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t, self.ends[i]) - self.starts[i]

    def instant_at(self, target: int) -> int:
        """Earliest instant where ``target`` (0 < target <= total) business microseconds have elapsed.

        Exhausting a shift exactly answers that shift's end, not the next shift's start.
        """
        i = bisect_left(self.cum, target, 1) - 1
        return self.starts[i] + (target - self.cum[i])


def _merge_pauses(pauses: Pauses) -> list[tuple[int, float]]:
    """Validated, sorted and merged pauses as (start_us, end_us or +inf)."""
    spans: list[tuple[int, float]] = []
    for n, (p_start, p_end) in enumerate(pauses):
        _require_aware(f"pauses[{n}].start", p_start)
        s = _to_us(p_start)
        e: float
        if p_end is None:
            e = _INF
        else:
            _require_aware(f"pauses[{n}].end", p_end)
            e = _to_us(p_end)
            if e < s:
                raise ValueError(
                    f"pauses[{n}]: ends ({p_end.isoformat()}) before it starts ({p_start.isoformat()})"
                )
        spans.append((s, e))
    spans.sort()
    merged: list[tuple[int, float]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            last_s, last_e = merged[-1]
            merged[-1] = (last_s, max(last_e, e))
        else:
            merged.append((s, e))
    return merged


def _check_shifts(shifts: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """One weekday's shifts, sorted: local times, each ending after it starts, none overlapping
    (refused beside the weekday: ``working_hours.6``)."""
    ordered = sorted(shifts)
    for start, end in ordered:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise refuse("shift_has_timezone")
        if end != _MIDNIGHT and end <= start:
            raise refuse("shift_ends_before_start", start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    for (_s1, e1), (s2, _e2) in pairwise(ordered):
        if e1 == _MIDNIGHT or s2 < e1:
            raise refuse("shifts_overlap", at=f"{s2:%H:%M}", previous_end=f"{e1:%H:%M}")
    return ordered


Shifts = Annotated[list[tuple[time, time]], AfterValidator(_check_shifts)]


def _zones() -> list[Any]:
    return sorted(available_timezones())


def _countries() -> list[Any]:
    return sorted(holidays.list_supported_countries())


class BusinessCalendar(Model):
    """An institution's business calendar. Immutable; share one instance per institution.

    ``working_hours`` maps ISO weekday (1=Monday .. 7=Sunday) to local shifts ``(start, end)``; a
    split day is two shifts. An ``end`` of ``00:00`` means midnight at the end of the day, so a
    round-the-clock desk is ``[(00:00, 00:00)]``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = Field(json_schema_extra=lambda s: s.update(enum=_zones()))
    country: str = Field(json_schema_extra=lambda s: s.update(enum=_countries()))
    subdivision: str | None = Field(default=None, max_length=10)
    working_hours: dict[int, Shifts] = Field(
        json_schema_extra={"propertyNames": {"pattern": "^[1-7]$"}, "maxProperties": 7},
        description="ISO weekday (1-7) to shifts [start, end]; start before end (00:00 ends the day)",
    )
    closures: frozenset[date] = Field(default=frozenset(), max_length=400)
    version: int | None = version_read("calendar_changed")

    _zone: ZoneInfo = PrivateAttr()
    _years: dict[int, _Year] = PrivateAttr(default_factory=dict)

    # ---- validation -------------------------------------------------------------------------

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise refuse("unknown_timezone", value=value[:64]) from exc
        return value

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in holidays.list_supported_countries():
            raise refuse("unsupported_country", value=value[:64], examples=list(CORE_countries))
        return code

    @field_validator("working_hours")
    @classmethod
    def _check_working_hours(
        cls, value: dict[int, list[tuple[time, time]]]
    ) -> dict[int, list[tuple[time, time]]]:
        normalised: dict[int, list[tuple[time, time]]] = {}
        for weekday, shifts in value.items():
            if not 1 <= weekday <= 7:
                raise refuse("weekday_out_of_range", weekday=weekday)
            if shifts:
                normalised[weekday] = shifts
        if not normalised:
            raise refuse("no_working_day")
        return dict(sorted(normalised.items()))

    @field_validator("subdivision")
    @classmethod
    def _check_subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A field validator (after ``country``), so the refusal names ``subdivision``."""
        country = info.data.get("country")
        known = holidays.list_supported_countries().get(country, []) if country is not None else None
        if value is not None and known is not None and value not in known:
            raise refuse("unknown_subdivision", value=value, country=country)
        return value

    def model_post_init(self, context: Any, /) -> None:
        self._zone = ZoneInfo(self.timezone)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A validated copy with fresh caches.

        Pydantic's copy skips validation and shares private attributes, so a copy with other
        closures would reuse (and pollute) this calendar's year tables.
        """
        return self.model_validate({**dict(self), **(update or {})})

    # ---- days -------------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def local(self, value: datetime) -> datetime:
        """``value`` expressed in the calendar's zone (naive datetimes rejected)."""
        _require_aware("value", value)
        return value.astimezone(self._zone)

    def holidays_in(self, year: int) -> frozenset[date]:
        """Public holidays of ``year`` for the country (and subdivision), without closures."""
        return _holiday_dates(self.country, self.subdivision, year)

    def holiday_names(self, year: int, lang: str = "es") -> dict[date, str]:
        """Public holidays of ``year`` with their names in ``lang`` (es or en) where the library
        has that language for the country, else in its own default; by date."""
        wanted = {"es": "es", "en": "en_US"}.get(lang)
        language = wanted if wanted in holidays.list_localized_countries().get(self.country, []) else None
        found = holidays.country_holidays(
            self.country, subdiv=self.subdivision, years=year, language=language
        )
        return {d: str(name) for d, name in sorted(found.items())}

    def is_business_day(self, d: date) -> bool:
        """True when ``d`` has shifts and is neither a public holiday nor a closure.

        An aware datetime is accepted and judged by its local date in the calendar's zone.
        """
        if isinstance(d, datetime):
            d = self.local(d).date()
        return (
            bool(self.working_hours.get(d.isoweekday()))
            and d not in self.closures
            and d not in _holiday_dates(self.country, self.subdivision, d.year)
        )

    def is_working_time(self, moment: datetime) -> bool:
        """True when ``moment`` falls inside a shift of a business day (shift ends excluded)."""
        local = self.local(moment)
        t = _to_us(local)
        table = self._year(local.year)
        i = bisect_right(table.starts, t) - 1
        return i >= 0 and t < table.ends[i]

    def shifts_on(self, d: date) -> list[tuple[datetime, datetime]]:
        """The aware working intervals of ``d`` (empty on non-business days)."""
        if isinstance(d, datetime):
            d = self.local(d).date()
        if not self.is_business_day(d):
            return []
        return [(self._out(s), self._out(e)) for s, e in self._day_intervals(d)]

    # ---- counting ---------------------------------------------------------------------------

    def business_seconds_between(self, a: datetime, b: datetime, pauses: Pauses = ()) -> float:
        """Business seconds from ``a`` to ``b``, minus paused time; negative when ``b`` is before ``a``."""
        _require_aware("a", a)
        _require_aware("b", b)
        a_us, b_us = _to_us(a), _to_us(b)
        sign = 1
        if b_us < a_us:
            a_us, b_us, sign = b_us, a_us, -1
        total = self._between(a_us, b_us)
        for p_start, p_end in _merge_pauses(pauses):
            lo = max(p_start, a_us)
            hi = b_us if p_end > b_us else int(p_end)
            if hi > lo:
                total -= self._between(lo, hi)
        return sign * total / 1_000_000

    @overload
    def add_business_hours(self, start: datetime, hours: float, pauses: ClosedPauses = ()) -> datetime: ...
    @overload
    def add_business_hours(self, start: datetime, hours: float, pauses: Pauses = ()) -> datetime | None: ...

    def add_business_hours(self, start: datetime, hours: float, pauses: Pauses = ()) -> datetime | None:
        """The instant when ``hours`` of unpaused business time have elapsed since ``start``.

        A result that exhausts a shift is that shift's end (17:30), not the next morning: the
        work could be finished at closing time. ``hours == 0`` answers ``start`` itself. Returns
        ``None`` when an open pause stops the clock before the hours are reached.
        """
        _require_aware("start", start)
        if not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours: must be a finite number >= 0, got {hours}")
        remaining = round(hours * 3_600_000_000)
        cursor = _to_us(start)
        if remaining == 0:
            return self._out(cursor)
        for p_start, p_end in _merge_pauses(pauses):
            if p_end <= cursor:
                continue
            if p_start > cursor:
                available = self._between(cursor, p_start)
                if remaining <= available:
                    return self._out(self._advance(cursor, remaining))
                remaining -= available
            if p_end == _INF:
                return None
            cursor = max(cursor, int(p_end))
        return self._out(self._advance(cursor, remaining))

    @overload
    def add_business_days(self, start: datetime, days: int, pauses: ClosedPauses = ()) -> datetime: ...
    @overload
    def add_business_days(self, start: datetime, days: int, pauses: Pauses = ()) -> datetime | None: ...

    def add_business_days(self, start: datetime, days: int, pauses: Pauses = ()) -> datetime | None:
        """End of the ``days``-th business day after ``start``, as Latin American law counts terms.

        The term runs "a partir del día hábil siguiente": the filing day never counts, and a
        filing on a non-business day is taken as filed on the next business day (so the count
        starts the business day after that). A filing after hours on a business day still counts
        as filed that day, the reading that favours the citizen. The deadline is the end of the
        last shift of the last day, local time. ``days == 0`` answers the end of the (effective)
        filing day.

        A business day does not count when pauses cover all of its working time (a partly paused
        day still counts). Returns ``None`` when an open pause stops the count before the end.
        """
        _require_aware("start", start)
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValueError(f"days: must be a whole number >= 0, got {days!r}")
        merged = _merge_pauses(pauses)
        ordinal = self.local(start).date().toordinal()
        days_iter = self._business_days_from(ordinal)
        _ordinal, _filing_start, filing_end = next(days_iter)
        if days == 0:
            return self._out(filing_end)
        if not merged:
            return self._out(self._nth_day_end(ordinal, days))
        counted = 0
        first = 0  # pauses before this index ended before the current day: skip them
        for _ordinal, day_start, day_end in days_iter:
            while first < len(merged) and merged[first][1] <= day_start:
                first += 1
            # Only days that a pause touches need the (slower) coverage check.
            touched = first < len(merged) and merged[first][0] < day_end
            if touched and self._fully_paused(day_start, day_end, merged[first:]):
                if merged[-1][1] == _INF and merged[-1][0] <= day_start:
                    return None  # the open pause covers this day and every later one
                continue
            counted += 1
            if counted == days:
                return self._out(day_end)
        raise AssertionError("unreachable: business days never run out")  # pragma: no cover

    # ---- internals --------------------------------------------------------------------------

    def _out(self, t: int) -> datetime:
        return (_EPOCH + t * _US).astimezone(self._zone)

    def _year_of(self, t: int) -> int:
        return (_EPOCH + t * _US).astimezone(self._zone).year

    def _day_intervals(self, d: date) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for start, end in self.working_hours.get(d.isoweekday(), ()):
            s = _to_us(datetime.combine(d, start, tzinfo=self._zone))
            end_day = d + timedelta(days=1) if end == _MIDNIGHT else d
            e = _to_us(datetime.combine(end_day, end, tzinfo=self._zone))
            if e > s:  # a shift swallowed by a DST gap has no duration
                out.append((s, e))
        return out

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._build_year(year)
            self._years[year] = table
        return table

    def _build_year(self, year: int) -> _Year:
        starts: list[int] = []
        ends: list[int] = []
        cum = [0]
        day_ordinals: list[int] = []
        day_starts: list[int] = []
        day_ends: list[int] = []
        blocked = self.closures | _holiday_dates(self.country, self.subdivision, year)
        hours: Mapping[int, list[tuple[time, time]]] = self.working_hours
        d = date(year, 1, 1)
        one_day = timedelta(days=1)
        while d.year == year:
            if d.isoweekday() in hours and d not in blocked:
                intervals = self._day_intervals(d)
                if intervals:
                    day_ordinals.append(d.toordinal())
                    day_starts.append(intervals[0][0])
                    day_ends.append(intervals[-1][1])
                    for s, e in intervals:
                        starts.append(s)
                        ends.append(e)
                        cum.append(cum[-1] + e - s)
            d += one_day
        return _Year(starts, ends, cum, day_ordinals, day_starts, day_ends)

    def _between(self, a: int, b: int) -> int:
        """Business microseconds in [a, b) with a <= b, ignoring pauses."""
        if b <= a:
            return 0
        ya, yb = self._year_of(a), self._year_of(b)
        if ya == yb:
            table = self._year(ya)
            return table.cum_at(b) - table.cum_at(a)
        total = self._year(ya).total - self._year(ya).cum_at(a)
        for y in range(ya + 1, yb):
            total += self._year(y).total
        return total + self._year(yb).cum_at(b)

    def _advance(self, t: int, amount: int) -> int:
        """Earliest instant with ``amount`` (> 0) business microseconds elapsed since ``t``."""
        year = self._year_of(t)
        table = self._year(year)
        target = table.cum_at(t) + amount
        empty_years = 0
        while target > table.total:
            amount = target - table.total
            empty_years = empty_years + 1 if table.total == 0 else 0
            if empty_years > _MAX_EMPTY_YEARS:
                raise ValueError(f"calendar has no working time for {_MAX_EMPTY_YEARS} years after {year}")
            year += 1
            table = self._year(year)
            target = amount
        return table.instant_at(target)

    def _business_days_from(self, ordinal: int) -> Iterator[tuple[int, int, int]]:
        """Business days on or after local day ``ordinal``: (ordinal, first start, last end)."""
        year = date.fromordinal(ordinal).year
        table = self._year(year)
        i = bisect_left(table.day_ordinals, ordinal)
        empty_years = 0
        while True:
            while i < len(table.day_ordinals):
                yield table.day_ordinals[i], table.day_starts[i], table.day_ends[i]
                i += 1
            empty_years = empty_years + 1 if not table.day_ordinals else 0
            if empty_years > _MAX_EMPTY_YEARS:
                raise ValueError(f"calendar has no business day for {_MAX_EMPTY_YEARS} years after {year}")
            year += 1
            table = self._year(year)
            i = 0

    def _nth_day_end(self, ordinal: int, n: int) -> int:
        """End of the n-th business day after the first business day on or after ``ordinal``."""
        year = date.fromordinal(ordinal).year
        table = self._year(year)
        i = bisect_left(table.day_ordinals, ordinal) + n
        empty_years = 0
        while i >= len(table.day_ordinals):
            i -= len(table.day_ordinals)
            empty_years = empty_years + 1 if not table.day_ordinals else 0
            if empty_years > _MAX_EMPTY_YEARS:
                raise ValueError(f"calendar has no business day for {_MAX_EMPTY_YEARS} years after {year}")
            year += 1
            table = self._year(year)
        return table.day_ends[i]

    def _fully_paused(self, day_start: int, day_end: int, merged: list[tuple[int, float]]) -> bool:
        working = self._between(day_start, day_end)
        paused = 0
        for p_start, p_end in merged:
            if p_start >= day_end:
                break
            lo = max(p_start, day_start)
            hi = day_end if p_end > day_end else int(p_end)
            if hi > lo:
                paused += self._between(lo, hi)
        return paused >= working


_Shift = tuple[time, time]
_DEMO_PROFILES: dict[str, tuple[str, _Shift, _Shift, _Shift]] = {
    # country: (time zone, morning, afternoon Monday to Thursday, Friday afternoon)
    "CL": ("America/Santiago", (time(8, 30), time(13)), (time(14), time(17, 30)), (time(14), time(16, 30))),
    "CO": ("America/Bogota", (time(8), time(12)), (time(14), time(17)), (time(14), time(17))),
}
DEMO_COUNTRIES: tuple[str, ...] = tuple(_DEMO_PROFILES)


@lru_cache(maxsize=len(_DEMO_PROFILES))
def demo_calendar(country: str = "CL") -> BusinessCalendar:
    """The demo institution of a country: its time zone and national holidays, split shifts.

    Chile (the default) has a shorter Friday afternoon; Colombia, Bogotá's 8-12 and 14-17.
    Cached: the calendar is immutable and keeps its year tables, so a warm Lambda reuses them.
    """
    if country not in _DEMO_PROFILES:
        raise ValueError(f"country: no demo institution for {country!r} (known: {', '.join(DEMO_COUNTRIES)})")
    zone, morning, afternoon, friday = _DEMO_PROFILES[country]
    week = {day: [morning, afternoon] for day in range(1, 5)}
    return BusinessCalendar(timezone=zone, country=country, working_hours={**week, 5: [morning, friday]})
