"""Dashboard figures for a period and filters, read from aggregates in a bounded number of items:
one per day from the period's start to today, the slice's "now" item, the goals, and one Query of
monthly items per goal type."""

from __future__ import annotations

from datetime import date, timedelta

from ventanilla.errors import BadRequest
from ventanilla.models.stats import Dashboard, DayRow
from ventanilla.services import forum_stats
from ventanilla.services.due_dates import institution_today
from ventanilla.stats import figures as f
from ventanilla.stats import goals as goals_service
from ventanilla.stats.help_figures import help_figures
from ventanilla.stats.keys import day_sk, days_between, fixed_dims, slice_key
from ventanilla.storage import stats as store

MAX_PERIOD_DAYS = 366
MAX_HISTORY_DAYS = 3 * 366
DEFAULT_DAYS = 30


def today() -> date:
    return institution_today()


def parse_period(start: str | None, end: str | None) -> tuple[date, date]:
    """The period asked for (default: the last 30 days), or a 400 naming the bad parameter."""
    current = today()
    try:
        end_day = date.fromisoformat(end) if end else current
    except ValueError as error:
        raise BadRequest("invalid_query", {"detail": "to: AAAA-MM-DD / YYYY-MM-DD"}) from error
    try:
        start_day = date.fromisoformat(start) if start else end_day - timedelta(days=DEFAULT_DAYS - 1)
    except ValueError as error:
        raise BadRequest("invalid_query", {"detail": "from: AAAA-MM-DD / YYYY-MM-DD"}) from error
    if start_day > end_day:
        raise BadRequest("invalid_query", {"detail": "from > to"})
    if (end_day - start_day).days >= MAX_PERIOD_DAYS:
        raise BadRequest("invalid_query", {"detail": f"from..to ≤ {MAX_PERIOD_DAYS}"})
    if end_day > current:
        end_day = current
        start_day = min(start_day, end_day)
    if (current - start_day).days > MAX_HISTORY_DAYS:
        raise BadRequest("invalid_query", {"detail": f"from ≥ {current - timedelta(days=MAX_HISTORY_DAYS)}"})
    return start_day, end_day


def build(start: date, end: date, filters: dict[str, str]) -> Dashboard:
    slice_ = slice_key(filters)
    current = today()
    # every day item from the period's start to today: the period's flows, and the net backlog
    # changes after the period that take today's backlog back to each day of it
    day_rows = store.rows(slice_, day_sk(start.isoformat()), day_sk(current.isoformat()))
    period_days = [d.isoformat() for d in days_between(start, end)]
    in_period = {sk: row for sk, row in day_rows.items() if start.isoformat() <= sk[2:] <= end.isoformat()}
    c = f.total(in_period.values())
    now = store.now(slice_)
    open_now = now.get("open", 0)
    backlog = f.backlog_at_end_of(period_days, day_rows, open_now)
    volume = [
        DayRow(
            day=date.fromisoformat(d),
            created=in_period.get(day_sk(d), {}).get("created", 0),
            resolved=in_period.get(day_sk(d), {}).get("resolved", 0),
            reopened=in_period.get(day_sk(d), {}).get("reopened", 0),
            backlog=backlog[d],
        )
        for d in period_days
    ]
    fixed = fixed_dims(filters)
    parts = f.breakdown(c, fixed)
    resolved = c.get("resolved", 0)
    return Dashboard(
        start=start,
        end=end,
        filters=filters,
        created=c.get("created", 0),
        resolved=resolved,
        reopened=c.get("reopened", 0),
        closed=c.get("closed", 0),
        backlog=backlog[end.isoformat()],
        backlog_by_status=f.backlog_by_status(now),
        backlog_by_age=f.backlog_by_age(now, current),
        backlog_by=f.backlog_by(now, fixed),
        volume_by_day=volume,
        breakdown=parts,
        first_response=f.time_figures(c, "frh"),
        resolution=f.time_figures(c, "resh"),
        met=f.rates(c),
        met_by=f.met_by(c, fixed=fixed),
        breaches={t: c.get(f"breach#{t}", 0) for t in ("first_response", "resolution", "legal")},
        escalations=c.get("escalations", 0),
        time_in_status_hours=f.time_in_status_hours(c),
        time_in_status_calendar_hours=f.time_in_status_hours(c, business=False),
        reopen_rate=f.pct(c.get("reopened", 0), resolved),
        csat=f.csat(c, resolved),
        goals=goals_service.statuses(filters.get("type")),
        help=help_figures(start.isoformat(), end.isoformat()),
        forum=forum_stats.between(start, end),
    )
