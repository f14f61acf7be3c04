"""Links between requests (B8): related, duplicate, parent/child; recorded in both histories.

Staff link a request of their teams to any other request by number (the other may belong to another
team: linking tells nothing about it beyond its number). A link is stored on both sides with the
kind as each side sees it (``parent`` on one is ``child`` on the other).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ventanilla.auth import Principal
from ventanilla.errors import FieldError, NotFound, ValidationFailed
from ventanilla.models.base import Model
from ventanilla.models.common import Strict, utcnow
from ventanilla.models.ticket import HistoryEvent
from ventanilla.rules.numbering import is_number
from ventanilla.storage import links as store
from ventanilla.storage import tickets as ticket_store

LinkKind = Literal["related", "duplicate", "parent"]
INVERSE = {"related": "related", "duplicate": "duplicate", "parent": "child", "child": "parent"}


class TicketLinkIn(Strict):
    number: str = Field(pattern=r"^\d{4}-\d{6}$", description="the other request")
    kind: LinkKind = Field(description="what the other request is to this one: related, duplicate, parent")


class Link(Model):
    number: str
    kind: str


class LinkList(Model):
    items: list[Link]


def _events(
    principal: Principal, a: str, b: str, action: Literal["linked", "unlinked"], kind: str | None
) -> list[HistoryEvent]:
    from ventanilla.services.tickets import _staff_actor, new_event

    actor = _staff_actor(principal)
    now = utcnow()
    return [
        new_event(a, actor, action, public=False, at=now, other=b, kind=kind),
        new_event(b, actor, action, public=False, at=now, other=a, kind=INVERSE.get(kind or "", kind)),
    ]


def listing(principal: Principal, number: str) -> LinkList:
    from ventanilla.services.tickets import _staff_ticket

    _staff_ticket(principal, number)
    return LinkList(items=[Link(**link) for link in store.of_ticket(number)])


def link(principal: Principal, number: str, body: TicketLinkIn) -> LinkList:
    from ventanilla.services.tickets import _staff_ticket

    _staff_ticket(principal, number)
    if body.number == number:
        raise ValidationFailed("validation_failed", errors=[FieldError("number", "link_to_itself")])
    if ticket_store.get_ticket(body.number) is None:
        raise ValidationFailed("validation_failed", errors=[FieldError("number", "ticket_not_found")])
    if len(store.of_ticket(number)) >= store.MAX_LINKS:
        raise ValidationFailed("validation_failed", errors=[FieldError("number", "too_many_links")])
    store.add(
        number,
        body.number,
        body.kind,
        INVERSE[body.kind],
        _events(principal, number, body.number, "linked", body.kind),
    )
    return listing(principal, number)


def unlink(principal: Principal, number: str, other: str) -> LinkList:
    from ventanilla.services.tickets import _staff_ticket

    _staff_ticket(principal, number)
    if not is_number(other) or not store.remove(
        number, other, _events(principal, number, other, "unlinked", None)
    ):
        raise NotFound("link_not_found")
    return listing(principal, number)
