"""Expected dates of a new or changed request, from its subtype's targets and the business calendar."""

from __future__ import annotations

from datetime import datetime

from ventanilla.business_calendar import BusinessCalendar, demo_calendar
from ventanilla.models.catalog import ResponseTargets


def institution_calendar() -> BusinessCalendar:
    """The institution's calendar (time zone, working hours, national holidays)."""
    return demo_calendar()


def due_dates(targets: ResponseTargets, start: datetime) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for a request filed at ``start``."""
    calendar = institution_calendar()
    first = calendar.add_business_hours(start, targets.first_response_hours)
    resolution = calendar.add_business_days(start, targets.resolution_days)
    assert first is not None and resolution is not None  # no pauses given: always a date
    return first, resolution
