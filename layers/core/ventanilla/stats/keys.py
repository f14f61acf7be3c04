"""Where aggregates live and how they are named (documented in :mod:`ventanilla.storage.table`).

Each figure is a counter attribute of a small item. An item is one *slice* (a filter: everything,
one type, one team, ...) for one day, one month, or "now" (open-ticket stocks), so a dashboard load
reads at most five items per day of its period whatever the number of tickets (a day's totals
and its parts, :func:`day_part_sk`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, datetime
from itertools import combinations
from typing import NamedTuple
from zoneinfo import ZoneInfo

FILTER_DIMS = ("type", "team", "channel")
"""Dashboard filters: every combination of these has its own slice (8 slices per ticket)."""

BREAKDOWN_DIMS = ("type", "subtype", "channel", "team", "priority")

HIST_EDGES: tuple[int, ...] = (
    *range(1, 49),  # every business hour of the first 48
    *range(50, 241, 2),  # every 2 h up to 240 h
    *range(248, 961, 8),  # every 8 h up to 960 h
)
"""Upper bounds (business hours, inclusive) of the time histograms; longer times go to ``inf``.

Fixed buckets make medians, 90th percentiles and goal compliance sums of counters; a goal's
threshold must be one of these edges so its compliance is exact, not interpolated.
"""
EDGE_SET = frozenset(HIST_EDGES)


class Dims(NamedTuple):
    type: str
    subtype: str
    channel: str
    team: str
    priority: str


def slice_key(filters: dict[str, str]) -> str:
    """``all``, ``type=x``, ``type=x&team=y``... (dimensions in FILTER_DIMS order)."""
    parts = [f"{d}={filters[d]}" for d in FILTER_DIMS if filters.get(d)]
    return "&".join(parts) or "all"


def slices_of(dims: Dims) -> list[str]:
    """Every slice a ticket with these dimensions counts in: one per combination of FILTER_DIMS."""
    return [s for s, _ in slice_views(dims)]


def slice_views(dims: Dims) -> list[tuple[str, tuple[str, ...]]]:
    """Each slice of ``dims`` with the dimensions it breaks its figures down by: those the slice
    does not fix (a ``type=x`` slice breaks down by subtype, channel, team and priority)."""
    values = {"type": dims.type, "team": dims.team, "channel": dims.channel}
    out = []
    for size in range(len(FILTER_DIMS) + 1):
        for combo in combinations(FILTER_DIMS, size):
            free = tuple(d for d in BREAKDOWN_DIMS if d not in combo)
            out.append((slice_key({d: values[d] for d in combo}), free))
    return out


def fixed_dims(filters: dict[str, str]) -> dict[str, str]:
    """The breakdown dimensions a filter fixes (their breakdown is the filter's value alone)."""
    return {d: filters[d] for d in FILTER_DIMS if filters.get(d)}


def has_months(slice_: str) -> bool:
    """Monthly items are kept where they are read: ``all`` and ``type=<t>`` (goals, open data)."""
    return slice_ == "all" or (slice_.startswith("type=") and "&" not in slice_)


def breakdown_label(dims: Dims, name: str) -> str:
    value = str(getattr(dims, name))
    return f"{dims.type}.{value}" if name == "subtype" else value


def stats_pk(slice_: str) -> str:
    return f"STATS#{slice_}"


def day_sk(day: str) -> str:
    return f"D#{day}"


PART_OF = {
    **dict.fromkeys(("created", "merged"), "c"),
    **dict.fromkeys(("resolved", "res_n", "res_met", "legal_n", "legal_met", "resh", "resl"), "r"),
    **dict.fromkeys(("fr_n", "fr_met", "frh", "frl"), "f"),
}
"""The part of a day that holds a breakdown (``x@dim=value``) or a time histogram's bucket
(``frh#<edge>``), by what happened: filed (``c``), resolved (``r``), first answered (``f``); the
other breakdowns are in ``o``. Totals stay in the day's own item."""
HISTOGRAMS = ("frh#", "frl#", "resh#", "resl#")


def day_part_sk(day: str, attr: str) -> str:
    """The item of a day that holds ``attr``: ``D#<day>`` (totals) or ``D#<day>#<part>``. An
    update is billed for the whole item it changes, so a day kept as one item made every change
    pay for every breakdown and bucket of the day, while most changes add to a few totals; a part
    holds what one kind of change adds to. Readers add a day's parts up (:func:`day_of`)."""
    if "@" in attr:
        return f"{day_sk(day)}#{PART_OF.get(attr.partition('@')[0], 'o')}"
    if attr.startswith(HISTOGRAMS):
        return f"{day_sk(day)}#{PART_OF[attr.partition('#')[0]]}"
    return day_sk(day)


def day_of(sk: str) -> str:
    """``D#<day>`` of any part of that day's items (``D#<day>#r`` -> ``D#<day>``)."""
    return sk[:12] if sk.startswith("D#") else sk


def month_sk(month: str) -> str:
    return f"M#{month}"


NOW_SK = "NOW"


def local_day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def bucket_of(seconds: float) -> str:
    """The histogram bucket (``<edge>`` or ``inf``) of a business time in seconds."""
    index = bisect_left(HIST_EDGES, seconds / 3600)
    return str(HIST_EDGES[index]) if index < len(HIST_EDGES) else "inf"


def days_between(start: date, end: date) -> Iterable[date]:
    from datetime import timedelta

    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)
