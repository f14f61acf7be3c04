"""Requests staff enter for what arrived by phone, at the counter, by letter or in a chat (C1, B7).

The same checks as a citizen's filing, plus where it arrived and when: a letter is dated when it was
received, and its terms run from that day. Without a requester the staff member files an internal
request for themselves, for types whose catalog audience includes ``internal``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ventanilla.auth import Principal
from ventanilla.errors import FieldError, ValidationFailed
from ventanilla.models.common import utcnow
from ventanilla.models.ticket import (
    MAX_RECEIVED_AGE_DAYS,
    RequesterIn,
    StaffCreateTicketIn,
    TicketCreated,
)
from ventanilla.services import tickets
from ventanilla.services.idempotent import create_once
from ventanilla.storage import people as people_store

FUTURE_SLACK = timedelta(minutes=5)
"""A received-at a little ahead of the service's clock is a desk clock running fast, not an error."""


def check_received_at(received_at: datetime | None, now: datetime) -> datetime | None:
    """The arrival instant in UTC, or a 422 naming ``received_at``."""
    if received_at is None:
        return None
    if received_at.tzinfo is None:
        raise ValidationFailed("validation_failed", errors=[FieldError("received_at", "timezone_required")])
    received = received_at.astimezone(UTC)
    if received > now + FUTURE_SLACK:
        raise ValidationFailed("validation_failed", errors=[FieldError("received_at", "received_in_future")])
    if received < now - timedelta(days=MAX_RECEIVED_AGE_DAYS):
        raise ValidationFailed(
            "validation_failed",
            errors=[FieldError("received_at", "received_too_old", {"days": MAX_RECEIVED_AGE_DAYS})],
        )
    return min(received, now)


def _self_as_requester(principal: Principal) -> RequesterIn:
    """The staff member as the requester of an internal request (their profile's name and email)."""
    profile = people_store.get_staff(principal.sub)
    email = profile.email if profile else None
    if not email:
        raise ValidationFailed("validation_failed", errors=[FieldError("requester", "staff_email_required")])
    return RequesterIn(
        name=(profile.name if profile else None) or principal.name or principal.username,
        email=email,
        language="en" if principal.language == "en" else "es",
        channels=["email"],
        kind="internal",
        consent=True,
    )


def file_for(
    principal: Principal, body: StaffCreateTicketIn, key: str | None = None, lambda_context: Any = None
) -> TicketCreated:
    """File what arrived on another channel; the staff member is recorded as its creator."""
    principal.require(*tickets.STAFF_ROLES_WORKING)
    now = utcnow()
    received = check_received_at(body.received_at, now)
    requester = body.requester if body.requester is not None else _self_as_requester(principal)
    return create_once(body.as_citizen_body(requester), key, lambda_context, principal, received_at=received)
