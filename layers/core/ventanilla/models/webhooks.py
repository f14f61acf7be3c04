"""Outbound webhooks: endpoints admins register, the deliveries made to them, their dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ventanilla.models.base import Model
from ventanilla.models.common import Strict

WebhookEvent = Literal[
    "TicketCreated",
    "TicketStatusChanged",
    "TicketAssigned",
    "NoteAdded",
    "AgentReplied",
    "CitizenReplied",
    "SlaWarning",
    "SlaBreached",
    "TicketEscalated",
    "LegalDeadlineExtended",
    "SurveyAnswered",
]
"""The domain events on the bus (ventanilla.domain_events), by their EventBridge detail-type."""

URL_PATTERN = r"^https?://[^\s]+$"


class WebhookIn(Strict):
    """An endpoint: where to POST, which events, and the HMAC secret (generated when not given)."""

    name: str = Field(min_length=2, max_length=80)
    url: str = Field(min_length=10, max_length=2000, pattern=URL_PATTERN)
    events: list[WebhookEvent] = Field(min_length=1, max_length=20)
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="HMAC key of the signatures; on create, generated (and shown once) when absent; "
        "on update, absent keeps the current one",
    )
    active: bool = True


class Webhook(Model):
    """An endpoint as listed: never its secret, only its last four characters to recognise it."""

    id: str
    name: str
    url: str
    events: list[WebhookEvent]
    active: bool
    secret_last4: str
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    version: int = 1


class WebhookCreated(Webhook):
    secret: str = Field(description="shown once, on create or when replaced: stored sealed")


class WebhookList(Model):
    items: list[Webhook]


class WebhookDelivery(Model):
    """One attempt to deliver one event to one endpoint (kept 30 days)."""

    event_id: str
    event: str
    number: str | None = None
    at: datetime
    attempt: int
    outcome: Literal["delivered", "failed", "dead", "skipped"]
    status_code: int | None = None
    error: str | None = None
    duration_ms: int


class WebhookDeliveryPage(Model):
    items: list[WebhookDelivery]
    next: str | None = None


class WebhookDeadLetter(Model):
    webhook_id: str
    event_id: str
    event: str
    number: str | None = None
    receives: int


class WebhookDeadLetterList(Model):
    items: list[WebhookDeadLetter]
    total: int = Field(description="messages in the dead-letter queue (approximate)")


class WebhookRedriveIn(Strict):
    limit: int = Field(default=100, ge=1, le=1000)


class WebhookRedriveOut(Model):
    moved: int
