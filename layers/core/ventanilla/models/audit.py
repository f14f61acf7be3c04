"""Audit trail records (F4): who changed what configuration, content, staff or team, and how."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ventanilla.models.base import Model


class Change(Model):
    """One changed value: its dotted path and the value before and after (None: absent)."""

    path: str
    before: Any = None
    after: Any = None


class AuditRecord(Model):
    """One change, written once and never updated (the storage refuses to overwrite it)."""

    id: str
    at: datetime
    actor_sub: str
    actor: str = Field(description="the staff member's username")
    kind: str = Field(description="what was changed: canned, sla-policy, staff, team, help-article...")
    action: str = Field(description="create, update, delete, publish, archive, disable, enable...")
    target: str = Field(default="", description="the changed thing's id (slug, code, username)")
    method: str = ""
    path: str = ""
    changes: list[Change] = Field(default_factory=list)
    truncated: bool = False
    """More values changed than one record keeps (the first ones are listed)."""
    ip_hash: str = Field(default="", description="keyed hash of the source address (never the address)")


class AuditList(Model):
    items: list[AuditRecord]
    next_cursor: str | None = None
