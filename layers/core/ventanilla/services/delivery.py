"""The notifier: one domain event -> the notices it calls for, rendered and sent exactly once each.

For every (event id, recipient, channel) a delivery item is claimed with a conditional write
before sending and closed after, together with the ticket's history entry, in one transaction
(:mod:`ventanilla.storage.notices`). So a redelivered or duplicated event sends nothing twice.
Permanent failures (invalid address, opted out, suppressed, disabled device) are recorded and not
retried; transient ones raise :class:`RetryLater` after every other delivery of the event was tried,
and the queue brings the message back. The attempt the queue will not repeat records the failure
on the ticket before the message goes to the dead-letter queue.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aws_lambda_powertools import Logger

from ventanilla import observability as obs
from ventanilla.integrations import directory, messaging, queues, secrets
from ventanilla.models.accounts import is_account
from ventanilla.models.common import Channel as HistoryChannel
from ventanilla.models.common import iso, utcnow
from ventanilla.models.ticket import Actor, HistoryEvent, Ticket
from ventanilla.notify import optout, plan, sealing
from ventanilla.notify.events import Audience, Kind
from ventanilla.notify.preferences import Contact, Preferences, channels_for
from ventanilla.notify.render import RenderedMessage, default_renderer
from ventanilla.rules import email_auth, follow_links
from ventanilla.rules.state_machine import LABELS, Status
from ventanilla.services import intake_guard, mail_threads, routing
from ventanilla.settings import get_settings
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import notices as store
from ventanilla.storage import people as people_store
from ventanilla.storage import tickets as ticket_store

logger = Logger(service="notifier", child=True)

_PRIORITY = {
    "critical": {"es": "Crítica", "en": "Critical"},
    "high": {"es": "Alta", "en": "High"},
    "medium": {"es": "Media", "en": "Medium"},
    "low": {"es": "Baja", "en": "Low"},
}
_TEMPLATE_TTL = 30.0
_template_cache: dict[tuple[str, str, str], tuple[float, dict[str, str] | None]] = {}


class RetryLater(Exception):
    """At least one notice of the event failed transiently; the message must come back.

    ``result`` holds what the event did meanwhile (the notices that went out are counted once).
    """

    def __init__(self, message: str, result: Result | None = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class Recipient:
    id: str
    """``c:<citizen id>`` or ``s:<staff sub>``: opaque, safe in opt-out tokens and logs."""
    audience: Audience
    name: str
    lang: str
    prefs: Preferences
    contact: Contact
    owner_pk: str
    devices: tuple[dict[str, Any], ...] = ()


@dataclass
class Result:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry: list[str] = field(default_factory=list)
    by_channel: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(metric name, channel) -> count: what the notifier function reports to CloudWatch."""

    def count(self, metric: str, channel: str) -> None:
        self.by_channel[(metric, channel)] += 1


# ---- recipients --------------------------------------------------------------------------------


def _preferences(owner: str, channels: Iterable[str], language: str) -> Preferences:
    """The channels a person chose, less the ones they opted out of from a notice's link."""
    opted_out = frozenset(c for c in store.opted_out(owner) if c in ("email", "sms", "push"))
    return Preferences(channels=frozenset(channels), language=language, opted_out=opted_out)


def _citizen(ticket: Ticket, devices: tuple[dict[str, Any], ...]) -> Recipient:
    owner = store.citizen_owner(ticket.citizen_id)
    if is_account(ticket.citizen_id):
        # A citizen account's own devices (the portal signed in) follow every request it holds.
        devices = devices + tuple(store.devices(owner))
    r = ticket.requester
    return Recipient(
        id=f"c:{ticket.citizen_id}",
        audience=Audience.CITIZEN,
        name=r.name,
        lang=r.language,
        prefs=_preferences(owner, r.channels, r.language),
        contact=Contact(email=r.email, phone=r.phone, push=bool(devices)),
        owner_pk=owner,
        devices=devices,
    )


