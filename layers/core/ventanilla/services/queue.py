"""The agents' queue: a team's (or all the principal's teams') open requests, page by page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, Forbidden
from ventanilla.models.common import iso, utcnow
from ventanilla.models.ticket import Queue, QueueItem, QueueNew, Ticket
from ventanilla.rules import queue_order, queue_search
from ventanilla.rules.priority import RANK
from ventanilla.rules.state_machine import CLOCK_PAUSED, OPEN_STATUSES, Status
from ventanilla.services.tickets import STAFF_ROLES_WORKING
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import tickets as store
from ventanilla.storage.table import cursor_in, cursor_out

MAX_QUEUE_LIMIT = 100


def _queue_item(t: Ticket) -> QueueItem:
    item = QueueItem.model_validate(t.model_dump(include=set(QueueItem.model_fields)))
    item.requester_name = t.requester.name
    return item


QUEUE_ORDERS = ("due", "priority", "newest", "oldest")
ASSIGNED = ("me", "none")
_KEY = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#\d{4}-\d{6}"
SORT_KEYS = {
    "due": re.compile(_KEY),
    "priority": re.compile(r"[1-4]#" + _KEY),
    "newest": re.compile(_KEY),
    "oldest": re.compile(_KEY),
}
COUNT_BUDGET = 2000
"""Items a first page's total may read (Select=COUNT Queries): past it the total is "more than"."""
NEW_BUDGET = 500
"""Items the new-requests count may read (only those filed after an instant: few)."""
SEARCH_BUDGET = 600
"""Items a search may read across the partitions (at least SEARCH_SHARE from each)."""
SEARCH_SHARE = 25


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, as the API took them (checked)."""

    team: str | None = None
    status: Status | None = None
    priority: str | None = None
    overdue: bool = False
    assigned: str | None = None
    search: str | None = None


def _partitions(principal: Principal, f: QueueFilter) -> list[tuple[str, Status]]:
    """The (team, status) partitions the principal may read under the filter."""
    principal.require(*STAFF_ROLES_WORKING)
    if f.priority is not None and f.priority not in RANK:
        raise BadRequest("invalid_query", {"detail": f"priority={f.priority}"})
    if f.assigned is not None and f.assigned not in ASSIGNED:
        raise BadRequest("invalid_query", {"detail": f"assigned={f.assigned}"})
    if f.team is not None and not principal.in_team(f.team):
        raise Forbidden("not_your_team_queue", {"team": f.team})
    if f.team is not None:
        teams = [f.team]
    elif principal.sees_all_teams:
        teams = [t.code for t in catalog_store.list_teams()]
    else:
        teams = list(principal.teams)
    statuses = [f.status] if f.status else list(OPEN_STATUSES)
    if f.overdue:  # a request waiting for the citizen has its clocks stopped: it is not running late
        statuses = [s for s in statuses if s not in CLOCK_PAUSED]
    return [(t, s) for t in teams for s in statuses]


def _narrowing(principal: Principal, f: QueueFilter, due_before: str | None) -> dict[str, Any]:
    return {
        "priority": f.priority,
        "due_before": due_before,
        "assignee": principal.sub if f.assigned == "me" else None,
        "unassigned": f.assigned == "none",
    }


def agent_queue(
    principal: Principal,
    team: str | None,
    status: Status | None,
    limit: int,
    cursor: str | None,
    order: str = "due",
    priority: str | None = None,
    overdue: bool = False,
    assigned: str | None = None,
    search: str | None = None,
) -> Queue:
    """A page of the open requests of one team or all the principal's teams, in one status or all
    open ones, soonest due first (or by priority band then due, or by filing instant), exactly
    across the partitions: one bounded Query per (team, status), merged
    (:mod:`ventanilla.rules.queue_order`); the cursor holds each partition's position. The first
    page carries the total (bounded COUNT Queries). A search reads a bounded share of each
    partition instead (:func:`_search`)."""
    if order not in QUEUE_ORDERS:
        raise BadRequest("invalid_query", {"detail": f"order={order}"})
    f = QueueFilter(team, status, priority, overdue, assigned, (search or "").strip() or None)
    pairs = _partitions(principal, f)
    limit = max(1, min(limit, MAX_QUEUE_LIMIT))
    as_of = utcnow()
    narrow = _narrowing(principal, f, iso(as_of) if overdue else None)
    if f.search:
        if cursor:
            raise BadRequest("invalid_cursor")
        return _search(principal, f, pairs, order, limit, narrow, as_of)
    positions = _queue_positions(cursor, order)
    partitions: list[queue_order.Partition[Ticket]] = []
    for t, s in pairs:
        name = f"{t}|{s.value}"
        start = positions.get(name)
        if start == queue_order.DONE:
            continue
        items, last = store.queue_partition(t, s, order, limit, start, **narrow)
        partitions.append(queue_order.Partition(name, start, items, last))
    page, next_positions = queue_order.merge(partitions, limit, descending=order in store.DESCENDING)
    if next_positions is not None:
        # partitions already exhausted stay exhausted
        next_positions.update({k: v for k, v in positions.items() if v == queue_order.DONE})
    next_cursor = cursor_out({"order": order, **next_positions}) if next_positions else None
    total, complete = (None, True) if cursor else _count(pairs, narrow, COUNT_BUDGET)
    return Queue(
        items=[_queue_item(t) for t in page],
        next_cursor=next_cursor,
        as_of=as_of,
        total=total,
        total_complete=complete,
    )


def _count(
    pairs: list[tuple[str, Status]], narrow: dict[str, Any], budget: int, filed_after: str | None = None
) -> tuple[int, bool]:
    """Matching requests over the partitions, each COUNT Query reading at most its share."""
    share = max(50, budget // max(1, len(pairs)))
    total, complete = 0, True
    for t, s in pairs:
        n, _, done = store.queue_count(t, s, share, filed_after=filed_after, **narrow)
        total += n
        complete = complete and done
    return total, complete


def new_since(
    principal: Principal,
    since: datetime,
    team: str | None = None,
    status: Status | None = None,
    assigned: str | None = None,
) -> QueueNew:
    """How many requests under the queue's filters were filed after ``since`` (GSI7, COUNT)."""
    f = QueueFilter(team, status, None, False, assigned)
    pairs = _partitions(principal, f)
    count, complete = _count(pairs, _narrowing(principal, f, None), NEW_BUDGET, filed_after=iso(since))
    return QueueNew(count=count, complete=complete, as_of=utcnow())


