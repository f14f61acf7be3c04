"""The alerts a request still needs (warnings and breaches of each target) and the
deterministic names of their EventBridge Scheduler schedules (pure: the timers function and
:mod:`ventanilla.services.timer_schedules` create them)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from pydantic import ConfigDict, Field

from ventanilla.models.base import Model
from ventanilla.sla.targets import DueDates, TargetName

__all__ = ["Timer", "timers_for"]


_SCHEDULE_NAME_MAX = 64
_SCHEDULE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KIND = re.compile(r"^(warning_\d{1,3}|breach)$")


class Timer(Model):
    """One future alert of a request: a warning or the breach of a target."""

    model_config = ConfigDict(frozen=True)

    target: TargetName
    kind: str = Field(pattern=_KIND.pattern)
    fire_at: datetime

    def name(self, ticket_number: str) -> str:
        """Deterministic EventBridge Scheduler name (``[A-Za-z0-9._-]``, at most 64 characters).

        Same ticket, target and kind give the same name, so re-creating a schedule replaces it.
        A ticket number too long to fit is shortened with a hash so names stay unique.
        """
        return schedule_name(ticket_number, self.target, self.kind)


def schedule_name(ticket_number: str, target: str, kind: str) -> str:
    """``vt-<ticket>-<target>-<kind>``, sanitised and capped at 64 characters (see Timer.name)."""
    if not ticket_number.strip():
        raise ValueError("ticket_number: must not be empty")
    ticket = _SCHEDULE_UNSAFE.sub("-", ticket_number.strip()).strip("-") or "x"
    suffix = f"-{target}-{kind}"
    name = f"vt-{ticket}{suffix}"
    if len(name) <= _SCHEDULE_NAME_MAX:
        return name
    digest = hashlib.sha256(ticket_number.encode()).hexdigest()[:10]
    room = _SCHEDULE_NAME_MAX - len("vt-") - len(suffix) - len(digest) - 1
    return f"vt-{ticket[:room]}-{digest}{suffix}"


def timers_for(
    due: DueDates,
    *,
    first_responded: bool = False,
    resolved: bool = False,
    now: datetime | None = None,
) -> list[Timer]:
    """The alerts a request still needs, sorted by ``fire_at``.

    Met targets get no timers (a resolved request needs none at all, legal included); unknown
    instants (paused) get none. With ``now``, instants already past are dropped so that only
    future schedules are created; without it the caller decides what to do with past ones.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("now: naive datetime; give a timezone-aware datetime")
    timers: list[Timer] = []
    for target in due.targets():
        if resolved or (target.target == "first_response" and first_responded):
            continue
        instants = [(w.kind, w.at) for w in target.warnings] + [("breach", target.due)]
        for kind, at in instants:
            if at is None or (now is not None and at <= now):
                continue
            timers.append(Timer(target=target.target, kind=kind, fire_at=at))
    return sorted(timers, key=lambda t: (t.fire_at, t.target, t.kind))
