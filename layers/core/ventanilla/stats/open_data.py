"""Open data (D4): anonymous figures per request type and month, and live goal compliance.

Only counters leave: no ticket, no person, no free text; any figure resting on fewer than
``SUPPRESS_BELOW`` requests is published as null (an empty cell in CSV), so small groups cannot be
singled out. The community forum's months (:func:`forum_month`) follow the same rule. JSON has every
table; CSV has one per call (``table=months``, the default, ``goals`` or ``forum``) with the columns
of :data:`MONTH_COLUMNS`, :data:`GOAL_COLUMNS` and :data:`FORUM_COLUMNS`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from ventanilla import spreadsheet
from ventanilla.errors import BadRequest, FieldError
from ventanilla.models.common import utcnow
from ventanilla.models.stats import (
    PublicCompliance,
    PublicForumMonth,
    PublicGoal,
    PublicMonth,
    PublicStats,
)
from ventanilla.services import forum_stats
from ventanilla.services.due_dates import institution_today as today
from ventanilla.stats import figures as f
from ventanilla.stats import goals as goals_service
from ventanilla.stats.keys import month_sk, slice_key
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import stats as store

SUPPRESS_BELOW = 5
MONTHS = 12
FORMATS = ("json", "csv")
TABLES = ("months", "goals", "forum")
MONTH_COLUMNS = (
    "month",
    "type_code",
    "volume",
    "on_time_pct",
    "median_first_response_hours",
    "satisfaction",
)
FORUM_COLUMNS = (
    "month",
    "topics",
    "replies",
    "answered",
    "answered_by_community_pct",
    "mean_first_reply_hours",
    "mean_accepted_hours",
    "reports",
    "moderation_actions",
)
GOAL_COLUMNS = (
    "name_es",
    "name_en",
    "type_code",
    "metric",
    "threshold_hours",
    "target_pct",
    "period",
    "total",
    "met",
    "pct",
)


def _kept(n: int) -> bool:
    return n >= SUPPRESS_BELOW


def month_figures(month: str, type_code: str, c: f.Counters) -> PublicMonth:
    created = c.get("created", 0)
    res_n, res_met = c.get("res_n", 0), c.get("res_met", 0)
    fr = f.time_figures(c, "frh")
    csat_n = c.get("csat_n", 0)
    return PublicMonth(
        month=month,
        type_code=type_code,
        volume=created if _kept(created) else None,
        on_time_pct=f.pct(res_met, res_n) if _kept(res_n) else None,
        median_first_response_hours=fr.median_hours if _kept(fr.count) else None,
        satisfaction=round(c.get("csat_sum", 0) / csat_n, 2) if _kept(csat_n) else None,
    )


def forum_month(month: str, c: f.Counters) -> PublicForumMonth:
    """A month of the forum: each count, and each share or mean resting on fewer than
    ``SUPPRESS_BELOW`` topics or posts, published as null (so one person's activity cannot be read)."""

    def count(key: str) -> int | None:
        n = c.get(key, 0)
        return n if _kept(n) else None

    def mean_hours(sum_key: str, count_key: str) -> float | None:
        n = c.get(count_key, 0)
        return round(c.get(sum_key, 0) / n / 60, 1) if _kept(n) else None

    answered = c.get("answered", 0)
    return PublicForumMonth(
        month=month,
        topics=count("topics"),
        replies=count("replies"),
        answered=count("answered"),
        answered_by_community_pct=(
            f.pct(c.get("answered_by_community", 0), answered) if _kept(answered) else None
        ),
        mean_first_reply_hours=mean_hours("first_reply_minutes", "first_replies"),
        mean_accepted_hours=mean_hours("accepted_minutes", "answered"),
        reports=count("reports"),
        moderation_actions=count("moderation"),
    )


def public_stats() -> PublicStats:
    current = today().replace(day=1)
    index = current.year * 12 + current.month - 1 - (MONTHS - 1)
    oldest = date(index // 12, index % 12 + 1, 1).strftime("%Y-%m")
    months: list[PublicMonth] = []
    for rtype in sorted(catalog_store.list_types(), key=lambda t: t.code):
        rows = store.rows(
            slice_key({"type": rtype.code}), month_sk(oldest), month_sk(current.strftime("%Y-%m"))
        )
        for sk in sorted(rows):
            months.append(month_figures(sk[2:], rtype.code, rows[sk]))
    goals = []
    for status in goals_service.statuses(public_only=True):
        c = status.current
        kept = _kept(c.total)
        current_c = PublicCompliance(
            period=c.period,
            total=c.total if kept else None,
            met=c.met if kept else None,
            pct=c.pct if kept else None,
        )
        g = status.goal
        goals.append(
            PublicGoal(
                name=g.name,
                type_code=g.type_code,
                metric=g.metric,
                threshold_hours=g.threshold_hours,
                target_pct=g.target_pct,
                current=current_c,
            )
        )
    forum = [
        forum_month(month, c)
        for month, c in forum_stats.by_month(date.fromisoformat(oldest + "-01"), today()).items()
    ]
    return PublicStats(
        generated_at=utcnow(), suppressed_below=SUPPRESS_BELOW, months=months, goals=goals, forum=forum
    )


def published(query: Mapping[str, str]) -> tuple[str, Any]:
    """(content type, body) of the open data: the JSON document, or one of its tables as CSV."""
    fmt, table = query.get("format") or "json", query.get("table") or "months"
    if fmt not in FORMATS:
        raise _bad("format", FORMATS)
    if table not in TABLES:
        raise _bad("table", TABLES)
    stats = public_stats()
    if fmt == "json":
        return "application/json", stats.model_dump(mode="json")
    return "text/csv; charset=utf-8", render_csv(stats, table)


def _bad(name: str, allowed: tuple[str, ...]) -> BadRequest:
    expected = ", ".join(allowed)
    return BadRequest(
        "invalid_query",
        {"detail": f"{name}: {expected}"},
        errors=[FieldError(name, "enum", {"expected": expected})],
    )


def render_csv(stats: PublicStats, table: str) -> str:
    """One table, a header row, a null as an empty cell (never 0)."""
    out = io.StringIO()
    w = spreadsheet.writer(out, lineterminator="\n")
    if table == "months":
        w.writerow(MONTH_COLUMNS)
        for m in stats.months:
            w.writerow(_cells(m.model_dump(), MONTH_COLUMNS))
    elif table == "forum":
        w.writerow(FORUM_COLUMNS)
        for fm in stats.forum:
            w.writerow(_cells(fm.model_dump(), FORUM_COLUMNS))
    else:
        w.writerow(GOAL_COLUMNS)
        for g in stats.goals:
            row = {
                **g.model_dump(exclude={"name", "current"}),
                **g.current.model_dump(),
                "name_es": g.name.es,
                "name_en": g.name.en,
            }
            w.writerow(_cells(row, GOAL_COLUMNS))
    return out.getvalue()


def _cells(row: Mapping[str, Any], columns: tuple[str, ...]) -> list[Any]:
    return ["" if row.get(c) is None else row[c] for c in columns]