def _staff(sub: str) -> Recipient | None:
    profile = people_store.get_staff(sub)
    if profile is None:
        return None
    owner = store.staff_owner(sub)
    devices = tuple(store.devices(owner))
    return Recipient(
        id=f"s:{sub}",
        audience=Audience.STAFF,
        name=profile.name,
        lang=profile.language,  # set by the staff member (PUT /api/v1/agent/me/preferences)
        prefs=_preferences(owner, ("email", "push"), profile.language),
        contact=Contact(email=profile.email, push=bool(devices)),
        owner_pk=owner,
        devices=devices,
    )


def _staff_subs(spec: str, ticket: Ticket) -> list[str]:
    if spec == plan.ASSIGNEE:
        return [ticket.assignee] if ticket.assignee else _staff_subs(plan.TEAM, ticket)
    if spec == plan.TEAM:
        # Agents taking requests now: one who is away is not the one to act on an alert.
        return sorted({str(a["sub"]) for a in routing.available_agents(ticket.team)})
    if spec.startswith(plan.TIER_PREFIX):
        tier = spec.removeprefix(plan.TIER_PREFIX)
        return sorted({str(a["sub"]) for a in routing.available_agents(ticket.team, min_tier=tier)})
    if spec == plan.SUPERVISOR:
        subs = directory.group_members("supervisor")
        of_team = []
        for sub in subs:
            profile = people_store.get_staff(sub)
            if profile is not None and (not profile.teams or ticket.team in profile.teams):
                of_team.append(sub)
        return of_team or subs
    return [spec]


def recipients(
    notice: plan.Notice, ticket: Ticket, actor_id: str | None, devices: tuple[dict[str, Any], ...] = ()
) -> list[Recipient]:
    if notice.kind.audience is Audience.CITIZEN:
        return [_citizen(ticket, devices)]
    subs: list[str] = []
    for spec in notice.specs:
        subs += [s for s in _staff_subs(spec, ticket) if s not in subs]
    # Who did the thing needs no alert about it (except SLA alerts, which have no staff actor).
    found = [_staff(s) for s in subs if s != actor_id]
    return [r for r in found if r is not None]


# ---- context -----------------------------------------------------------------------------------


def _local_date(value: datetime) -> date:
    from ventanilla.services.due_dates import institution_calendar

    return value.astimezone(institution_calendar().zone).date()


def _local_dt(value: datetime) -> datetime:
    from ventanilla.services.due_dates import institution_calendar

    return value.astimezone(institution_calendar().zone)


def _legal_term(ticket: Ticket) -> dict[str, Any]:
    """A regulated request's receipt states the legal deadline and the law that sets it."""
    from ventanilla.services.due_dates import rule_of

    rule = rule_of(ticket.legal_kind)
    if rule is None or ticket.legal_due is None:
        return {}
    term: dict[str, Any] = {"legal_due_date": _local_date(ticket.legal_due), "legal_law": rule.law}
    if rule.article:
        term["legal_article"] = rule.article
    return term


def _service_alert(ticket: Ticket, lang: str) -> dict[str, Any]:
    """A request linked to an open service alert: its receipt says the outage is known (issue 16)."""
    if not ticket.service_alert:
        return {}
    from ventanilla.storage import service_alerts as alert_store

    alert = alert_store.get(ticket.service_alert)
    if alert is None:
        return {}
    title = alert.title.en if lang == "en" and alert.title.en else alert.title.es
    return {"service_alert_title": " ".join(title.split())[:200]}


def _team_name(code: str, lang: str) -> str:
    for team in catalog_store.list_teams():
        if team.code == code:
            return team.name.in_lang(lang)
    return code


OPT_OUT_PAGE = "/#/baja/"
ONE_CLICK_PATH = "/api/v1/notifications/opt-out/"


def opt_out_url(recipient: Recipient, channel: str) -> str:
    """The portal page a person opens from a notice: it says what stops and asks to confirm."""
    token = optout.make_token(secrets.notify_secret(), recipient.id, channel, int(time.time()))
    return f"{get_settings().public_base_url}{OPT_OUT_PAGE}{token}"


def one_click_url(page_url: str) -> str:
    """The same token at the API, for the List-Unsubscribe header: mail clients POST there
    themselves (RFC 8058) and cannot follow a page."""
    token = page_url.rsplit("/", 1)[-1]
    return f"{get_settings().public_base_url}{ONE_CLICK_PATH}{token}"


