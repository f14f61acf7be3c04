"""Statuses the citizen can see and the transitions allowed between them (B5)."""

from __future__ import annotations

from enum import StrEnum

from ventanilla.errors import Conflict


class Status(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    WAITING_CITIZEN = "waiting_citizen"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


LABELS: dict[Status, dict[str, str]] = {
    Status.RECEIVED: {"es": "Recibida", "en": "Received"},
    Status.ASSIGNED: {"es": "Asignada", "en": "Assigned"},
    Status.IN_PROGRESS: {"es": "En curso", "en": "In progress"},
    Status.WAITING_CITIZEN: {"es": "Esperando su respuesta", "en": "Waiting for you"},
    Status.RESOLVED: {"es": "Resuelta", "en": "Resolved"},
    Status.CLOSED: {"es": "Cerrada", "en": "Closed"},
    Status.REOPENED: {"es": "Reabierta", "en": "Reopened"},
}

_WORKING = {Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CITIZEN, Status.RESOLVED}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset(_WORKING | {Status.CLOSED}),
    Status.ASSIGNED: frozenset(_WORKING - {Status.ASSIGNED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING_CITIZEN, Status.RESOLVED, Status.ASSIGNED}),
    Status.WAITING_CITIZEN: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.REOPENED: frozenset(_WORKING),
    Status.CLOSED: frozenset(),
}
"""``received -> closed`` is for spam and duplicates; ``closed`` is final (a new request is filed)."""

OPEN_STATUSES: tuple[Status, ...] = (
    Status.RECEIVED,
    Status.REOPENED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.WAITING_CITIZEN,
)

CLOCK_PAUSED: frozenset[Status] = frozenset({Status.WAITING_CITIZEN})
"""While waiting for the citizen, service level clocks stop (B4)."""


_LIFECYCLE: tuple[Status, ...] = (
    Status.RECEIVED,
    Status.REOPENED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.WAITING_CITIZEN,
    Status.RESOLVED,
    Status.CLOSED,
)


def next_statuses(current: Status) -> list[Status]:
    """The moves allowed from ``current``, the usual next step first: forward in the lifecycle, then
    back, nearest first. The console offers these (it keeps no copy of the rules)."""
    allowed, here = TRANSITIONS[current], _LIFECYCLE.index(current)
    forward = [s for s in _LIFECYCLE[here + 1 :] if s in allowed]
    return forward + [s for s in reversed(_LIFECYCLE[:here]) if s in allowed]


def can_move(current: Status, target: Status) -> bool:
    return target in TRANSITIONS[current]


def check_move(current: Status, target: Status) -> None:
    """Raise Conflict (409) naming both statuses when the move is not allowed."""
    if not can_move(current, target):
        raise Conflict("transition_forbidden", {"from_": current.value, "to": target.value})


def after_citizen_reply(current: Status) -> Status | None:
    """The status a citizen's reply moves the ticket to, or None when it stays.

    Waiting for the citizen resumes work; a reply to a resolved request reopens it, as in Zendesk.
    """
    if current == Status.WAITING_CITIZEN:
        return Status.IN_PROGRESS
    if current == Status.RESOLVED:
        return Status.REOPENED
    return None
