"""Proactive service (issue 16): sectors, topics, subscriptions and service alerts.

Model names carry the feature (``Area*``, ``SubscriptionTopic*``, ``Subscription*``,
``ServiceAlert*``): OpenAPI names components by class name across the whole API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from ventanilla.models.accounts import AgeBand
from ventanilla.models.base import Model
from ventanilla.models.common import CODE_PATTERN, Code, Strict
from ventanilla.models.notices import WebPushSubscriptionIn
from ventanilla.models.staff_admin import EMAIL

Lang = Literal["es", "en"]
SectorRef = Annotated[str, StringConstraints(pattern=r"^(\*|[a-z0-9][a-z0-9-]{0,62})$")]
"""A sector code, or ``*`` for everywhere (a subscription that follows every sector)."""
E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{7,14}$")]


class AreaProperties(Model):
    code: Code
    name: str = Field(min_length=1, max_length=120)
    name_en: str | None = Field(default=None, max_length=120)


class AreaGeometry(Model):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(min_length=1, max_length=200)


class AreaFeature(Model):
    type: Literal["Feature"]
    properties: AreaProperties
    geometry: AreaGeometry


class AreaUpload(Model):
    """A GeoJSON FeatureCollection of sectors; each one with ``properties.code`` and ``name``.
    A sector whose code exists is replaced; the others stay."""

    type: Literal["FeatureCollection"]
    features: list[AreaFeature] = Field(min_length=1, max_length=200)


class AreaSector(Model):
    code: str
    name: str
    name_en: str | None = None
    bbox: list[float]
    cells: int
    vertices: int
    updated_at: datetime
    updated_by: str = ""
    subscribers: int | None = Field(
        default=None,
        description="confirmed subscriptions following the sector (staff list only; kept by counters)",
    )


class AreaSectorList(Model):
    items: list[AreaSector]
    everywhere: int | None = Field(
        default=None,
        description="confirmed subscriptions following every sector (staff list only)",
    )


class AreaUploadResult(Model):
    saved: list[str]
    cells: int


class AreaMatch(Model):
    sector: str
    name: str
    name_en: str | None = None


class SubscriptionTopicIn(Strict):
    name: str = Field(min_length=1, max_length=80)
    name_en: str | None = Field(default=None, max_length=80)
    description: str | None = Field(default=None, max_length=300)
    description_en: str | None = Field(default=None, max_length=300)
    active: bool = True


class SubscriptionTopic(SubscriptionTopicIn):
    code: str
    updated_at: datetime | None = None
    subscribers: int | None = Field(
        default=None, description="confirmed subscriptions following the topic (staff list only)"
    )


class SubscriptionTopicList(Model):
    items: list[SubscriptionTopic]


class SubscriptionIn(Strict):
    """Anonymous or signed in: at least one of email and phone; nothing is sent until confirmed."""

    email: str | None = Field(default=None, max_length=254, pattern=EMAIL)
    phone: E164 | None = None
    topics: list[Code] = Field(min_length=1, max_length=10)
    sectors: list[SectorRef] = Field(default_factory=list, max_length=5)
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    long: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    language: Lang = "es"
    consent: Literal[True] = Field(description="the subscriber accepts the notice (recorded in the ledger)")

    @model_validator(mode="after")
    def _contact_and_place(self) -> SubscriptionIn:
        if not self.email and not self.phone:
            raise ValueError("an email or a phone is needed / falta un correo o un teléfono")
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long go together / lat y long van juntas")
        return self


SubscriptionState = Literal["none", "pending", "confirmed", "unsubscribed"]


class SubscriptionRecord(Model):
    """As stored (``SUB#<id> / SUB``): contacts, what they follow, each channel's state."""

    id: str
    email: str | None = None
    phone: str | None = None
    topics: list[str]
    sectors: list[str]
    language: Lang = "es"
    email_state: SubscriptionState = "none"
    sms_state: SubscriptionState = "none"
    sms_code_hash: str | None = None
    sms_attempts: int = 0
    citizen_id: str | None = None
    created_at: datetime
    confirmed_at: datetime | None = None
    version: int = 1
    webpush: list[dict[str, str]] = Field(default_factory=list)
    """Browsers that asked for alerts by Web Push (endpoint, p256dh, auth); at most
    ``SUBSCRIPTION_MAX_PUSH``, copied into the audience items so the fan-out needs no extra read."""


class SubscriptionOut(Model):
    id: str
    email: str | None = None
    phone: str | None = None
    topics: list[str]
    sectors: list[str]
    language: Lang
    email_state: SubscriptionState
    sms_state: SubscriptionState
    confirmed: bool
    push_devices: int = Field(default=0, description="browsers receiving the alerts by Web Push")
    manage_path: str | None = Field(
        default=None,
        description="the management page (#/suscripcion/<id>?t=), only in the answer to a confirmation"
        " (the link or code proved the contact) or to a signed-in citizen's own subscription",
    )


class SubscriptionCreated(SubscriptionOut):
    next_steps: list[Literal["email_link", "sms_code"]]


class SubscriptionConfirmEmailIn(Strict):
    token: str = Field(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")


class SubscriptionConfirmSmsIn(Strict):
    code: str = Field(pattern=r"^[0-9]{6}$")


SUBSCRIPTION_MAX_PUSH = 3
"""Browsers one subscription pushes to (a phone, a tablet, a computer): bounded so an audience
item, and a fan-out batch of 100 of them, stays small."""


class SubscriptionDeviceIn(Strict):
    """This browser's push subscription (``PushSubscription.toJSON()``): alerts come to it too."""

    subscription: WebPushSubscriptionIn


class SubscriptionUpdateIn(Strict):
    topics: list[Code] = Field(min_length=1, max_length=10)
    sectors: list[SectorRef] = Field(default_factory=list, max_length=5)
    language: Lang = "es"


Severity = Literal["info", "warning", "emergency"]


class ServiceAlertText(Strict):
    es: str = Field(min_length=1, max_length=1000)
    en: str | None = Field(default=None, max_length=1000)


class ServiceAlertTitle(Strict):
    es: str = Field(min_length=3, max_length=120)
    en: str | None = Field(default=None, max_length=120)


class ServiceAlertIn(Strict):
    title: ServiceAlertTitle
    text: ServiceAlertText
    sectors: list[Code] = Field(min_length=1, max_length=50)
    topics: list[Code] = Field(min_length=1, max_length=5)
    service: Code | None = Field(
        default=None, description="the request type it is about: requests of that type filed there link to it"
    )
    severity: Severity = "warning"
    starts_at: datetime | None = None
    expected_end: datetime | None = None

    @model_validator(mode="after")
    def _times(self) -> ServiceAlertIn:
        if self.starts_at and self.expected_end and self.expected_end <= self.starts_at:
            raise ValueError("expected_end must follow starts_at / el fin debe ser posterior al inicio")
        return self


class ServiceAlertUpdateIn(Strict):
    kind: Literal["update", "restored"] = "update"
    text: ServiceAlertText
    expected_end: datetime | None = None


class ServiceAlertUpdate(Model):
    n: int
    kind: Literal["published", "update", "restored"]
    text: ServiceAlertText
    at: datetime
    by: str


class ServiceAlertFigures(Model):
    audience: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    delivered: int = 0
    """Emails the receiving server accepted (SES delivery events of this alert's / campaign's mail)."""
    bounced: int = 0
    """Permanent bounces of its emails (the address is suppressed too)."""
    complaints: int = 0
    unsubscribes: int = 0
    """One-click unsubscribes from its emails (RFC 8058 link)."""
    by_channel: dict[str, int] = Field(default_factory=dict)


class ServiceAlert(Model):
    id: str
    title: ServiceAlertTitle
    text: ServiceAlertText
    sectors: list[str]
    topics: list[str]
    service: str | None = None
    severity: Severity
    starts_at: datetime
    expected_end: datetime | None = None
    status: Literal["open", "restored"]
    updates: list[ServiceAlertUpdate] = Field(default_factory=list)
    created_at: datetime
    created_by: str
    version: int = 1
    figures: ServiceAlertFigures | None = None


class ServiceAlertList(Model):
    items: list[ServiceAlert]


class ServiceAlertBanner(Model):
    id: str
    title: str
    text: str
    severity: Severity
    sectors: list[str]
    service: str | None = None
    starts_at: datetime
    expected_end: datetime | None = None


class ServiceAlertBannerList(Model):
    items: list[ServiceAlertBanner]


__all__ = ["CODE_PATTERN"]


class CampaignText(Strict):
    es: str = Field(min_length=1, max_length=10_000)
    en: str | None = Field(default=None, max_length=10_000)


SegmentValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class CampaignSegment(Strict):
    """Who among the subscribers: citizens with an account whose segment data match (any value of a
    criterion; every criterion given), and who filed a request of one of ``filed_types`` in the last
    ``filed_within_months`` months. Subscribers without an account match no segment that names
    anything."""

    regions: list[SegmentValue] = Field(default_factory=list, max_length=20)
    comunas: list[SegmentValue] = Field(default_factory=list, max_length=50)
    age_bands: list[AgeBand] = Field(default_factory=list, max_length=6)
    interests: list[SegmentValue] = Field(default_factory=list, max_length=10)
    filed_types: list[Code] = Field(default_factory=list, max_length=5)
    filed_within_months: int = Field(default=12, ge=1, le=36)


class CampaignIn(Strict):
    """A campaign or newsletter: to the confirmed subscribers of topics in sectors (none: every
    sector), in some languages, on some channels; at a time, and again every N days (newsletter)."""

    name: str = Field(min_length=3, max_length=120)
    subject: ServiceAlertTitle
    body: CampaignText = Field(description="plain text; blank lines make paragraphs")
    topics: list[Code] = Field(min_length=1, max_length=5)
    sectors: list[Code] = Field(default_factory=list, max_length=50)
    languages: list[Lang] = Field(default_factory=list, max_length=2)
    channels: list[Literal["email", "sms", "webpush"]] = Field(default=["email"], min_length=1, max_length=3)
    send_at: datetime | None = Field(default=None, description="when (UTC); none: at once")
    every_days: int | None = Field(default=None, ge=1, le=366, description="a newsletter: again every N days")
    segment: CampaignSegment | None = None


class CampaignPreview(Model):
    audience: int
    """Subscribers of the chosen (sector, topic) pairs: one counted per pair it is in (at most)."""
    estimated: bool = False
    """With a segment, the preview reads at most a sample of the audience: the size is then the
    share of the sample in the segment times the audience (``sampled`` read)."""
    sampled: int | None = None
    subject: str
    text: str
    html: str


class Campaign(Model):
    id: str
    name: str
    subject: ServiceAlertTitle
    body: CampaignText
    topics: list[str]
    sectors: list[str]
    languages: list[Lang] = Field(default_factory=list)
    channels: list[Literal["email", "sms", "webpush"]] = Field(default=["email"])
    send_at: datetime
    every_days: int | None = None
    segment: CampaignSegment | None = None
    status: Literal["scheduled", "sent", "cancelled"] = "scheduled"
    runs: int = 0
    next_run_at: datetime | None = None
    created_at: datetime
    created_by: str
    figures: ServiceAlertFigures | None = Field(
        default=None, description="totals over every run: a newsletter's audience is the sum of its runs'"
    )


class CampaignList(Model):
    items: list[Campaign]
