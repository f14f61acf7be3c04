"""Tickets (requests) and their history, plus the API bodies that create and change them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from ventanilla.help.articles import Slug
from ventanilla.help.models import SeenArticle
from ventanilla.models.base import Model
from ventanilla.models.catalog import ResponseTargets, Tier
from ventanilla.models.common import Channel, Code, Strict
from ventanilla.models.people import NoticeChannel, Requester, RequesterKind
from ventanilla.models.places import Location, LocationIn
from ventanilla.rules.priority import Level, Priority
from ventanilla.rules.state_machine import Status, next_statuses

FormValue = str | int | float | bool
SlaTarget = Literal["first_response", "resolution", "legal"]

MAX_SUBJECT = 200
MAX_VERSION = 1_000_000_000
"""Bound of the optimistic-lock ``version`` a client sends (a ticket changes far fewer times)."""
MAX_DESCRIPTION = 10_000
MAX_MESSAGE = 10_000


class Pause(Model):
    """A stretch during which the service-level clocks stop (waiting for the citizen)."""

    start: datetime
    end: datetime | None = None


class SlaTimer(Model):
    """One pending alert of the ticket; the timers function mirrors these as Scheduler schedules."""

    name: str
    target: SlaTarget
    kind: str
    fire_at: datetime


class Ticket(Model):
    """A request as stored: one item, updated under optimistic locking (``version``)."""

    number: str
    type_code: str
    subtype_code: str
    subject: str
    description: str
    form: dict[str, FormValue] = Field(default_factory=dict)
    channel: Channel
    status: Status
    impact: Level
    urgency: Level
    priority: Priority
    team: str
    tier: Tier
    assignee: str | None = None
    assignee_name: str | None = None
    citizen_id: str
    requester: Requester
    created_by: str | None = None
    """The staff member (sub) who filed it for the requester (by phone, in person...); None: the requester."""
    created_by_name: str | None = None
    access_code_hash: str = Field(exclude=True, repr=False)
    """Never serialised: no answer, export or event carries it; only storage writes it, by name."""
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    expected_response_by: datetime
    """First response due (last known value while the clock is paused); kept for the web."""
    resolution_due: datetime
    seen_articles: list[str] = Field(default_factory=list)
    version: int = 1
    # ---- service levels (B4, B9) ----
    first_response_due: datetime | None = None
    legal_kind: str | None = None
    """``<country>/<kind>`` of data/legal_deadlines.json when regulated; never editable."""
    legal_due: datetime | None = None
    legal_extension_days: int = 0
    extensions_used: int = 0
    pauses: list[Pause] = Field(default_factory=list)
    warned: list[str] = Field(default_factory=list)
    """``<target>:<kind>`` of the warnings already raised."""
    breached: list[SlaTarget] = Field(default_factory=list)
    first_response_business_seconds: float | None = None
    resolution_business_seconds: float | None = None
    next_due: datetime | None = None
    """The soonest pending due instant: what queues sort by."""
    timers: list[SlaTimer] = Field(default_factory=list)
    escalation_level: int = 0
    tags: list[str] = Field(default_factory=list)
    routed_by: str | None = None
    targets: ResponseTargets | None = None
    """The subtype's targets when filed (so a change recomputes without reading the catalog)."""
    # ---- satisfaction survey (B6): the latest answer; every answer is also in the history ----
    csat_score: int | None = None
    csat_comment: str | None = None
    data_erased_at: datetime | None = None
    """When the requester's identity and the free texts were removed (erasure or retention)."""
    data_erased_why: Literal["erasure", "retention"] | None = None
    csat_at: datetime | None = None
    csat_resolved_at: datetime | None = None
    """``resolved_at`` of the resolution the survey answered: one answer per resolution."""
    # ---- place and integrations (F3) ----
    location: Location | None = None
    service_alert: str | None = None
    """The open service alert (issue 16) of its sector and type when it was filed."""
    media_url: str | None = None
    """A photo or other media the client (an Open311 app) links to."""
    api_client: str | None = None
    """The API client (Open311 key id) that filed it; ``channel`` is then ``api``."""
    received_at: datetime | None = None
    """When staff entered it later than it arrived (a letter's stamp): ``created_at`` is then this
    instant, so every term runs from it; None when filed as it arrived."""
    merged_into: str | None = None
    """The request this one was merged into (B8): it is then closed and points there."""
    merged_from: list[str] = Field(default_factory=list)
    """The requests merged into this one (at most ``MAX_MERGED_FROM``)."""

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None


Action = Literal[
    "created",
    "status_changed",
    "message",
    "note",
    "assigned",
    "priority_changed",
    "notification",
    "sla_paused",
    "sla_resumed",
    "sla_warning",
    "sla_breached",
    "extension",
    "escalated",
    "reclassified",
    "survey",
    "access_locked",
    "contact_confirmed",
    "attachment",
    "linked",
    "unlinked",
    "merged",
    "merged_message",
]
ActorKind = Literal["citizen", "staff", "system"]