def issue_link(number: str, channel: str) -> str:
    """A one-time token for a notice's link to request ``number`` sent by ``channel`` (stored
    hashed, expiring): opening one sent by email proves the requester's address."""
    token = follow_links.new_token()
    ticket_store.put_link(number, follow_links.token_hash(token), utcnow() + follow_links.LINK_TTL, channel)
    return token


def _source(history: list[HistoryEvent], event_id: str) -> HistoryEvent | None:
    return next((e for e in history if e.event_id == event_id), None)


@dataclass(frozen=True)
class _Facts:
    """What a notice's fields are drawn from: the ticket, the event and the history entry it is about."""

    ticket: Ticket
    history: list[HistoryEvent]
    detail: dict[str, Any]
    source: HistoryEvent | None
    body: str | None
    """The source entry's text; a coalesced notice carries its window's messages instead."""
    lang: str
    channel: str
    sealed: str | None
    base: str

    def data(self, key: str) -> Any:
        """A value of the event, or of the history entry it is about."""
        return self.detail.get(key) or (self.source.data.get(key) if self.source else None)

    def last_staff_reply(self) -> str | None:
        return next(
            (
                e.body
                for e in reversed(self.history)
                if e.action == "message" and e.public and e.actor.kind == "staff" and e.body
            ),
            None,
        )


def _instant(value: Any, default: datetime) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else default


def _receipt(f: _Facts) -> dict[str, Any]:
    """The receipt: the access code (sealed for it at creation), the due date, a legal term, an alert."""
    fields: dict[str, Any] = {}
    code = sealing.open_sealed(secrets.notify_secret(), f.ticket.number, f.sealed) if f.sealed else None
    if code:
        fields["access_code"] = code  # in the body only: a link never carries the code
        fields["ticket_short_url"] = f"{f.base}/#/solicitud/{f.ticket.number}"  # the SMS shows the code
    fields["due_date"] = _local_date(f.ticket.expected_response_by)
    return fields | _legal_term(f.ticket) | _service_alert(f.ticket, f.lang)


def _assigned(f: _Facts) -> dict[str, Any]:
    return {"team_name": _team_name(f.ticket.team, f.lang)}


def _reply(f: _Facts) -> dict[str, Any]:
    return {"reply_text": f.body or "—"}


def _waiting(f: _Facts) -> dict[str, Any]:
    asked = f.body or f.last_staff_reply()
    default = (
        "Revise la última respuesta en la página de su solicitud."
        if f.lang != "en"
        else "See the latest reply on your request's page."
    )
    return {"requested_info": asked or default}


def _resolved(f: _Facts) -> dict[str, Any]:
    survey = f"{f.base}/#/solicitud/{f.ticket.number}/encuesta"
    # Its own one-time token: the citizen may open the answer first and the survey later.
    fields: dict[str, Any] = {
        "survey_url": f"{survey}?t={issue_link(f.ticket.number, f.channel)}" if f.channel != "sms" else survey
    }
    answer = f.body or f.last_staff_reply()
    if answer:
        fields["reply_text"] = answer  # the resolved notice carries the answer itself
    return fields


def _reopened(f: _Facts) -> dict[str, Any]:
    return {"due_date": _local_date(f.ticket.resolution_due)}


def _extended(f: _Facts) -> dict[str, Any]:
    new_due = _instant(f.data("legal_due"), f.ticket.legal_due or f.ticket.resolution_due)
    return {
        "extension_days": int(f.data("days") or 1),
        "extension_reason": f.body or "—",
        "new_due_date": _local_date(new_due),
    }


def _merged(f: _Facts) -> dict[str, Any]:
    return {"survivor_number": str(f.data("into") or f.ticket.merged_into)}


def _assigned_to_you(f: _Facts) -> dict[str, Any]:
    return {
        "priority": _PRIORITY[f.ticket.priority]["en" if f.lang == "en" else "es"],
        "due_at": _local_dt(f.ticket.next_due or f.ticket.expected_response_by),
    }


def _sla_alert(f: _Facts) -> dict[str, Any]:
    target = str(f.detail.get("target") or "resolution")
    return {
        "sla_target": "first_response" if target == "first_response" else "resolution",
        "due_at": _local_dt(_instant(f.detail.get("due"), f.ticket.resolution_due)),
    }


