"""One queue page out of several sorted index partitions (one per team and status), exactly.

A console asks for "my teams, every open status, soonest due first": that is one Query per
(team, status) partition, each already sorted by the index's sort key. Merging them is exact only
up to the *frontier* of each partition that has more items than it returned (its last evaluated
key): an item past the lowest frontier could be preceded by an unread one. So a page holds the
smallest items up to that frontier, at most ``limit``, and the cursor keeps each partition's
position: the sort key of the last item taken from it, ``DONE`` when it has nothing left.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DONE = "~"
"""Position of an exhausted partition (sorts after every ISO date key)."""


@dataclass(frozen=True)
class Partition(Generic[T]):
    """What one Query of a partition returned: items with their sort keys, ascending, and the sort
    key of the last item evaluated when the partition has more (None when it returned the rest)."""

    name: str
    start: str | None
    items: Sequence[tuple[str, T]]
    last_evaluated: str | None


def merge(
    partitions: Sequence[Partition[T]], limit: int, descending: bool = False
) -> tuple[list[T], dict[str, str] | None]:
    """The page (at most ``limit`` items, ascending by sort key, or descending when the partitions
    were read so) and each partition's next position, or None when every partition is exhausted."""
    frontiers = [p.last_evaluated for p in partitions if p.last_evaluated is not None]
    cutoff = (max(frontiers) if descending else min(frontiers)) if frontiers else None
    candidates = heapq.merge(
        *([(key, index, item) for key, item in p.items] for index, p in enumerate(partitions)),
        key=lambda entry: (entry[0], -entry[1] if descending else entry[1]),
        reverse=descending,
    )
    page: list[T] = []
    taken: dict[int, int] = {}
    for key, index, item in candidates:
        beyond = cutoff is not None and (key < cutoff if descending else key > cutoff)
        if len(page) >= limit or beyond:
            break
        page.append(item)
        taken[index] = taken.get(index, 0) + 1
    positions: dict[str, str] = {}
    for index, p in enumerate(partitions):
        used = taken.get(index, 0)
        if used == len(p.items):
            positions[p.name] = p.last_evaluated if p.last_evaluated is not None else DONE
        elif used:
            positions[p.name] = p.items[used - 1][0]
        elif p.start is not None:
            positions[p.name] = p.start
    if all(v == DONE for v in positions.values()) and len(positions) == len(partitions):
        return page, None
    return page, positions
