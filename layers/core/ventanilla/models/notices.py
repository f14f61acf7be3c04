"""API bodies of the notification area: devices, a citizen's notice choices, opt-outs, templates,
the suppression list and the dead-letter queue."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ventanilla.models.base import Model
from ventanilla.models.common import Strict
from ventanilla.models.people import NoticeChannel
from ventanilla.notify.events import Kind

Platform = Literal["fcm", "apns", "webpush"]
TemplateChannel = Literal["email", "sms", "push"]
TemplateLang = Literal["es", "en"]


class WebPushKeys(Strict):
    """The subscription's keys as ``PushSubscription.toJSON()`` gives them (base64url)."""

    p256dh: str = Field(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9_-]+={0,2}$")
    auth: str = Field(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_-]+={0,2}$")


class WebPushSubscriptionIn(Strict):
    """A browser's push subscription (``PushSubscription.toJSON()``)."""

    endpoint: str = Field(min_length=12, max_length=1024, pattern=r"^https?://[^\s]+$")
    keys: WebPushKeys
    expirationTime: int | None = Field(default=None, ge=0)


class DeviceIn(Strict):
    """A device to notify. A native app sends its FCM or APNs ``token``; the portal (kind
    ``webpush``) sends the browser's ``subscription``. Citizens name the request (number +
    ``X-Access-Code`` or ``X-Ticket-Session``) or sign in with their account; staff send their
    ``Authorization`` header and no number."""

    platform: Platform = Field(description="fcm, apns or webpush (the portal in a browser)")
    token: str | None = Field(
        default=None,
        min_length=8,
        max_length=4096,
        pattern=r"^[A-Za-z0-9_:\-.]+$",
        description="FCM or APNs token (platform fcm or apns)",
    )
    subscription: WebPushSubscriptionIn | None = Field(
        default=None, description="the browser's push subscription (platform webpush)"
    )
    number: str | None = Field(default=None, pattern=r"^\d{4}-\d{6,}$")


class DeviceOut(Model):
    device_id: str
    platform: Platform
    owner: Literal["ticket", "staff", "citizen"]


class WebPushKeyOut(Model):
    """What the portal needs to subscribe: the VAPID public key (``applicationServerKey``)."""

    public_key: str


class NoticePrefsIn(Strict):
    channels: list[NoticeChannel] = Field(min_length=1, max_length=3)
    language: Literal["es", "en"]


class NoticePrefsOut(Model):
    number: str
    channels: list[NoticeChannel]
    language: Literal["es", "en"]
    opted_out: list[NoticeChannel]


class OptOutOut(Model):
    channel: str = Field(description="email, sms, push or all, as the link says")
    channels: list[str] = Field(default_factory=list, description="the channels that stop")
    already: bool = Field(default=False, description="those channels were already stopped")
    done: bool
    """False for a look (GET), true once honoured (POST)."""
    message: str


class TemplateParts(Strict):
    """Override parts: email subject/text/html, SMS text, push title/body (only those of the channel)."""

    subject: str | None = Field(default=None, max_length=20_000)
    text: str | None = Field(default=None, max_length=20_000)
    html: str | None = Field(default=None, max_length=20_000)
    title: str | None = Field(default=None, max_length=20_000)
    body: str | None = Field(default=None, max_length=20_000)

    def given(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class TemplateOut(Model):
    kind: str
    channel: TemplateChannel
    lang: TemplateLang
    defaults: dict[str, str]
    """The packaged sources, shipped in code."""
    override: dict[str, str] | None = None
    version: int | None = None
    updated_by: str | None = None
    updated_at: str | None = None


class TemplateSummary(Model):
    kind: str
    audience: str
    channel: TemplateChannel
    lang: TemplateLang
    overridden: bool


class TemplateList(Model):
    items: list[TemplateSummary]


class PreviewIn(Strict):
    kind: Kind
    channel: TemplateChannel
    lang: TemplateLang = "es"
    parts: TemplateParts | None = None
    """Unsaved edits to preview; the stored override (or the default) when absent."""


class PreviewOut(Model):
    kind: str
    channel: TemplateChannel
    lang: TemplateLang
    subject: str | None = None
    text: str
    html: str | None = None
    title: str | None = None
    sms_segments: int | None = None
    warnings: list[str] = Field(default_factory=list)


class Suppression(Model):
    id: str
    masked: str
    reason: str
    channel: str
    at: str


class SuppressionList(Model):
    items: list[Suppression]
    next_cursor: str | None = None


class DeadLetter(Model):
    message_id: str
    detail_type: str | None = None
    number: str | None = None
    event_id: str | None = None
    receive_count: int | None = None
    sent_at: datetime | None = None


class DeadLetterList(Model):
    depth: int
    items: list[DeadLetter]


class RedriveIn(Strict):
    limit: int = Field(default=100, ge=1, le=1000)


class RedriveOut(Model):
    moved: int