def _escalated(f: _Facts) -> dict[str, Any]:
    return {
        "to_tier": str(f.detail.get("tier") or f.ticket.tier),
        "escalation_reason": f.body or str(f.detail.get("cause") or "—"),
    }


_FIELDS_OF_KIND = {
    Kind.TICKET_RECEIVED: _receipt,
    Kind.TICKET_ASSIGNED: _assigned,
    Kind.PUBLIC_REPLY: _reply,
    Kind.CITIZEN_REPLIED: _reply,
    Kind.WAITING_FOR_CITIZEN: _waiting,
    Kind.TICKET_RESOLVED: _resolved,
    Kind.TICKET_REOPENED: _reopened,
    Kind.DEADLINE_EXTENDED: _extended,
    Kind.TICKET_MERGED: _merged,
    Kind.TICKET_ASSIGNED_TO_YOU: _assigned_to_you,
    Kind.SLA_WARNING: _sla_alert,
    Kind.SLA_BREACHED: _sla_alert,
    Kind.TICKET_ESCALATED: _escalated,
}
"""The fields each kind adds to the ones every notice has (notify/context.py lists what it needs)."""


def context_for(
    kind: Kind,
    ticket: Ticket,
    history: list[HistoryEvent],
    detail: dict[str, Any],
    recipient: Recipient,
    channel: str,
    sealed: str | None = None,
) -> dict[str, Any]:
    """The template variables of one notice to one recipient on one channel."""
    settings = get_settings()
    base = settings.public_base_url
    source = _source(history, str(detail.get("event_id")))
    # A coalesced notice carries its window's messages (computed by the notifier, never queued).
    body = detail.get("_text") or (source.body if source else None)
    staff = recipient.audience is Audience.STAFF
    ctx: dict[str, Any] = {
        "institution_name": settings.institution_name,
        "recipient_name": recipient.name,
        "ticket_number": ticket.number,
        "ticket_subject": ticket.subject,
        "ticket_url": f"{base}/#/agente/solicitud/{ticket.number}"
        if staff
        else f"{base}/#/solicitud/{ticket.number}",
        "opt_out_url": opt_out_url(recipient, channel),
        # Email intake on: answering the notice by mail reaches the request (its Reply-To).
        "reply_by_email": bool(settings.requests_address),
    }
    if not staff and channel != "sms":
        # Every citizen notice opens the request ready to act: a one-time token the page exchanges
        # for a short session (the SMS has no room for it; the access code stays a way in).
        ctx["ticket_url"] = f"{base}/#/solicitud/{ticket.number}?t={issue_link(ticket.number, channel)}"
    fields_of = _FIELDS_OF_KIND.get(kind)
    if fields_of is not None:
        ctx.update(
            fields_of(_Facts(ticket, history, detail, source, body, recipient.lang, channel, sealed, base))
        )
    if not staff and not intake_guard.contact_confirmed(history):
        _withhold_citizen_text(ctx, ticket, lang=recipient.lang)
    return ctx


def _withhold_citizen_text(ctx: dict[str, Any], ticket: Ticket, lang: str) -> None:
    """Until the address is confirmed, notices carry no text the filer wrote (name, subject): anyone
    can type someone else's address, and the institution's sender must not relay their words."""
    ctx["recipient_name"] = ""
    request_type = catalog_store.get_type(ticket.type_code)
    subtype = request_type.subtype(ticket.subtype_code) if request_type else None
    ctx["ticket_subject"] = subtype.name.in_lang(lang) if subtype else ticket.number


def overrides(kind: Kind, channel: str, lang: str) -> dict[str, str] | None:
    """The admin's edited parts for this template, cached briefly (templates change rarely)."""
    key = (kind.value, channel, lang)
    cached = _template_cache.get(key)
    if cached and time.monotonic() - cached[0] < _TEMPLATE_TTL:
        return cached[1]
    item = store.get_template(kind.value, channel, lang)
    parts = {str(k): str(v) for k, v in (item.get("parts") or {}).items()} if item else None
    _template_cache[key] = (time.monotonic(), parts or None)
    return parts or None


def forget_templates() -> None:
    _template_cache.clear()