def _search(
    principal: Principal,
    f: QueueFilter,
    pairs: list[tuple[str, Status]],
    order: str,
    limit: int,
    narrow: dict[str, Any],
    as_of: datetime,
) -> Queue:
    """The open requests matching a search (number, subject, description, requester's name, email,
    phone). A full number is one GetItem (any status, if the principal sees its team). Otherwise
    each partition is read in ``order`` up to its share of SEARCH_BUDGET items and matched in code:
    ``total_complete`` is False when some partition had more than its share (refine the search)."""
    assert f.search is not None
    if queue_search.NUMBER.fullmatch(f.search):
        found = store.get_ticket(f.search)
        hit = found is not None and principal.in_team(found.team)
        one = [_queue_item(found)] if found is not None and hit else []
        return Queue(items=one, as_of=as_of, total=len(one))
    terms = queue_search.words(f.search)
    share = max(SEARCH_SHARE, SEARCH_BUDGET // max(1, len(pairs)))
    hits: list[tuple[str, Ticket]] = []
    complete = True
    for t, s in pairs:
        start: str | None = None
        read = 0
        while True:
            batch = min(100, share - read)
            items, last = store.queue_partition(t, s, order, batch, start, **narrow)
            read += batch
            hits += [(key, x) for key, x in items if queue_search.matches(x, terms)]
            if last is None:
                break
            if read >= share:
                complete = False
                break
            start = last
    hits.sort(key=lambda hit: hit[0], reverse=order in store.DESCENDING)
    return Queue(
        items=[_queue_item(x) for _, x in hits[:limit]],
        as_of=as_of,
        total=len(hits),
        total_complete=complete,
    )


def _queue_positions(cursor: str | None, order: str) -> dict[str, str]:
    """A queue cursor's partition positions, checked: same order, well-formed sort keys."""
    raw = cursor_in(cursor)
    if raw is None:
        return {}
    if raw.pop("order", None) != order:
        raise BadRequest("invalid_cursor")
    pattern = SORT_KEYS[order]
    for value in raw.values():
        if value != queue_order.DONE and not pattern.fullmatch(value):
            raise BadRequest("invalid_cursor")
    return raw
