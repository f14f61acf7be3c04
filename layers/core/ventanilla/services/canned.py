"""Canned responses: supervisors manage them, agents insert them filled in for one ticket (B8)."""

from __future__ import annotations

import re
import unicodedata

from ventanilla.auth import Principal
from ventanilla.errors import Conflict, NotFound
from ventanilla.models.canned import (
    CannedIn,
    CannedList,
    CannedResponse,
    RenderedCanned,
    RenderedCannedList,
    fill,
)
from ventanilla.models.common import is_code, utcnow
from ventanilla.services import tickets
from ventanilla.services.due_dates import institution_calendar
from ventanilla.settings import get_settings
from ventanilla.storage import canned as store

MANAGERS = ("supervisor", "admin")


def slug_of(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60] or "respuesta"


def stored(canned_id: str) -> CannedResponse | None:
    """The canned response as stored, or None (the audit trail's "before" and "after")."""
    return store.get(canned_id) if is_code(canned_id) else None


def manage_list(principal: Principal) -> CannedList:
    principal.require(*MANAGERS)
    return CannedList(items=sorted(store.list_all(), key=lambda c: c.title))


def create(principal: Principal, body: CannedIn) -> CannedResponse:
    principal.require(*MANAGERS)
    canned = CannedResponse(
        id=slug_of(body.title), updated_at=utcnow(), updated_by=principal.username, **body.model_dump()
    )
    if not store.put(canned, create=True):
        raise Conflict("canned_exists")
    return canned


def update(principal: Principal, canned_id: str, body: CannedIn) -> CannedResponse:
    principal.require(*MANAGERS)
    if not is_code(canned_id):
        raise NotFound("canned_not_found")
    canned = CannedResponse(
        id=canned_id, updated_at=utcnow(), updated_by=principal.username, **body.model_dump()
    )
    if not store.put(canned, create=False):
        raise NotFound("canned_not_found")
    return canned


def delete(principal: Principal, canned_id: str) -> None:
    principal.require(*MANAGERS)
    if not store.delete(canned_id):
        raise NotFound("canned_not_found")


def for_ticket(principal: Principal, number: str) -> RenderedCannedList:
    """The responses that fit this ticket's team, type and citizen's language, placeholders filled."""
    view = tickets.staff_view(principal, number)  # checks role and team
    t = view.ticket
    due = t.expected_response_by.astimezone(institution_calendar().zone)
    values = {
        "nombre": t.requester.name,
        "numero": t.number,
        "fecha_respuesta": due.strftime("%d-%m-%Y"),
        "agente": principal.name or principal.username,
        "institucion": get_settings().institution_name,
    }
    fitting = [
        c
        for c in store.list_all()
        if c.team in (None, t.team)
        and c.type_code in (None, t.type_code)
        and c.language == t.requester.language
    ]
    fitting.sort(key=lambda c: (c.type_code is None, c.team is None, c.title))
    return RenderedCannedList(
        items=[
            RenderedCanned(id=c.id, title=c.title, body=fill(c.body, values), status=c.status)
            for c in fitting
        ]
    )
