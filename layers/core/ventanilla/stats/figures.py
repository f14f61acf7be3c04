"""Figures out of summed counters: pure functions, so the report, the dashboard and the tests agree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from ventanilla.models.stats import Compliance, Csat, Rates, TimeFigures
from ventanilla.stats.aggregate import CSAT_SCORES, OPEN, TARGETS
from ventanilla.stats.keys import HIST_EDGES

Counters = Mapping[str, int]
AGE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("0-2", 2),
    ("3-7", 7),
    ("8-14", 14),
    ("15-30", 30),
    ("31-60", 60),
    (">60", 10**6),
)
"""Backlog age in calendar days since filing: label, upper bound (inclusive)."""
OVERFLOW_HOURS = HIST_EDGES[-1] + 1


def total(rows: Iterable[Counters]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for row in rows:
        for k, v in row.items():
            out[k] += v
    return dict(out)


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def deflection_pct(deflected: int, attempts: int) -> float | None:
    """Of the contact attempts of a subtype whose outcome the citizen told us, the % that ended
    without filing: the one deflection rate, in the help centre's statistics and the dashboard."""
    return pct(min(deflected, attempts), attempts)


def histogram(c: Counters, prefix: str) -> dict[str, int]:
    """``{edge: count}`` in edge order (``inf`` last), only non-empty buckets."""
    found = {k[len(prefix) + 1 :]: v for k, v in c.items() if k.startswith(prefix + "#") and v}
    order = [str(e) for e in HIST_EDGES] + ["inf"]
    return {edge: found[edge] for edge in order if edge in found}


def quantile_hours(hist: Mapping[str, int], q: float) -> int | None:
    """The upper edge of the bucket where the cumulative count first reaches ``q`` of the total."""
    count = sum(hist.values())
    if not count:
        return None
    needed = q * count
    running = 0
    for edge, n in hist.items():
        running += n
        if running >= needed:
            return OVERFLOW_HOURS if edge == "inf" else int(edge)
    return OVERFLOW_HOURS


def time_figures(c: Counters, prefix: str) -> TimeFigures:
    hist = histogram(c, prefix)
    return TimeFigures(
        count=sum(hist.values()),
        median_hours=quantile_hours(hist, 0.5),
        p90_hours=quantile_hours(hist, 0.9),
        histogram=hist,
    )


def within(hist: Mapping[str, int], threshold_hours: int) -> int:
    return sum(n for edge, n in hist.items() if edge != "inf" and int(edge) <= threshold_hours)


def compliance(label: str, c: Counters, metric: str, threshold_hours: int) -> Compliance:
    """Requests answered (or resolved) within the threshold over those answered plus those that
    fell due unanswered; a late answer of one already counted as missed is taken out again."""
    short = "fr" if metric == "first_response" else "res"
    hist = histogram(c, f"{short}h")
    late = histogram(c, f"{short}l")
    count = sum(hist.values()) - sum(late.values()) + c.get(f"{short}_miss", 0)
    met = within(hist, threshold_hours) - within(late, threshold_hours)
    return Compliance(period=label, total=count, met=met, pct=pct(met, count))


def rates(c: Counters, suffix: str = "") -> dict[str, Rates]:
    short = {"first_response": "fr", "resolution": "res", "legal": "legal"}
    out = {}
    for target in TARGETS:
        n = c.get(f"{short[target]}_n{suffix}", 0)
        met = c.get(f"{short[target]}_met{suffix}", 0)
        out[target] = Rates(total=n, met=met, pct=pct(met, n))
    return out


BREAKDOWN_MEASURES = (
    "created",
    "resolved",
    "reopened",
    "res_n",
    "res_met",
    "legal_n",
    "legal_met",
    "fr_n",
    "fr_met",
    "breaches",
    "escalations",
)
"""The flows counted per dimension value (``<measure>@<dim>=<value>``)."""


