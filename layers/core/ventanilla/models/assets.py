"""The asset inventory (F5): what the institution owns, where it is, who uses it, its history.

Types and locations are admin lists; an asset's own fields follow its type's form (the same field
definitions as request subtypes). The inventory number is the asset's id: unique and immutable.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ventanilla.models.base import Model
from ventanilla.models.catalog import FormField
from ventanilla.models.common import Code, Strict, Text
from ventanilla.models.ticket import FormValue

INVENTORY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$"
InventoryNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=INVENTORY_PATTERN), AfterValidator(str.upper)
]
"""Inventory numbers are uppercase letters, digits, '.', '_' and '-' (typed in any case)."""
HOST_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$"
USERNAME_PATTERN = r"^[A-Za-z0-9._@+-]{1,128}$"


class AssetStatus(StrEnum):
    IN_USE = "in_use"
    IN_STOCK = "in_stock"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


AssetKind = Literal["hardware", "licence", "service"]


class AssetTypeIn(Strict):
    name: Text
    kind: AssetKind = "hardware"
    """A ``licence`` has seats and assignments; ``hardware`` and ``service`` do not."""
    fields: list[FormField] = Field(default_factory=list, max_length=30)


class AssetType(AssetTypeIn):
    code: Code


class AssetTypeList(Model):
    items: list[AssetType]


class AssetLocationIn(Strict):
    building: str = Field(min_length=1, max_length=120)
    office: str = Field(default="", max_length=120)


class AssetLocation(AssetLocationIn):
    code: Code


class LocationList(Model):
    items: list[AssetLocation]


class Responsible(Strict):
    """A staff member (``username``) or a named internal user without an account (name, email)."""

    username: str | None = Field(default=None, pattern=USERNAME_PATTERN)
    name: str | None = Field(default=None, min_length=2, max_length=120)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)

    @model_validator(mode="after")
    def _someone(self) -> Responsible:
        if not self.username and not self.name:
            raise ValueError("indique username o name / give a username or a name")
        return self

    def key(self) -> str:
        """Whom "my equipment" and the responsible listing find: the username, else the email/name."""
        if self.username:
            return f"user:{self.username.lower()}"
        return f"person:{(self.email or self.name or '').strip().lower()}"


class AssetFields(Strict):
    """What can be set on an asset (create and edit); type-specific values go in ``fields``."""

    name: str = Field(min_length=2, max_length=160)
    type: Code
    status: AssetStatus = AssetStatus.IN_STOCK
    serial: str | None = Field(default=None, max_length=80)
    hostname: str | None = Field(default=None, pattern=HOST_PATTERN)
    location: Code | None = None
    responsible: Responsible | None = None
    team: Code
    purchase_date: date | None = None
    warranty_end: date | None = None
    notes: str | None = Field(default=None, max_length=2000)
    seats: int | None = Field(default=None, ge=1, le=100_000)
    fields: dict[str, FormValue] = Field(default_factory=dict, max_length=30)

    @model_validator(mode="after")
    def _dates_in_order(self) -> AssetFields:
        if self.purchase_date and self.warranty_end and self.warranty_end < self.purchase_date:
            raise ValueError("warranty_end antes de purchase_date / warranty_end before purchase_date")
        return self


class AssetIn(AssetFields):
    inventory_number: InventoryNumber


class AssetUpdateIn(AssetFields):
    version: int = Field(ge=1, le=1_000_000_000)
    """The version read: a stale edit is refused (409) rather than overwrite someone's change."""


class Asset(AssetIn):
    version: int = 1
    seats_used: int = 0
    incidents: int = 0
    """How many requests were ever linked to it (ADD on each link)."""
    created_at: datetime
    updated_at: datetime
    updated_by: str


class AssetPage(Model):
    items: list[Asset]
    next_cursor: str | None = None


class AssetChange(Model):
    before: Any = None
    after: Any = None


class AssetEvent(Model):
    """One entry of an asset's append-only history: who, when, what changed (before / after)."""

    event_id: str
    at: datetime
    actor: str
    actor_name: str | None = None
    action: Literal["created", "updated", "imported", "linked", "unlinked", "seat_assigned", "seat_released"]
    changes: dict[str, AssetChange] = Field(default_factory=dict)
    ticket: str | None = None
    holder: str | None = None


class SeatIn(Strict):
    holder: str = Field(min_length=2, max_length=160)
    """Who uses the seat: a username, an email or a computer's inventory number."""


class Seat(Model):
    holder: str
    assigned_at: datetime
    assigned_by: str


class AssetLinkIn(Strict):
    inventory_number: InventoryNumber


class LinkedRequest(Model):
    """A request linked to an asset, as the asset page shows it (read from the ticket itself)."""

    number: str
    subject: str
    status: str
    team: str
    created_at: datetime
    resolved_at: datetime | None = None
    hours_lost: float
    """Filing to resolution (or to now while open), wall-clock hours: the time the asset was lost."""
    sla: Literal["met", "breached", "pending"]
    linked_at: datetime


class AssetView(Model):
    asset: Asset
    type: AssetType | None = None
    location: AssetLocation | None = None
    history: list[AssetEvent]
    requests: list[LinkedRequest]
    open_requests: int
    hours_lost: float
    """Sum over the requests shown (the latest ``requests_limit``); ``asset.incidents`` counts all."""
    sla_breached: int
    seats: list[Seat]
    read_items: int
    """Items this page read from the table: the same however many assets exist."""


class TicketAssets(Model):
    items: list[Asset]


# ---- import -------------------------------------------------------------------------------------


class ImportError_(Model):
    row: int
    column: str
    code: str
    message: str


class ImportRow(Model):
    row: int
    inventory_number: str | None
    ok: bool


class ImportReport(Model):
    mode: Literal["preview", "all", "valid"]
    rows: list[ImportRow]
    errors: list[ImportError_]
    valid: int
    invalid: int
    written: int


# ---- reports ------------------------------------------------------------------------------------


class CountRow(Model):
    dimension: Literal["type", "status", "location", "team"]
    value: str
    count: int


class IncidentRow(Model):
    inventory_number: str
    name: str | None = None
    incidents: int


class WarrantyRow(Model):
    inventory_number: str
    name: str
    type: str
    team: str
    warranty_end: date
    days_left: int


class LicenceRow(Model):
    inventory_number: str
    name: str
    seats: int
    seats_used: int
    state: Literal["over", "near"]


class AssetReports(Model):
    counts: list[CountRow]
    most_incidents: list[IncidentRow]
    warranties: list[WarrantyRow]
    licences: list[LicenceRow]
    period_from: str
    period_to: str
    warranty_days: int