# ---- delivery ----------------------------------------------------------------------------------


_HISTORY_CHANNEL = {
    "email": HistoryChannel.EMAIL,
    "sms": HistoryChannel.SMS,
    "push": HistoryChannel.PUSH,
    "webpush": HistoryChannel.PUSH,
}
WEBPUSH = "webpush"
"""The delivery channel of browser subscriptions: the person's ``push`` choice, sent with its own
claim and record beside the SNS ``push`` of native apps (one failing does not repeat the other)."""


def _template_channel(channel: str) -> str:
    """Web Push renders (and opts out) as push: one choice, one template, two transports."""
    return "push" if channel == WEBPUSH else channel


def _is_webpush(device: dict[str, Any]) -> bool:
    return device.get("platform") == WEBPUSH


def _send_webpush(recipient: Recipient, kind: Kind, url: str) -> tuple[str, str]:
    from ventanilla.integrations import webpush
    from ventanilla.notify import webpush as webpush_payload

    settings = get_settings()
    keys = secrets.vapid_keys()
    if keys is None:
        raise messaging.Permanent("push_not_configured")
    number = url.rsplit("/", 1)[-1].split("?", 1)[0]
    data = webpush_payload.payload(kind, recipient.lang, number, settings.institution_name, url)
    contact = settings.vapid_contact or f"mailto:{settings.email_sender}"
    ids: list[str] = []
    errors: list[messaging.SendError] = []
    for device in recipient.devices:
        if not _is_webpush(device):
            continue
        try:
            ids.append(webpush.send(dict(device["subscription"]), data, keys["private_key"], contact))
        except messaging.Permanent as error:
            if error.code in ("subscription_gone", "subscription_invalid"):
                # 404/410: the browser dropped it or the citizen revoked the permission.
                store.delete_device(str(device["owner_pk"]), str(device["device_id"]))
            errors.append(error)
        except messaging.Transient as error:
            errors.append(error)
    if ids:
        return ",".join(ids)[:512], f"{len(ids)} browser(s)"
    transient = [e for e in errors if isinstance(e, messaging.Transient)]
    if transient:
        raise transient[0]
    raise errors[0] if errors else messaging.Permanent("no_device")


def _record(
    ticket: Ticket,
    event_id: str,
    kind: Kind,
    recipient: Recipient,
    channel: str,
    outcome: str,
    to: str | None,
    **extra: Any,
) -> HistoryEvent:
    data: dict[str, Any] = {
        "kind": kind.value,
        "outcome": outcome,
        "recipient": "citizen" if recipient.audience is Audience.CITIZEN else recipient.id[2:],
        "source_event": event_id,
    }
    if to:
        data["to"] = to
    data.update({k: v for k, v in extra.items() if v is not None})
    return HistoryEvent(
        event_id=plan.record_id(event_id, recipient.id, channel, outcome),
        number=ticket.number,
        at=utcnow(),
        actor=Actor(kind="system"),
        channel=_HISTORY_CHANNEL[channel],
        action="notification",
        # The citizen sees "we wrote to you" (no address: the public view has no data); staff
        # alerts and failures are for agents only.
        public=recipient.audience is Audience.CITIZEN and outcome == "sent",
        data=data,
    )


