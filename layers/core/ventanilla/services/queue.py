"""The agents' queue: a team's (or all the principal's teams') open requests, page by page."""

from __future__ import annotations

import re

from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, Forbidden
from ventanilla.models.common import iso, utcnow
from ventanilla.models.ticket import Queue, QueueItem, Ticket
from ventanilla.rules import queue_order
from ventanilla.rules.priority import RANK
from ventanilla.rules.state_machine import CLOCK_PAUSED, OPEN_STATUSES, Status
from ventanilla.services.tickets import STAFF_ROLES_WORKING
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import tickets as store
from ventanilla.storage.table import cursor_in, cursor_out

MAX_QUEUE_LIMIT = 100


def _queue_item(t: Ticket) -> QueueItem:
    return QueueItem.model_validate(t.model_dump(include=set(QueueItem.model_fields)))


QUEUE_ORDERS = ("due", "priority")
SORT_KEYS = {
    "due": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#\d{4}-\d{6}"),
    "priority": re.compile(r"[1-4]#\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#\d{4}-\d{6}"),
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
) -> Queue:
    """A page of the open requests of one team or all the principal's teams, in one status or all
    open ones, soonest due first (or by priority band, then due), exactly across the partitions:
    one bounded Query per (team, status), merged (:mod:`ventanilla.rules.queue_order`); the cursor
    holds each partition's position."""
    principal.require(*STAFF_ROLES_WORKING)
    if order not in QUEUE_ORDERS:
        raise BadRequest("invalid_query", {"detail": f"order={order}"})
    if priority is not None and priority not in RANK:
        raise BadRequest("invalid_query", {"detail": f"priority={priority}"})
    if team is not None and not principal.in_team(team):
        raise Forbidden("not_your_team_queue", {"team": team})
    if team is not None:
        teams = [team]
    elif principal.sees_all_teams:
        teams = [t.code for t in catalog_store.list_teams()]
    else:
        teams = list(principal.teams)
    limit = max(1, min(limit, MAX_QUEUE_LIMIT))
    statuses = [status] if status else list(OPEN_STATUSES)
    if overdue:  # a request waiting for the citizen has its clocks stopped: it is not running late
        statuses = [s for s in statuses if s not in CLOCK_PAUSED]
    positions = _queue_positions(cursor, order)
    as_of = utcnow()
    due_before = iso(as_of) if overdue else None
    partitions: list[queue_order.Partition[Ticket]] = []
    for t in teams:
        for s in statuses:
            name = f"{t}|{s.value}"
            start = positions.get(name)
            if start == queue_order.DONE:
                continue
            items, last = store.queue_partition(t, s, order, limit, start, priority, due_before)
            partitions.append(queue_order.Partition(name, start, items, last))
    page, next_positions = queue_order.merge(partitions, limit)
    if next_positions is not None:
        # partitions already exhausted stay exhausted
        next_positions.update({k: v for k, v in positions.items() if v == queue_order.DONE})
    next_cursor = cursor_out({"order": order, **next_positions}) if next_positions else None
    return Queue(items=[_queue_item(t) for t in page], next_cursor=next_cursor, as_of=as_of)


def _queue_positions(cursor: str | None, order: str) -> dict[str, str]:
    """A queue cursor's partition positions, checked: same order, well-formed sort keys."""
    raw = cursor_in(cursor)
    if raw is None:
        return {}
    if raw.pop("order", None) != order:
        raise BadRequest("invalid_query", {"detail": "cursor"})
    pattern = SORT_KEYS[order]
    for value in raw.values():
        if value != queue_order.DONE and not pattern.fullmatch(value):
            raise BadRequest("invalid_query", {"detail": "cursor"})
    return raw