class Actor(Model):
    kind: ActorKind
    id: str | None = None
    name: str | None = None


class HistoryEvent(Model):
    """One entry of a ticket's append-only history: who did what, when, on which channel."""

    event_id: str
    number: str
    at: datetime
    actor: Actor
    channel: Channel
    action: Action
    public: bool
    body: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


# ---- API bodies -------------------------------------------------------------------------------


class RequesterIn(Strict):
    name: str = Field(min_length=2, max_length=120)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    language: Literal["es", "en"] = "es"
    channels: list[NoticeChannel] = Field(default=["email"], max_length=3)
    kind: RequesterKind = "external"
    organisation: str | None = Field(default=None, max_length=160)
    consent: bool


class CreateTicketIn(Strict):
    """What a citizen (or an agent on their behalf) sends to open a request. Only a staff token may
    file on a channel other than the web or for an internal requester."""

    type: Code
    subtype: Code
    subject: str = Field(min_length=3, max_length=MAX_SUBJECT)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    form: dict[str, FormValue] = Field(default_factory=dict, max_length=30)
    requester: RequesterIn
    channel: Channel = Channel.WEB
    seen_articles: list[Slug] = Field(
        default_factory=list,
        max_length=20,
        description="help articles the citizen saw first (POST /help/deflections returns them)",
    )
    location: LocationIn | None = Field(default=None, description="where it happens: a point, an address")


StaffChannel = Literal["phone", "in_person", "letter", "chat"]
"""Where an interaction a staff member enters reached the institution."""
MAX_RECEIVED_AGE_DAYS = 90
"""How far back a received-at date may go (a letter found in a drawer months later is a new one)."""


class StaffCreateTicketIn(Strict):
    """What a staff member enters for a request that came by phone, at the counter, by letter or in a
    chat. Without ``requester`` it is an internal request (B7) filed by the staff member for
    themselves: the type's catalog audience must include ``internal``."""

    type: Code
    subtype: Code
    subject: str = Field(min_length=3, max_length=MAX_SUBJECT)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    form: dict[str, FormValue] = Field(default_factory=dict, max_length=30)
    requester: RequesterIn | None = Field(
        default=None, description="the citizen; omitted: an internal request filed by the staff member"
    )
    channel: StaffChannel = Field(description="where it was received: phone, in_person, letter, chat")
    received_at: datetime | None = Field(
        default=None,
        description="when it was received (letters: the stamp date; legal terms run from it); "
        f"not in the future nor more than {MAX_RECEIVED_AGE_DAYS} days ago; default now",
    )

    def as_citizen_body(self, requester: RequesterIn) -> CreateTicketIn:
        return CreateTicketIn(
            type=self.type,
            subtype=self.subtype,
            subject=self.subject,
            description=self.description,
            form=self.form,
            requester=requester,
            channel=Channel(self.channel),
        )


class TicketAlertNotice(Model):
    """The receipt's word on a known outage: the request is linked to the institution's alert."""

    id: str
    title: str
    message: str


class TicketMergeIn(Strict):
    """Merge this request into another (the survivor): its messages and files are copied there and
    it is closed pointing to it."""

    into: str = Field(pattern=r"^\d{4}-\d{6}$", description="the survivor's number")
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION, description="this request's version")


class TicketMergedInto(Model):
    """Where a merged request went, as its citizen sees it: the survivor's number and progress (not
    its conversation, which may be another person's)."""

    number: str
    status: Status
    status_label: str
    resolved_at: datetime | None = None
    same_requester: bool = False
    """True when the citizen filed both: the survivor shows the copied messages and they hold its code."""


class TicketCreated(Model):
    number: str
    access_code: str
    status: Status
    expected_response_by: datetime
    resolution_due: datetime
    follow_url: str
    service_alert: TicketAlertNotice | None = None


class SessionIn(Strict):
    """The one-time token of a notice's link (``#/solicitud/<number>?t=<token>``)."""

    token: str = Field(pattern=r"^[A-Za-z0-9_-]{32}$")


class CitizenSession(Model):
    """A short session on one request: sent as ``X-Ticket-Session`` instead of the access code."""

    number: str
    session: str
    expires_at: datetime


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE)


class StaffMessageIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE)
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class StaffReplyIn(StaffMessageIn):
    """A public reply; with ``status``, "send and set status": the message and the move are one
    change (one history event) and one notice to the citizen, the message carrying the status."""

    status: Literal["waiting_citizen", "resolved"] | None = Field(
        default=None, description="also move the request there (as the state machine allows)"
    )