def _send(
    channel: str,
    recipient: Recipient,
    message: RenderedMessage,
    unsubscribe: str,
    url: str,
    number: str = "",
    kind: Kind | None = None,
) -> tuple[str, str]:
    """Send one rendered notice; returns (message id, masked address)."""
    settings = get_settings()
    if channel == WEBPUSH:
        assert kind is not None
        return _send_webpush(recipient, kind, url)
    if channel == "email":
        to = str(recipient.contact.email)
        # The citizen's notices stay in the request's mail thread (email intake on).
        thread = (
            mail_threads.outgoing_headers(number) if number and recipient.audience is Audience.CITIZEN else {}
        )
        raw = messaging.build_email(
            settings.email_sender,
            settings.institution_name,
            to,
            str(message.subject),
            message.text,
            str(message.html),
            unsubscribe,
            thread,
        )
        sent_id = messaging.send_email(settings.email_sender, to, raw, settings.ses_configuration_set or None)
        if thread:
            mail_threads.sent(number, thread)
        return sent_id, plan.mask_email(to)
    if channel == "sms":
        phone = str(recipient.contact.phone)
        refused = intake_guard.sms_refusal(phone, message.text)
        if refused:
            raise messaging.Permanent(refused)
        return messaging.send_sms(phone, message.text, settings.sms_sender_id or None), plan.mask_phone(phone)
    ids = []
    errors: list[messaging.SendError] = []
    for device in recipient.devices:
        if _is_webpush(device):
            continue
        try:
            ids.append(
                messaging.send_push(str(device["endpoint_arn"]), str(message.title), message.text, url)
            )
        except messaging.Permanent as error:
            # A disabled or deleted endpoint (app uninstalled, token expired): clean it up.
            messaging.delete_endpoint(str(device["endpoint_arn"]))
            store.delete_device(str(device["owner_pk"]), str(device["device_id"]))
            errors.append(error)
        except messaging.Transient as error:
            errors.append(error)
    if ids:
        return ",".join(ids), f"{len(ids)} device(s)"
    transient = [e for e in errors if isinstance(e, messaging.Transient)]
    if transient:
        raise transient[0]
    raise errors[0] if errors else messaging.Permanent("no_device")


_DELIVERY_STATUS = {"sent": "sent", "suppressed": "suppressed", "failed": "failed", "failed_retries": "retry"}
"""The delivery item's status for each outcome: after its last attempt a transient failure is
recorded on the ticket, and the item stays claimable (``retry``) for a redrive."""


@dataclass
class Delivery:
    """The notices of one event (or one closed window) going out: for each recipient and channel,
    claim it, check the address may receive, render, send, and close it with its history entry.

    Every way a delivery ends goes through :meth:`_finish` (one transaction: the delivery item and
    the ticket's history entry) or :meth:`_retry` (released for the queue to bring back)."""

    ticket: Ticket
    history: list[HistoryEvent]
    detail: dict[str, Any]
    last_attempt: bool
    result: Result
    sealed: str | None = None
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def event_id(self) -> str:
        return str(self.detail["event_id"])

    def to(self, kind: Kind, recipient: Recipient) -> None:
        """Every channel the recipient wants for this kind; an opted-out choice is recorded once."""
        send, refused = _wanted_channels(kind, recipient)
        for channel in refused:
            record = _record(self.ticket, self.event_id, kind, recipient, channel, "opted_out", None)
            if store.record_once(self.event_id, recipient.id, channel, "opted_out", record):
                self.result.failed += 1
                self.result.count(obs.NOTIFICATIONS_BLOCKED, channel)
        for channel in send:
            self.send(kind, recipient, channel)

    def send(self, kind: Kind, recipient: Recipient, channel: str) -> None:
        if not self._claim(recipient, channel):
            return
        address = recipient.contact.email if channel == "email" else None  # SNS keeps SMS opt-outs
        if address and store.suppression(address):
            self._finish(
                kind, recipient, channel, "suppressed", obs.NOTIFICATIONS_BLOCKED, plan.mask_email(address)
            )
            return
        try:
            message_id, masked = self._render_and_send(kind, recipient, channel)
        except messaging.Permanent as error:
            self._finish(kind, recipient, channel, "failed", obs.NOTIFICATIONS_FAILED, error=error.code)
        except ValueError as error:  # the context or template cannot make this notice: not retryable
            code = getattr(error, "code", "render_failed")
            self._finish(kind, recipient, channel, "failed", obs.NOTIFICATIONS_FAILED, error=code)
        except Exception as error:
            self._retry(kind, recipient, channel, error)
        else:
            self._finish(
                kind, recipient, channel, "sent", obs.NOTIFICATIONS_SENT, masked, message_id=message_id
            )

    def _claim(self, recipient: Recipient, channel: str) -> bool:
        """Take this delivery; False when it was made already or another worker holds it."""
        if store.claim(self.event_id, recipient.id, channel, self.owner):
            return True
        current = store.delivery(self.event_id, recipient.id, channel) or {}
        if current.get("status") == "sending":
            self.result.retry.append(f"{channel}:in_flight")  # another worker holds it; look again later
        else:
            self.result.skipped += 1
            self.result.count(obs.NOTIFICATIONS_DUPLICATES, channel)
        return False

    def _render_and_send(self, kind: Kind, recipient: Recipient, channel: str) -> tuple[str, str]:
        template = _template_channel(channel)
        ctx = context_for(kind, self.ticket, self.history, self.detail, recipient, template, self.sealed)
        message = default_renderer().render(
            kind, template, recipient.lang, ctx, overrides(kind, template, recipient.lang)
        )
        url = str(ctx["ticket_url"])
        if channel == WEBPUSH:
            url = url.split("?", 1)[0]  # no one-time token through a vendor's push service
        unsubscribe = one_click_url(str(ctx["opt_out_url"]))
        return _send(channel, recipient, message, unsubscribe, url, self.ticket.number, kind)

    def _finish(
        self,
        kind: Kind,
        recipient: Recipient,
        channel: str,
        outcome: str,
        metric: str,
        to: str | None = None,
        *,
        error: str | None = None,
        message_id: str | None = None,
    ) -> None:
        """Close the delivery with its outcome and the ticket's history entry, and count it."""
        record = _record(
            self.ticket,
            self.event_id,
            kind,
            recipient,
            channel,
            outcome,
            to,
            error=error,
            message_id=message_id,
        )
        status = _DELIVERY_STATUS[outcome]
        extra: dict[str, Any] = {"last_error": error} if error else {}
        if message_id:
            extra.update(message_id=message_id, sent_at=iso(utcnow()))
        store.finish(self.event_id, recipient.id, channel, self.owner, status, record, **extra)
        if outcome == "sent":
            self.result.sent += 1
        elif outcome != "failed_retries":
            self.result.failed += 1
        self.result.count(metric, channel)

    def _retry(self, kind: Kind, recipient: Recipient, channel: str, error: Exception) -> None:
        """A transient failure: the queue brings the event back, unless this was its last attempt."""
        code = error.code if isinstance(error, messaging.SendError) else type(error).__name__
        if self.last_attempt:
            self._finish(kind, recipient, channel, "failed_retries", obs.NOTIFICATIONS_FAILED, error=code)
        else:
            store.release(self.event_id, recipient.id, channel, self.owner, code)
            self.result.count(obs.NOTIFICATIONS_RETRIED, channel)
        self.result.retry.append(f"{channel}:{code}")


