"""The stream side: apply one ticket version or one history event to the aggregates, once."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from ventanilla.sla.calendar import BusinessCalendar
from ventanilla.stats.aggregate import Deltas, Facts, step
from ventanilla.stats.keys import day_part_sk, local_day, month_sk, stats_pk
from ventanilla.storage import stats as store

COUNTED_EVENTS = {"message", "note"}
_known: dict[str, Facts | None] = {}
"""Facts read ahead for the tickets of the batch being processed (see :func:`read_ahead`)."""
_in_batch = False


def read_ahead(numbers: Iterable[str]) -> None:
    """Read the facts of a batch's tickets in one BatchGetItem instead of one GetItem per record.

    What is read ahead is only a first guess: the transaction is still conditioned on the version
    read, so a concurrent change makes it fail and the record is retried with a fresh read.
    """
    global _in_batch
    _known.clear()
    _in_batch = True
    wanted = list(numbers)
    if wanted:
        _known.update(store.get_facts_many(wanted))


def forget() -> None:
    global _in_batch
    _known.clear()
    _in_batch = False


def _calendar() -> BusinessCalendar:
    from ventanilla.services.due_dates import institution_calendar

    return institution_calendar()


def _zone() -> ZoneInfo:
    return _calendar().zone


def apply_ticket(number: str, image: Mapping[str, Any], calendar: BusinessCalendar | None = None) -> bool:
    """Count a ticket version; False when it (or a later one) was counted already."""
    previous = _known.pop(number) if number in _known else store.get_facts(number)
    change = step(previous, dict(image), calendar or _calendar())
    if change is None:
        if _in_batch:
            _known[number] = previous
        return False
    applied = store.apply(number, previous.version if previous else None, change.facts, change.deltas)
    if applied and _in_batch:
        _known[number] = change.facts  # the next version of it in this batch reads nothing
    return applied


APPLIER_WAIT_SECONDS = 20.0
"""How long a batch waits for another applier's run (runs take well under a second)."""


def journal_tickets(
    versions: Sequence[tuple[str, Mapping[str, Any]]], calendar: BusinessCalendar | None = None
) -> set[int]:
    """Count a batch's ticket versions (in stream order) through journals: their deltas merged into
    one update per counter item (see :mod:`ventanilla.storage.stats`). Returns the positions of the
    versions counted (or recognised as replays) here; the others are left to :func:`apply_ticket`
    one by one: those of tickets whose facts moved meanwhile, and every version from the first one
    the rule cannot read (so that one fails alone, as before)."""
    cal = calendar or _calendar()
    usable: list[tuple[int, str, dict[str, Any]]] = []
    for position, (number, image) in enumerate(versions):
        if image.get("version") is None or "updated_at" not in image:
            break
        usable.append((position, number, dict(image)))
    by_ticket: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for position, number, image in usable:
        by_ticket[number].append((position, image))
    missing = [n for n in by_ticket if n not in _known]
    if missing:
        _known.update(store.get_facts_many(missing))
    done: set[int] = set()
    chunk: list[tuple[str, int | None, Facts, list[int]]] = []
    merged: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for number, images in by_ticket.items():
        previous = _known.get(number)
        facts = previous
        positions: list[int] = []
        deltas: list[Deltas] = []
        try:
            for position, image in images:
                change = step(facts, image, cal)
                positions.append(position)
                if change is not None:
                    facts = change.facts
                    deltas.append(change.deltas)
        except (KeyError, TypeError, ValueError):
            continue  # counted one by one: the bad version fails alone
        if facts is previous:
            done.update(positions)  # replays only
            continue
        assert facts is not None
        if len(chunk) + 2 > store.MAX_TRANSACTION:
            done |= _write(chunk, merged)
            chunk, merged = [], defaultdict(lambda: defaultdict(int))
        chunk.append((number, previous.version if previous else None, facts, positions))
        for d in deltas:
            for key, attrs in d.items():
                for attr, amount in attrs.items():
                    merged[key][attr] += amount
    if chunk:
        done |= _write(chunk, merged)
    return done


def _write(
    chunk: list[tuple[str, int | None, Facts, list[int]]], merged: dict[tuple[str, str], dict[str, int]]
) -> set[int]:
    deltas: Deltas = {}
    for key, attrs in merged.items():
        kept = {a: n for a, n in attrs.items() if n}
        if kept:
            deltas[key] = kept
    writes = [(number, version, facts) for number, version, facts, _ in chunk]
    if not store.journal(writes, store.new_journal_id(), deltas):
        for number, *_ in chunk:
            _known.pop(number, None)  # read again when counted one by one
        return set()
    for number, _, facts, _ in chunk:
        _known[number] = facts
    return {p for *_, positions in chunk for p in positions}


def apply_journals(wait: float | None = None) -> int:
    """Apply every pending journal, oldest first, as the only applier (waiting up to ``wait``
    seconds for another run to end); returns how many were applied. A journal left behind (the
    wait ran out) is applied by the next run of any batch. With none pending nothing is written:
    the lease's writes are stream records this consumer reads, so taking it on every batch kept the
    function invoking itself forever."""
    if not store.has_pending_journals():
        return 0
    owner = uuid.uuid4().hex
    deadline = time.monotonic() + (APPLIER_WAIT_SECONDS if wait is None else wait)
    pause = 0.05
    while not store.acquire_applier(owner):
        if time.monotonic() >= deadline:
            return 0
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
    applied = 0
    try:
        while True:
            pending = store.pending_journals()
            for journal_id, deltas in pending:
                store.apply_journal(journal_id, deltas)
                applied += 1
            if len(pending) < store.MAX_PENDING or applied >= 4 * store.MAX_PENDING:
                return applied
    finally:
        store.release_applier(owner)


def apply_event(pk: str, sk: str, image: Mapping[str, Any], zone: ZoneInfo | None = None) -> bool:
    """Count a history event (messages by who wrote them, internal notes) in the ``all`` slice."""
    action = str(image.get("action", ""))
    if action not in COUNTED_EVENTS:
        return False
    actor = (image.get("actor") or {}).get("kind", "system")
    attr = "notes" if action == "note" else f"messages@actor={actor}"
    from datetime import datetime

    day = local_day(datetime.fromisoformat(str(image["at"]).replace("Z", "+00:00")), zone or _zone())
    deltas: Deltas = {
        (stats_pk("all"), day_part_sk(day, attr)): {attr: 1},
        (stats_pk("all"), month_sk(day[:7])): {attr: 1},
    }
    marker = {"PK": f"STATSEV#{pk.removeprefix('TICKET#')}", "SK": sk}
    return store.apply_marked(marker, deltas)