def _given(name: str) -> dict[str, Any]:
    """JSON Schema: ``name`` is present and not null (for "at least one of" bodies)."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


class AssignIn(Strict):
    """An assignee, a team or both."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [_given("assignee"), _given("team")]})

    assignee: str | None = Field(default=None, max_length=64, description="staff sub; null unassigns")
    team: Code | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class StatusIn(Strict):
    status: Status
    body: str | None = Field(default=None, max_length=MAX_MESSAGE)
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class ExtensionIn(Strict):
    """A legal extension (prórroga): extra business days and the reason the citizen is told."""

    days: int = Field(ge=1, le=365)
    justification: str = Field(min_length=10, max_length=2000)
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class EscalateIn(Strict):
    reason: str = Field(min_length=3, max_length=2000)
    to_tier: Tier | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class ReclassifyIn(Strict):
    """Change type/subtype or priority; due dates are recomputed (the legal term stays)."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [_given(name) for name in ("type", "subtype", "priority")]}
    )

    type: Code | None = None
    subtype: Code | None = None
    priority: Priority | None = None
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


MAX_SURVEY_COMMENT = 2000


class SurveyIn(Strict):
    """The citizen rates the answer once the request is resolved: 1 (bad) to 5 (very good)."""

    score: int = Field(ge=1, le=5, strict=True)
    comment: str | None = Field(default=None, max_length=MAX_SURVEY_COMMENT)


class TimelineEntry(Model):
    at: datetime
    action: Action
    author: str
    body: str | None = None
    status: Status | None = None
    channel: Channel
    score: int | None = None
    """A survey's score."""
    days: int | None = None
    """A legal extension's business days."""
    legal_due: datetime | None = None
    """The legal due date after an extension."""
    other: str | None = None
    """A merge's other request (the survivor, or the request merged into this one)."""


class NoticeChoices(Model):
    """How the citizen hears about this request, and the channels they gave a contact for."""

    channels: list[NoticeChannel]
    language: Literal["es", "en"]
    options: list[NoticeChannel]


class PublicFormAnswer(Model):
    """One answer of the request's form, labelled in the citizen's language."""

    label: str
    value: str


class PublicTicket(Model):
    """What the citizen sees: no internal notes, no staff identifiers."""

    number: str
    type: str
    subtype: str
    subject: str
    description: str = ""
    """What the citizen wrote when filing (empty once erased)."""
    form_answers: list[PublicFormAnswer] = Field(default_factory=list)
    first_response_at: datetime | None = None
    """Set once staff answered: the page then says when instead of "expected before"."""
    status: Status
    status_label: str
    created_at: datetime
    expected_response_by: datetime
    resolution_due: datetime
    legal_due: datetime | None = None
    paused: bool = False
    resolved_at: datetime | None = None
    survey_open: bool = False
    """True when the request is resolved and this resolution has not been rated yet."""
    csat_score: int | None = None
    csat_at: datetime | None = None
    notices: NoticeChoices | None = None
    location: Location | None = None
    merged_into: TicketMergedInto | None = None
    timeline: list[TimelineEntry]


class StaffTicket(Model):
    ticket: Ticket
    history: list[HistoryEvent]
    seen_articles: list[SeenArticle] = Field(
        default_factory=list, description="the help articles the citizen saw before filing"
    )
    access: Literal["team", "filer"] = Field(
        "team",
        description="team: the reader's team handles it (full history, may act); filer: an internal "
        "request the reader filed for a team not theirs (public history only, read only)",
    )
    next_statuses: list[Status] = Field(
        default_factory=list,
        description="the statuses the reader may move it to now, the usual next step first (none when "
        "closed or read only): the console offers these",
    )

    @model_validator(mode="after")
    def _moves(self) -> StaffTicket:
        self.next_statuses = next_statuses(self.ticket.status) if self.access == "team" else []
        return self


class QueueItem(Model):
    number: str
    subject: str
    type_code: str
    subtype_code: str
    status: Status
    priority: Priority
    team: str
    tier: Tier
    assignee: str | None
    assignee_name: str | None
    created_at: datetime
    expected_response_by: datetime
    resolution_due: datetime
    legal_due: datetime | None = None
    next_due: datetime | None = None
    breached: list[SlaTarget] = Field(default_factory=list)
    warned: list[str] = Field(default_factory=list)
    """``<target>:<kind>`` of the warnings already raised (the console's "at risk" badge)."""
    first_response_at: datetime | None = None
    version: int
    requester_name: str | None = None
    """Who filed it (the queue's "requester" column)."""


class Queue(Model):
    items: list[QueueItem]
    next_cursor: str | None = None
    as_of: datetime | None = None
    """The service's clock when the page was read: what "past due" and the badges are measured
    against (the local stack can move that clock ahead of the browser's)."""
    total: int | None = None
    """How many requests match the filters (first page only; None on later pages)."""
    total_complete: bool = True
    """False when counting stopped at its budget: ``total`` is then a lower bound ("more than")."""


class QueueNew(Model):
    """How many requests matching the queue's filters were filed after an instant (the console's
    "3 new requests · Refresh")."""

    count: int
    complete: bool = True
    as_of: datetime


class TeamCode(Model):
    team: Code