def _wanted_channels(kind: Kind, recipient: Recipient) -> tuple[list[str], list[str]]:
    """(channels to send, chosen channels refused by an opt-out)."""
    send = [c.value for c in channels_for(kind, recipient.prefs, recipient.contact)]
    if "push" in send:
        # One choice, two transports: SNS for native apps' tokens, Web Push for browsers.
        at = send.index("push")
        kinds = [
            *(["push"] if any(not _is_webpush(d) for d in recipient.devices) else []),
            *([WEBPUSH] if any(_is_webpush(d) for d in recipient.devices) else []),
        ]
        send[at : at + 1] = kinds
    refused: list[str] = [
        c
        for c in ("email", "sms", "push")
        if c in recipient.prefs.channels and c in recipient.prefs.opted_out and c not in send
    ]
    return send, refused


def _forum(detail: dict[str, Any]) -> Result:
    """A forum notice (issue 15): its own templates and unsubscribe link (services.forum_mail)."""
    from ventanilla.services import forum_mail

    result = Result()
    try:
        outcome = forum_mail.deliver(detail)
    except forum_mail.RetryMail as error:
        result.count("retried", "email")
        raise RetryLater(str(error), result) from error
    result.sent = outcome.get("sent", 0) + outcome.get("pushed", 0)
    result.failed = outcome.get("failed", 0)
    for name, n in outcome.items():
        if name in ("sent", "failed") and n:
            result.count(name, "email")
    if outcome.get("pushed"):
        result.count("sent", WEBPUSH)
    return result


