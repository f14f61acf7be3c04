"""The help center's figures, read from aggregates the help center writes (the seam between them).

The help side ADDs counters to ``STATS#help`` / ``D#<yyyy-mm-dd>`` (institution's local day):
``searches``, ``zero_results``, ``q#<normalized query>`` (one per query text, capped by the writer),
``views``, ``helpful_yes``, ``helpful_no``, ``attempts@subtype=<type>.<subtype>`` (a citizen in the
contact flow of that subtype told us how it ended) and ``deflected@subtype=...`` (of those, the
ones who did not go on to file). Deflection % per subtype is deflected / attempts
(:func:`ventanilla.stats.figures.deflection_pct`), as in the help centre's own statistics.
"""

from __future__ import annotations

from datetime import datetime

from ventanilla.models.stats import HelpFigures
from ventanilla.stats.figures import deflection_pct, pct, total
from ventanilla.stats.keys import day_sk, local_day, stats_pk
from ventanilla.storage import stats as store

HELP_SLICE = "help"
TOP_QUERIES = 10
MAX_QUERY_KEY = 40
"""Longer queries are counted but not kept per text: a day's item must stay far below 400 KB."""


def record_search(now: datetime, query: str, results: int) -> None:
    """A help search (its text already stripped of personal data by the help centre)."""
    counters = {"searches": 1, "zero_results": 0 if results else 1}
    text = " ".join(query.lower().split())
    if text and len(text) <= MAX_QUERY_KEY:
        counters[f"q#{text}"] = 1
    _add(now, counters)


def record_view(now: datetime) -> None:
    _add(now, {"views": 1})


def record_vote(now: datetime, helpful: bool) -> None:
    _add(now, {"helpful_yes" if helpful else "helpful_no": 1})


def record_deflection(now: datetime, request_type: str, deflected: bool) -> None:
    """``request_type`` is ``<type>/<subtype>``: every outcome is an attempt; only a citizen who
    did not go on to file is deflected."""
    label = request_type.replace("/", ".", 1)
    _add(now, {f"attempts@subtype={label}": 1, f"deflected@subtype={label}": int(deflected)})


def _add(now: datetime, counters: dict[str, int]) -> None:
    from ventanilla.services.due_dates import institution_calendar

    counters = {k: v for k, v in counters.items() if v}
    day = local_day(now, institution_calendar().zone)
    store.add_counters(stats_pk(HELP_SLICE), day_sk(day), counters)


def help_figures(start: str, end: str) -> HelpFigures:
    c = total(store.rows(HELP_SLICE, day_sk(start), day_sk(end)).values())
    queries = sorted(
        ((k[2:], n) for k, n in c.items() if k.startswith("q#") and n), key=lambda q: (-q[1], q[0])
    )
    yes, no = c.get("helpful_yes", 0), c.get("helpful_no", 0)
    deflection: dict[str, float] = {}
    for key, attempts in c.items():
        if key.startswith("attempts@subtype=") and attempts:
            subtype = key.split("=", 1)[1]
            value = deflection_pct(c.get(f"deflected@subtype={subtype}", 0), attempts)
            if value is not None:
                deflection[subtype] = value
    return HelpFigures(
        searches=c.get("searches", 0),
        zero_result_searches=c.get("zero_results", 0),
        top_queries=queries[:TOP_QUERIES],
        article_views=c.get("views", 0),
        helpful_yes=yes,
        helpful_no=no,
        helpful_pct=pct(yes, yes + no),
        deflection_pct_by_subtype=dict(sorted(deflection.items())),
    )
