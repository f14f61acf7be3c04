"""Citizen accounts (F1): one record per person, its verified contacts, consents and the audit of
staff reads, and the API bodies of ``/api/v1/me``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from ventanilla.models.base import Model
from ventanilla.models.people import Language, NoticeChannel
from ventanilla.rules.state_machine import Status

ContactKind = Literal["email", "phone"]
Purpose = Literal["privacy_notice", "handle_requests", "notices_email", "notices_sms", "campaigns", "forum"]
PURPOSES: tuple[Purpose, ...] = (
    "privacy_notice",
    "handle_requests",
    "notices_email",
    "notices_sms",
    "campaigns",
    "forum",
)
AgeBand = Literal["<18", "18-29", "30-44", "45-59", "60-74", "75+"]
PRIVACY_NOTICE_VERSION = "2026-12"  # 2026-12: segmented campaigns and how to opt out
"""The version of the privacy notice the portal shows (web/i18n: privacy.*); a consent records it."""


def _email_only() -> list[NoticeChannel]:
    return ["email"]


class VerifiedContact(Model):
    kind: ContactKind
    value: str
    verified_at: datetime
    source: str = "cognito"
    """Who verified it: the pool's code (``cognito``) or a staff member's identity check (``staff:<sub>``)."""


class Segment(Model):
    """What the citizen chooses to tell about themself (all optional; used in aggregates and to choose
    the audience of a segmented campaign, as the privacy notice says)."""

    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, max_length=80)
    comuna: str | None = Field(default=None, max_length=80)
    age_band: AgeBand | None = None
    topics: list[str] = Field(default_factory=list, max_length=10)


class CitizenAccount(Model):
    """``CITIZEN#<id> / ACCOUNT``: the person behind an account of the citizens' pool."""

    citizen_id: str
    sub: str
    name: str = ""
    language: Language = "es"
    contacts: list[VerifiedContact] = Field(default_factory=list)
    notice_channels: list[NoticeChannel] = Field(default_factory=_email_only)
    segment: Segment = Field(default_factory=Segment)
    no_campaigns: bool = False
    """The "campaigns" consent was withdrawn: the fan-out reads it with the account and sends none."""
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def verified(self, kind: ContactKind) -> list[str]:
        return [c.value for c in self.contacts if c.kind == kind]


class ConsentEntry(Model):
    """One line of the consent ledger (append-only): given or withdrawn, when, where, which text."""

    purpose: Purpose
    given: bool
    at: datetime
    channel: str = "web"
    text_version: str = PRIVACY_NOTICE_VERSION


class ConsentState(Model):
    purpose: Purpose
    given: bool
    at: datetime | None = None
    text_version: str | None = None


class StaffRead(Model):
    """Who on staff looked at the citizen's data, when and through what (the citizen sees this)."""

    at: datetime
    staff_sub: str
    staff_name: str
    what: str
    number: str | None = None


# ---- API bodies -------------------------------------------------------------------------------


class MeIn(Model):
    """What the citizen edits about themself (PUT replaces these fields)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=120)
    language: Language = "es"
    notice_channels: list[NoticeChannel] = Field(default_factory=_email_only, max_length=3)
    segment: Segment = Field(default_factory=Segment)
    version: int | None = Field(default=None, ge=1, le=1_000_000_000)
    """The version read (optional): a stale one answers 409 instead of overwriting."""


class ConsentIn(Model):
    model_config = ConfigDict(extra="forbid")

    purpose: Purpose
    given: bool
    text_version: str = Field(default=PRIVACY_NOTICE_VERSION, pattern=r"^[0-9]{4}-[0-9]{2}$")


class MeOut(Model):
    citizen_id: str
    name: str
    language: Language
    contacts: list[VerifiedContact]
    unverified: list[str] = Field(default_factory=list)
    """Contacts the account has but the pool has not verified: never used to match requests."""
    notice_channels: list[NoticeChannel]
    segment: Segment
    consents: list[ConsentState]
    version: int
    created_at: datetime


class MyTicket(Model):
    number: str
    subject: str
    type_code: str
    subtype_code: str
    channel: str
    status: Status
    status_label: str
    created_at: datetime
    updated_at: datetime


class MyTickets(Model):
    items: list[MyTicket]
    next_cursor: str | None = None


class ErasureOut(Model):
    """What an erasure did and what it kept, and why (the answer is the same when repeated)."""

    erased_at: datetime
    requests_anonymised: list[str]
    deleted: list[str]
    kept: list[dict[str, str]]


class RequesterRequest(Model):
    number: str
    subject: str
    status: Status
    team: str
    channel: str
    created_at: datetime


class RequesterPanel(Model):
    """The requester of a request as an agent sees them on the ticket page."""

    citizen_id: str
    has_account: bool
    name: str
    contacts: list[dict[str, str | bool]]
    other_requests: list[RequesterRequest]
    hidden_requests: int
    """Requests of other teams the agent may not see (counted, not shown)."""


class AccountLinkIn(Model):
    """Link a staff-entered request to a citizen account after checking identity."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    identity_checked: Literal[True]
    """The agent confirms they checked the person's identity (document, video call...)."""


def is_account(citizen_id: str) -> bool:
    """A citizen id that names an account (``acct-``), not the per-request record of an anonymous
    requester."""
    return citizen_id.startswith("acct-")


# ---- phone verification by SMS code (our own: the citizens' pool verifies only the email) ----------


class AccountPhoneIn(Model):
    """A phone the citizen wants to add to their account: a code is sent to it by SMS."""

    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=1, max_length=32, description="A mobile number, e.g. +56 9 6123 4567.")


class AccountPhoneCodeIn(Model):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9]{6}$", description="The six digits of the SMS.")


class AccountPhonePending(Model):
    """A phone waiting for its code; it becomes a verified contact only once confirmed."""

    phone: str
    expires_at: datetime
    attempts_left: int


class PhoneCheck(Model):
    """Stored: the pending check (the code only as an HMAC; expires through TTL)."""

    phone: str
    code_hash: str
    attempts: int = 0
    expires_at: datetime