def handle(detail_type: str, detail: dict[str, Any], *, last_attempt: bool = False) -> Result:
    """Send every notice one domain event calls for; raises RetryLater on transient failures."""
    result = Result()
    if detail_type == plan.NOTICE_DUE:
        return _flush(detail, last_attempt=last_attempt)
    if detail_type == "ForumNoticeCreated":  # services.forum_mail.NOTICE_CREATED (imported lazily)
        return _forum(detail)
    notices = plan.notices_for(detail_type, detail)
    if not notices or not detail.get("number") or not detail.get("event_id"):
        return result
    held = [n for n in notices if n.kind in plan.COALESCED]
    if held and _hold(detail):
        notices = [n for n in notices if n not in held]
        if not notices:
            return result
    ticket, history, devices, sealed = store.ticket_partition(str(detail["number"]))
    if ticket is None:
        logger.warning("notice for an unknown ticket", extra={"detail_type": detail_type})
        return result
    if detail_type == "TicketCreated" and _unverified_sender(history):
        # A mail whose From SES could not verify: the intake sent its fixed-text note; the receipt
        # (the mail's subject, the access code, a link in) would relay a forger's words.
        notices = [n for n in notices if n.kind is not Kind.TICKET_RECEIVED]
        if not notices:
            return result
    if detail_type == "TicketStatusChanged" and detail.get("status") == Status.IN_PROGRESS.value:
        # A public reply moved it: the reply notice already tells the citizen.
        at = str(detail.get("at"))
        if any(
            iso(e.at) == at or e.at.isoformat() == at
            for e in history
            if e.action == "message" and e.public and e.actor.kind == "staff"
        ):
            return result
    delivery = Delivery(ticket, history, detail, last_attempt, result, sealed)
    for notice in notices:
        for recipient in recipients(notice, ticket, detail.get("actor_id"), tuple(devices)):
            delivery.to(notice.kind, recipient)
    logger.info(
        "notices",
        extra={
            "sent": result.sent,
            "skipped": result.skipped,
            "failed": result.failed,
            "retry": len(result.retry),
        },
    )
    if result.retry:
        raise RetryLater(", ".join(result.retry), result)
    return result


def _unverified_sender(history: list[HistoryEvent]) -> bool:
    return any(e.action == "created" and e.data.get(email_auth.FLAG) for e in history)


# ---- coalescing: one citizen notice per window ------------------------------------------------


def _hold(detail: dict[str, Any]) -> bool:
    """Put the event in its request's notice window (opening one, with its delayed flush, when
    none is open). False when coalescing is off: the notice goes at once."""
    settings = get_settings()
    window = settings.notify_coalesce_seconds
    if window <= 0 or not settings.notifications_queue_url:
        return False
    number, event_id = str(detail["number"]), str(detail["event_id"])
    since = str(detail.get("at") or iso(utcnow()))
    pending = store.hold(number, event_id, since, window)
    if pending.get("event_id") == event_id:
        # This event opened the window (or is a redelivery of the one that did): the flush is
        # (re)sent; a duplicate flush sends nothing twice (the delivery claim is per window).
        queues.send_delayed(
            settings.notifications_queue_url,
            {
                "detail-type": plan.NOTICE_DUE,
                "source": "ventanilla.notifier",
                "detail": {"number": number, "window": event_id, "since": str(pending.get("since") or since)},
            },
            window,
        )
    return True


def _flush(detail: dict[str, Any], *, last_attempt: bool) -> Result:
    """The window closes: one notice for what staff did in it, with the messages it holds."""
    result = Result()
    number, window = str(detail.get("number") or ""), str(detail.get("window") or "")
    if not number or not window:
        return result
    store.close_window(number, window)  # events from now on open the next window
    ticket, history, devices, _sealed = store.ticket_partition(number)
    if ticket is None:
        return result
    try:
        since = datetime.fromisoformat(str(detail.get("since")).replace("Z", "+00:00"))
    except ValueError:
        return result
    kind, text = plan.coalesced(ticket.status.value, history, since)
    if kind is None:
        return result
    flushed = {"number": number, "event_id": f"window-{window}", "_text": text}
    Delivery(ticket, history, flushed, last_attempt, result).to(kind, _citizen(ticket, tuple(devices)))
    logger.info(
        "coalesced notice", extra={"kind": kind.value, "sent": result.sent, "retry": len(result.retry)}
    )
    if result.retry:
        raise RetryLater(", ".join(result.retry), result)
    return result


__all__ = ["LABELS", "Recipient", "Result", "RetryLater", "handle"]
