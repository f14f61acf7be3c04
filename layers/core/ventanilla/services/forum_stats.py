"""Forum figures for supervisors and open data (aggregates only): topics, replies, time to the
first reply and to an accepted answer, answered by the community or by staff, reports, moderation.

They are sums of the forum's day counters (``STATS#forum`` / ``D#<day>#<shard>``): a period reads
at most 8 small items a day, whatever the forum's traffic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from ventanilla.models.forum import ForumStats
from ventanilla.services.due_dates import institution_calendar, institution_today
from ventanilla.storage import forum as store


def day_of(at: str) -> str:
    """The institution's local day of a timestamp: the forum counts days as the dashboard reads them."""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return moment.astimezone(institution_calendar().zone).date().isoformat()


def _total(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, int) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def from_counters(
    total: Mapping[str, int], days: int, start: str | None = None, end: str | None = None
) -> ForumStats:
    def mean(sum_key: str, count_key: str) -> float | None:
        return round(total[sum_key] / total[count_key], 1) if total.get(count_key) else None

    answered = total.get("answered", 0)
    return ForumStats(
        days=days,
        start=start,
        end=end,
        topics=total.get("topics", 0),
        replies=total.get("replies", 0),
        replies_by_staff=total.get("replies_by_staff", 0),
        answered=answered,
        answered_by_staff=total.get("answered_by_staff", 0),
        answered_by_community=total.get("answered_by_community", 0),
        answered_by_community_pct=_pct(total.get("answered_by_community", 0), answered),
        answered_by_staff_pct=_pct(total.get("answered_by_staff", 0), answered),
        mean_first_reply_minutes=mean("first_reply_minutes", "first_replies"),
        mean_accepted_minutes=mean("accepted_minutes", "answered"),
        reports=total.get("reports", 0),
        moderation_actions=total.get("moderation", 0),
    )


def between(start: date, end: date) -> ForumStats:
    """The figures of the days ``start``..``end`` (the dashboard's period)."""
    rows = store.days(start.isoformat(), end.isoformat())
    return from_counters(_total(rows), (end - start).days + 1, start.isoformat(), end.isoformat())


def figures(days: int) -> ForumStats:
    today = institution_today()
    return between(today - timedelta(days=days - 1), today)


def by_month(first: date, last: date) -> dict[str, dict[str, int]]:
    """Summed counters per month (``YYYY-MM``) of the days ``first``..``last``, months with none left out."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for day, row in store.day_rows(first.isoformat(), last.isoformat()):
        out.setdefault(day[:7], []).append(row)
    return {month: _total(rows) for month, rows in sorted(out.items())}
