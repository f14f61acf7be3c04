"""The stream side: apply one ticket version or one history event to the aggregates, once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ventanilla.sla.calendar import BusinessCalendar
from ventanilla.stats.aggregate import Deltas, Facts, step
from ventanilla.stats.keys import day_sk, local_day, month_sk, stats_pk
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
        (stats_pk("all"), day_sk(day)): {attr: 1},
        (stats_pk("all"), month_sk(day[:7])): {attr: 1},
    }
    marker = {"PK": f"STATSEV#{pk.removeprefix('TICKET#')}", "SK": sk}
    return store.apply_marked(marker, deltas)