def breakdown(
    c: Counters, fixed: Mapping[str, str] | None = None, measures: Iterable[str] = BREAKDOWN_MEASURES
) -> dict[str, dict[str, dict[str, int]]]:
    """``created@team=a`` -> ``{"team": {"a": {"created": n}}}``. A dimension the filter fixes is
    not counted per value (it has one): its breakdown is the filter's value with the totals."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for key, n in c.items():
        if "@" not in key or "=" not in key or not n:
            continue
        measure, rest = key.split("@", 1)
        dim, value = rest.split("=", 1)
        out[dim][value][measure] = n
    for dim, value in (fixed or {}).items():
        totals = {m: c[m] for m in measures if c.get(m)}
        if totals:
            out[dim][value] = totals
    return {d: dict(v) for d, v in out.items()}


def met_by(
    c: Counters, dims: Iterable[str] = ("type", "team"), fixed: Mapping[str, str] | None = None
) -> dict[str, dict[str, dict[str, Rates]]]:
    b = breakdown(c, fixed)
    out: dict[str, dict[str, dict[str, Rates]]] = {}
    for dim in dims:
        out[dim] = {}
        for value, measures in sorted(b.get(dim, {}).items()):
            suffixed = {f"{m}@{dim}={value}": n for m, n in measures.items()}
            out[dim][value] = rates(suffixed, f"@{dim}={value}")
    return out


def backlog_by(now: Counters, fixed: Mapping[str, str] | None = None) -> dict[str, dict[str, int]]:
    """Open tickets now per dimension value (``open@team=a``; a fixed dimension: its value)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for key, n in now.items():
        if key.startswith("open@") and "=" in key and n:
            dim, value = key[5:].split("=", 1)
            out[dim][value] = n
    for dim, value in (fixed or {}).items():
        if now.get("open"):
            out[dim][value] = now["open"]
    return {d: dict(sorted(v.items())) for d, v in sorted(out.items())}


def backlog_by_age(now: Counters, today: date) -> dict[str, int]:
    out = {label: 0 for label, _ in AGE_BUCKETS}
    for key, n in now.items():
        if not key.startswith("age#") or not n:
            continue
        age = (today - date.fromisoformat(key[4:])).days
        label = next(lbl for lbl, high in AGE_BUCKETS if age <= high)
        out[label] += n
    return out


def backlog_by_status(now: Counters) -> dict[str, int]:
    return {s: now.get(f"open#{s}", 0) for s in sorted(OPEN)}


def backlog_at_end_of(days: list[str], day_rows: Mapping[str, Counters], open_now: int) -> dict[str, int]:
    """Backlog at the end of each of ``days``: today's backlog minus the net changes after each day.

    ``day_rows`` must hold every day item from the first of ``days`` up to today.
    """
    nets = sorted((sk[2:], row.get("net_open", 0)) for sk, row in day_rows.items())
    out: dict[str, int] = {}
    for day in days:
        out[day] = open_now - sum(n for d, n in nets if d > day)
    return out


def time_in_status_hours(c: Counters, *, business: bool = True) -> dict[str, float]:
    """Average hours spent in each status by the tickets that left it: business hours of the
    institution's calendar (``tis_bs#``), or wall-clock hours (``tis_s#``)."""
    prefix = "tis_bs#" if business else "tis_s#"
    out = {}
    for key, n in c.items():
        if key.startswith("tis_n#") and n:
            status = key[6:]
            out[status] = round(c.get(f"{prefix}{status}", 0) / n / 3600, 1)
    return dict(sorted(out.items()))


SATISFIED_SCORES = (4, 5)
"""Scores that count as satisfied (4 and 5 of 5, as Zendesk's and most CSAT surveys count)."""


def csat(c: Counters, surveyed: int) -> Csat:
    """Survey figures from the counters the aggregator already keeps (``csat_n``, ``csat_sum``,
    ``csat#<score>``): no counter of its own; with no answers every ratio is None, never a 0/0."""
    n = c.get("csat_n", 0)
    satisfied = sum(c.get(f"csat#{s}", 0) for s in SATISFIED_SCORES)
    return Csat(
        responses=n,
        average=round(c.get("csat_sum", 0) / n, 2) if n else None,
        distribution={str(s): c.get(f"csat#{s}", 0) for s in CSAT_SCORES},
        response_rate=pct(n, surveyed),
        satisfied=satisfied,
        satisfied_pct=pct(satisfied, n),
    )
