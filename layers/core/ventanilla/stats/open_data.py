"""Open data (D4): anonymous figures per request type and month, and live goal compliance.

Only counters leave: no ticket, no person, no free text; any figure resting on fewer than
``SUPPRESS_BELOW`` requests is published as null, so small groups cannot be singled out.
"""

from __future__ import annotations

from datetime import date

from ventanilla.models.common import utcnow
from ventanilla.models.stats import Compliance, PublicGoal, PublicMonth, PublicStats
from ventanilla.stats import figures as f
from ventanilla.stats import goals as goals_service
from ventanilla.stats.keys import month_sk, slice_key
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import stats as store

SUPPRESS_BELOW = 5
MONTHS = 12


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


def public_stats() -> PublicStats:
    from ventanilla.stats.dashboard import today

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
        current_c = status.current
        if not _kept(current_c.total):
            current_c = Compliance(period=current_c.period, total=0, met=0, pct=None)
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
    return PublicStats(generated_at=utcnow(), suppressed_below=SUPPRESS_BELOW, months=months, goals=goals)
