"""The queue merge: pages taken from sorted partitions, with and without filters, read in any page
size, give every item exactly once in global order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.rules.queue_order import DONE, Partition, merge


def query(
    keys: list[str], start: str | None, limit: int, keep: frozenset[str]
) -> tuple[list[tuple[str, str]], str | None]:
    """What DynamoDB answers for a sorted partition: ``limit`` items evaluated after ``start``, the
    filter (``keep``) applied after the limit, and the last evaluated key when more remain."""
    after = [k for k in keys if start is None or k > start]
    evaluated = after[:limit]
    items = [(k, k) for k in evaluated if k in keep]
    last = evaluated[-1] if len(after) > limit else None
    return items, last


def read_all(data: dict[str, list[str]], limit: int, keep: frozenset[str]) -> list[str]:
    positions: dict[str, str] = {}
    out: list[str] = []
    for _ in range(1000):
        parts = []
        for name, keys in data.items():
            start = positions.get(name)
            if start == DONE:
                continue
            items, last = query(keys, start, limit, keep)
            parts.append(Partition(name, start, items, last))
        page, nxt = merge(parts, limit)
        assert len(page) <= limit
        out += page
        if nxt is None:
            return out
        nxt.update({k: v for k, v in positions.items() if v == DONE})
        positions = nxt
    raise AssertionError("the cursor never ended")


keys = st.lists(st.integers(0, 60).map(lambda n: f"2026-12-{n:02d}"), unique=True).map(sorted)


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(st.sampled_from(["a|new", "a|assigned", "b|new", "c|reopened"]), keys, max_size=4),
    limit=st.integers(1, 7),
    drop=st.frozensets(st.integers(0, 60).map(lambda n: f"2026-12-{n:02d}")),
)
def test_every_item_once_in_global_order(
    data: dict[str, list[str]], limit: int, drop: frozenset[str]
) -> None:
    # distinct keys across partitions, as the ticket number in every real key makes them
    data = {name: [f"{k}#{name}" for k in ks] for name, ks in data.items()}
    everything = sorted(k for ks in data.values() for k in ks)
    keep = frozenset(k for k in everything if k.split("#")[0] not in drop)
    assert read_all(data, limit, keep) == [k for k in everything if k in keep]


def test_a_partition_with_more_holds_back_what_sorts_after_its_frontier() -> None:
    a = Partition("a", None, [("1", "a1"), ("5", "a5")], last_evaluated="5")
    b = Partition("b", None, [("2", "b2"), ("7", "b7")], last_evaluated=None)
    page, positions = merge([a, b], limit=10)
    assert page == ["a1", "b2", "a5"]  # b7 waits: a may hold 6 after 5
    assert positions == {"a": "5", "b": "2"}


def test_a_filtered_out_page_still_moves_the_cursor_forward() -> None:
    a = Partition("a", "3", [], last_evaluated="9")
    page, positions = merge([a], limit=5)
    assert page == [] and positions == {"a": "9"}


def test_everything_read_ends_the_cursor() -> None:
    page, positions = merge(
        [Partition("a", None, [("1", "x")], None), Partition("b", "4", [], None)], limit=5
    )
    assert page == ["x"] and positions is None


def test_the_page_stops_at_the_limit_and_each_partition_resumes_after_its_last_taken() -> None:
    a = Partition("a", None, [("1", "a1"), ("3", "a3"), ("5", "a5")], last_evaluated="5")
    b = Partition("b", None, [("2", "b2"), ("4", "b4"), ("6", "b6")], last_evaluated="6")
    page, positions = merge([a, b], limit=3)
    assert page == ["a1", "b2", "a3"]
    assert positions == {"a": "3", "b": "2"}


def read_all_descending(data: dict[str, list[str]], limit: int, keep: frozenset[str]) -> list[str]:
    """The same as :func:`read_all` with each partition read newest first (ScanIndexForward=False)."""
    positions: dict[str, str] = {}
    out: list[str] = []
    for _ in range(1000):
        parts = []
        for name, ks in data.items():
            start = positions.get(name)
            if start == DONE:
                continue
            after = [k for k in sorted(ks, reverse=True) if start is None or k < start]
            evaluated = after[:limit]
            last = evaluated[-1] if len(after) > limit else None
            parts.append(Partition(name, start, [(k, k) for k in evaluated if k in keep], last))
        page, nxt = merge(parts, limit, descending=True)
        out += page
        if nxt is None:
            return out
        nxt.update({k: v for k, v in positions.items() if v == DONE})
        positions = nxt
    raise AssertionError("the cursor never ended")


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(st.sampled_from(["a|new", "a|assigned", "b|new"]), keys, max_size=3),
    limit=st.integers(1, 7),
    drop=st.frozensets(st.integers(0, 60).map(lambda n: f"2026-12-{n:02d}")),
)
def test_newest_first_every_item_once_in_descending_order(
    data: dict[str, list[str]], limit: int, drop: frozenset[str]
) -> None:
    data = {name: [f"{k}#{name}" for k in ks] for name, ks in data.items()}
    everything = sorted((k for ks in data.values() for k in ks), reverse=True)
    keep = frozenset(k for k in everything if k.split("#")[0] not in drop)
    assert read_all_descending(data, limit, keep) == [k for k in everything if k in keep]
