"""The help center's figures, read from aggregates the help center writes (the seam between them).

The help side ADDs counters to ``STATS#help`` / ``D#<yyyy-mm-dd>`` (institution's local day):
``searches``, ``zero_results``, ``q#<normalized query>`` (one per query text, capped by the writer),
``views``, ``helpful_yes``, ``helpful_no`` and ``deflected@subtype=<type>.<subtype>`` (a citizen who
read articles while filing that subtype and then did not file). Deflection % per subtype is
deflected / (deflected + requests filed), the latter from the ticket figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from ventanilla.models.stats import HelpFigures
from ventanilla.stats.figures import pct, total
from ventanilla.stats.keys import day_sk
from ventanilla.storage import stats as store

HELP_SLICE = "help"
TOP_QUERIES = 10


def help_figures(start: str, end: str, created_by_subtype: Mapping[str, int]) -> HelpFigures:
    c = total(store.rows(HELP_SLICE, day_sk(start), day_sk(end)).values())
    queries = sorted(
        ((k[2:], n) for k, n in c.items() if k.startswith("q#") and n), key=lambda q: (-q[1], q[0])
    )
    yes, no = c.get("helpful_yes", 0), c.get("helpful_no", 0)
    deflection: dict[str, float] = {}
    for key, n in c.items():
        if key.startswith("deflected@subtype=") and n:
            subtype = key.split("=", 1)[1]
            value = pct(n, n + created_by_subtype.get(subtype, 0))
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
