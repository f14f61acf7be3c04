"""Mirror a ticket's pending timers as Scheduler schedules, from the table stream (not the API).

Only what changed is touched: a timer new or moved is created/updated (one call), a timer gone is
deleted (one call) unless its instant already passed (its schedule deleted itself after firing).
So the Scheduler calls per ticket change depend on that change only, never on the table's size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ventanilla.integrations import scheduler
from ventanilla.models.common import iso, utcnow
from ventanilla.models.ticket import SlaTimer


def timers_of(image: dict[str, Any] | None) -> dict[str, SlaTimer]:
    if not image or image.get("entity") != "ticket":
        return {}
    return {t.name: t for t in (SlaTimer.model_validate(raw) for raw in image.get("timers") or [])}


def sync(
    number: str,
    old_image: dict[str, Any] | None,
    new_image: dict[str, Any] | None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """(schedules created or moved, schedules deleted) for one ticket change."""
    now = now or utcnow()
    before, after = timers_of(old_image), timers_of(new_image)
    upserted = deleted = 0
    for name, timer in after.items():
        old = before.get(name)
        if old is not None and iso(old.fire_at) == iso(timer.fire_at):
            continue
        payload = {
            "number": number,
            "name": name,
            "target": timer.target,
            "kind": timer.kind,
            "fire_at": iso(timer.fire_at),
        }
        scheduler.upsert(name, timer.fire_at, payload, exists=old is not None and old.fire_at > now)
        upserted += 1
    for name, timer in before.items():
        if name not in after and timer.fire_at > now:
            scheduler.delete(name)
            deleted += 1
    return upserted, deleted
