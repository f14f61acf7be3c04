"""Optimistic lock for the institution's configuration bodies (business calendar, SLA policy,
routing rules): each save carries the version its editor read, so two supervisors editing at once
cannot silently overwrite each other (the later save is refused with 409 and reloads)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from ventanilla.errors import Conflict
from ventanilla.storage import sla as sla_store

M = TypeVar("M", bound=BaseModel)

CODES = {"CALENDAR": "calendar_changed", "SLA": "sla_policy_changed", "ROUTING": "routing_changed"}


def with_version(kind: str, value: M) -> M:
    """The value as an editor reads it: with the stored version (0 when never saved)."""
    return value.model_copy(update={"version": sla_store.get_version(kind)})


def save(kind: str, value: M) -> M:
    """Store ``value`` as the next version; refused (nothing written) when ``value.version`` is
    given and is not the stored one, or when another save lands between the read and the write."""
    given: int | None = getattr(value, "version", None)
    current = sla_store.get_version(kind)
    if given is not None and given != current:
        raise Conflict(CODES[kind], {"expected": given, "actual": current})
    stored = value.model_copy(update={"version": current + 1})
    if not sla_store.put_body(kind, stored.model_dump_json(), version=current + 1, expected=current):
        raise Conflict(CODES[kind], {"expected": current})
    return stored
