"""The help center's figures, read from aggregates the help center writes (the seam between them).

Nothing a request writes here grows with traffic or is shared by every request:

- the request path ADDs fixed counters to one of ``SHARDS`` items of the day, ``STATS#help`` /
  ``D#<yyyy-mm-dd>#<shard>`` (institution's local day, shard drawn at random): ``searches``,
  ``zero_results``, ``views``, ``helpful_yes``, ``helpful_no``, ``attempts@subtype=<type>.<subtype>``
  (a citizen in the contact flow of that subtype told us how it ended) and ``deflected@subtype=...``
  (of those, the ones who did not go on to file). Their size is bounded by the catalog, and a day's
  writes spread over the shards;
- the queries are counted off the request path: the statistics function reads the search log
  (``HELPSEARCH#<id>`` items) from the table's stream, ADDs each batch's searches to one item per
  query and day (``HELPQ#<day>`` / ``Q#<text>``, expiring through TTL) and keeps the day's
  ``TOP_PER_DAY`` most searched queries, with their exact counts of that day, as ``q#<text>`` on
  ``STATS#help`` / ``D#<day>#top`` (:func:`aggregate_searches`).

A period's top queries are the sum of its days' lists: exact for one day, and for a longer period
exact for every query that ranks among a day's first ``TOP_PER_DAY`` whenever it is searched.
Deflection % per subtype is deflected / attempts (:func:`ventanilla.stats.figures.deflection_pct`),
as in the help centre's own statistics.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ventanilla.models.stats import HelpFigures
from ventanilla.stats.figures import deflection_pct, pct, total
from ventanilla.stats.keys import day_sk, local_day, stats_pk
from ventanilla.storage import stats as store

HELP_SLICE = "help"
TOP_QUERIES = 10
TOP_PER_DAY = 50
MAX_QUERY_KEY = 40
"""Longer queries are counted but not ranked per text (the ranking shows short queries)."""
SHARDS = 8
"""Items a day's request-path counters are spread over: each takes an eighth of the writes."""
TOP_SK_SUFFIX = "#top"


def _shard_sk(day: str) -> str:
    return f"{day_sk(day)}#{random.randrange(SHARDS)}"


def record_search(now: datetime, query: str, results: int) -> None:
    """A help search (its text already stripped of personal data by the help centre); its text is
    counted later from the search log (:func:`aggregate_searches`)."""
    _add(now, {"searches": 1, "zero_results": 0 if results else 1})


def record_view(now: datetime) -> None:
    _add(now, {"views": 1})


def record_vote(now: datetime, helpful: bool) -> None:
    _add(now, {"helpful_yes" if helpful else "helpful_no": 1})


def record_deflection(now: datetime, request_type: str, deflected: bool) -> None:
    """``request_type`` is ``<type>/<subtype>``: every outcome is an attempt; only a citizen who
    did not go on to file is deflected."""
    label = request_type.replace("/", ".", 1)
    _add(now, {f"attempts@subtype={label}": 1, f"deflected@subtype={label}": int(deflected)})


def _zone() -> Any:
    from ventanilla.services.due_dates import institution_calendar

    return institution_calendar().zone


def _add(now: datetime, counters: dict[str, int]) -> None:
    counters = {k: v for k, v in counters.items() if v}
    store.add_counters(stats_pk(HELP_SLICE), _shard_sk(local_day(now, _zone())), counters)


def query_key(query: str) -> str | None:
    """The ranked form of a logged query (lower case, single spaces), None when not ranked."""
    text = " ".join(query.lower().split())
    return text if text and len(text) <= MAX_QUERY_KEY else None


def aggregate_searches(logs: Iterable[Mapping[str, Any]]) -> int:
    """Count a stream batch's search log items per query and day, then update each day's top list:
    one ADD per (day, query) and at most one write of each day's top item, whatever the batch's
    size. Returns the searches counted."""
    zone = _zone()
    per_day: dict[str, Counter[str]] = {}
    seen = 0
    for log in logs:
        key = query_key(str(log.get("query") or ""))
        if key is None or not log.get("at"):
            continue
        at = datetime.fromisoformat(str(log["at"]).replace("Z", "+00:00"))
        per_day.setdefault(local_day(at, zone), Counter())[key] += 1
        seen += 1
    for day, counts in sorted(per_day.items()):
        totals = {q: store.add_query_count(day, q, n) for q, n in sorted(counts.items())}
        store.update_top(stats_pk(HELP_SLICE), day_sk(day) + TOP_SK_SUFFIX, totals, TOP_PER_DAY)
    return seen


def help_figures(start: str, end: str) -> HelpFigures:
    # the high bound takes the last day's shards and top item (``D#<end>#...`` sorts after ``D#<end>``)
    c = total(store.rows(HELP_SLICE, day_sk(start), day_sk(end) + "#~").values())
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
