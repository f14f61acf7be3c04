"""Citizen accounts (F1): one record per person, requests attached only through verified contacts,
the consent ledger, and the rights to see, export and erase (Ley 19.628 and its reform, Ley 1581,
LFPDPPP, GDPR-style).

Matching rule: a request joins an account only when (a) it was filed while signed in, (b) a channel
received it from a contact the account verified (:func:`attach_by_verified_contact`, for the email
and SMS intake), or (c) an agent linked it after checking identity. What an anonymous filing typed
is never verified, so it never reaches an account.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ventanilla import clock
from ventanilla.auth import CitizenPrincipal, Principal
from ventanilla.errors import Conflict, FieldError, Forbidden, NotFound, TooManyRequests, ValidationFailed
from ventanilla.i18n import Lang
from ventanilla.integrations import secrets
from ventanilla.models.accounts import (
    PURPOSES,
    AccountLinkIn,
    CitizenAccount,
    ConsentEntry,
    ConsentIn,
    ConsentState,
    ErasureOut,
    MeIn,
    MeOut,
    MyTicket,
    MyTickets,
    RequesterPanel,
    RequesterRequest,
    VerifiedContact,
    is_account,
)
from ventanilla.models.common import utcnow
from ventanilla.models.ticket import Actor, CitizenSession, HistoryEvent, Ticket
from ventanilla.notify.contacts import normalize_email
from ventanilla.rules import follow_links
from ventanilla.rules.numbering import is_number
from ventanilla.rules.rate_limit import Limit, decide
from ventanilla.rules.state_machine import LABELS, Status
from ventanilla.services.staff_reads import record_staff_read
from ventanilla.settings import get_settings
from ventanilla.storage import accounts as store
from ventanilla.storage import limits
from ventanilla.storage import people as people_store
from ventanilla.storage import tickets as ticket_store

ERASED = "[suprimido]"
"""What replaces a name or free text that identified the person (kept in Spanish: it is data)."""
MAX_PANEL = 50


# ---- the account ------------------------------------------------------------------------------


def account_for(citizen: CitizenPrincipal) -> CitizenAccount:
    """The citizen's record, created at the first call; the token's verified contacts are indexed
    for matching (a contact another account verified first stays unindexed)."""
    if store.erasure(citizen.citizen_id) is not None:
        raise NotFound("account_erased")
    now = utcnow()
    account = store.get_account(citizen.citizen_id)
    if account is None:
        fresh = CitizenAccount(
            citizen_id=citizen.citizen_id,
            sub=citizen.sub,
            name=citizen.name,
            created_at=now,
            updated_at=now,
        )
        store.create_account(fresh)
        account = store.get_account(citizen.citizen_id) or fresh
        store.add_consent(account.citizen_id, ConsentEntry(purpose="privacy_notice", given=True, at=now))
        store.add_consent(account.citizen_id, ConsentEntry(purpose="handle_requests", given=True, at=now))
        # Email notices are the account's default channel, given at sign-up like on the filing form.
        store.add_consent(account.citizen_id, ConsentEntry(purpose="notices_email", given=True, at=now))
    token_contacts = []
    if citizen.email and citizen.email_verified:
        token_contacts.append(("email", citizen.email))
    if citizen.phone and citizen.phone_verified:
        token_contacts.append(("phone", citizen.phone))
    known = {(c.kind, c.value) for c in account.contacts}
    added = [
        VerifiedContact(kind=kind, value=value, verified_at=now)
        for kind, value in token_contacts
        if (kind, value) not in known and store.claim_contact(kind, value, account.citizen_id)
    ]
    if added:
        updated = account.model_copy(
            update={
                "contacts": [*account.contacts, *added],
                "updated_at": now,
                "version": account.version + 1,
            }
        )
        store.save_account(updated, account.version)
        account = updated
    return account


def _consent_states(citizen_id: str) -> list[ConsentState]:
    latest: dict[str, ConsentEntry] = {}
    for entry in store.consents(citizen_id):
        latest[entry.purpose] = entry
    return [
        ConsentState(purpose=p, given=latest[p].given, at=latest[p].at, text_version=latest[p].text_version)
        if p in latest
        else ConsentState(purpose=p, given=False)
        for p in PURPOSES
    ]


def me(citizen: CitizenPrincipal) -> MeOut:
    account = account_for(citizen)
    verified = {c.value for c in account.contacts}
    unverified = [v for v in (citizen.email, citizen.phone) if v and v not in verified]
    return MeOut(
        citizen_id=account.citizen_id,
        name=account.name,
        language=account.language,
        contacts=account.contacts,
        unverified=unverified,
        notice_channels=account.notice_channels,
        segment=account.segment,
        consents=_consent_states(account.citizen_id),
        version=account.version,
        created_at=account.created_at,
    )


def update_me(citizen: CitizenPrincipal, body: MeIn) -> MeOut:
    account = account_for(citizen)
    if body.version is not None and body.version != account.version:
        raise Conflict("stale_version", {"expected": body.version, "actual": account.version})
    errors = []
    kinds = {"email": "email", "sms": "phone"}
    for channel in body.notice_channels:
        kind = kinds.get(channel)
        if kind and not account.verified(kind):  # type: ignore[arg-type]
            errors.append(FieldError("notice_channels", "channel_needs_contact", {"channel": channel}))
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    updated = account.model_copy(
        update={
            "name": body.name,
            "language": body.language,
            "notice_channels": sorted(set(body.notice_channels)),
            "segment": body.segment,
            "updated_at": utcnow(),
            "version": account.version + 1,
        }
    )
    store.save_account(updated, account.version)
    return me(citizen)


# ---- consents -----------------------------------------------------------------------------------

_NOTICE_PURPOSES = {"notices_email": "email", "notices_sms": "sms"}


def set_consent(citizen: CitizenPrincipal, body: ConsentIn, channel: str = "web") -> MeOut:
    """Give or withdraw one consent: a new line of the ledger. Withdrawing a notices purpose stops
    that channel for every request of the account, whatever channel filed it (the notifier reads
    the account's opt-outs); giving it again lifts that."""
    account = account_for(citizen)
    if body.purpose in ("privacy_notice", "handle_requests") and not body.given:
        # Handling requests rests on this consent: withdrawing it is erasing the account.
        raise ValidationFailed("validation_failed", errors=[FieldError("given", "consent_needs_erasure")])
    now = utcnow()
    if body.purpose == "campaigns" and account.no_campaigns == body.given:
        # On the account item, which the fan-out reads with the segment: it sends no campaign.
        changed = {"no_campaigns": not body.given, "updated_at": now, "version": account.version + 1}
        store.save_account(account.model_copy(update=changed), account.version)
    store.add_consent(
        account.citizen_id,
        ConsentEntry(
            purpose=body.purpose, given=body.given, at=now, channel=channel, text_version=body.text_version
        ),
    )
    notice_channel = _NOTICE_PURPOSES.get(body.purpose)
    if notice_channel:
        from ventanilla.storage import notices

        owner = notices.citizen_owner(account.citizen_id)
        if body.given:
            notices.remove_opt_out(owner, {notice_channel})
        else:
            notices.add_opt_out(owner, {notice_channel}, now.isoformat())
    return me(citizen)


# ---- requests -----------------------------------------------------------------------------------


def ticket_session(citizen: CitizenPrincipal, number: str) -> CitizenSession:
    """A short session on one of the account's own requests, the kind a notice's link opens: signed
    in, the citizen follows, answers and rates it without its access code. Another's request, or
    none, is the same 404 as a wrong code."""
    account = account_for(citizen)
    ticket = ticket_store.get_ticket(number) if is_number(number) else None
    if ticket is None or ticket.citizen_id != account.citizen_id:
        raise NotFound("ticket_not_found")
    expires = utcnow() + follow_links.SESSION_TTL
    session = follow_links.make_session(secrets.notify_secret(), number, expires)
    return CitizenSession(number=number, session=session, expires_at=expires)


def my_tickets(citizen: CitizenPrincipal, cursor: str | None, limit: int, lang: Lang) -> MyTickets:
    """Every request of the account, newest first: one Query of the citizen's requests."""
    account = account_for(citizen)
    items, next_cursor = ticket_store.citizen_page(account.citizen_id, cursor, limit)
    return MyTickets(
        items=[
            MyTicket(
                number=t.number,
                subject=t.subject,
                type_code=t.type_code,
                subtype_code=t.subtype_code,
                channel=t.channel.value,
                status=t.status,
                status_label=LABELS[t.status][lang],
                created_at=t.created_at,
                updated_at=t.updated_at,
            )
            for t in items
        ],
        next_cursor=next_cursor,
    )


def _all_tickets(citizen_id: str) -> list[Ticket]:
    return ticket_store.all_by_citizen(citizen_id)


def _move(ticket: Ticket, citizen_id: str, actor: Actor, **data: Any) -> None:
    from ventanilla.services.tickets import move_to_account

    move_to_account(ticket, citizen_id, actor, **data)


def attach_by_verified_contact(number: str, kind: str, value: str) -> str | None:
    """For the email and SMS intake: attach request ``number`` to the account that verified
    ``value`` (an email address or an E.164 phone), when it is the request's own contact.

    Returns the account's citizen id, or None when no account verified that contact (nothing is
    written). Call it after the channel has received the request from that address or number."""
    if kind not in ("email", "phone"):
        raise ValueError("kind is email or phone")
    value = value.strip().lower() if kind == "email" else value.strip()
    owner = store.owner_of(kind, value)
    if owner is None:
        return None
    ticket = ticket_store.get_ticket(number)
    if ticket is None:
        raise NotFound("ticket_not_found")
    own = ticket.requester.email if kind == "email" else ticket.requester.phone
    if (own or "").strip().lower() != value.lower():
        return None  # the contact is not this request's: never attach on someone else's word
    if ticket.citizen_id != owner:
        _move(ticket, owner, Actor(kind="system"), via=kind)
    return owner


def attach_signed_in(number: str, citizen: CitizenPrincipal) -> None:
    """A request filed on the web while signed in belongs to the account (create_ticket calls it)."""
    account = account_for(citizen)
    ticket = ticket_store.get_ticket(number)
    if ticket is not None and ticket.citizen_id != account.citizen_id:
        _move(ticket, account.citizen_id, Actor(kind="citizen", id=account.citizen_id), via="account")


# ---- rate limits of export and erasure ------------------------------------------------------------


def _take(scope: str, citizen_id: str, per_day: int) -> None:
    import hashlib

    key = hashlib.sha256(citizen_id.encode()).hexdigest()
    limit = Limit(per_day, 86400)
    now = clock.now().timestamp()
    seen = limits.read(scope, key)
    decision = decide(seen, now, limit)
    if not decision.allowed:
        from ventanilla.services.intake_guard import _retry

        raise TooManyRequests("too_many_account_requests", _retry(decision.retry_after))
    limits.write(scope, key, seen, decision.tat, int(decision.tat + limit.seconds) + 60)


# ---- export ---------------------------------------------------------------------------------------


def export(citizen: CitizenPrincipal, lang: Lang) -> dict[str, Any]:
    """Everything held about the citizen, machine-readable: the record, the consent ledger, every
    request with its public timeline, and who on staff read their data."""
    account = account_for(citizen)
    _take("export", account.citizen_id, get_settings().account_exports_per_day)
    from ventanilla.services.tickets import public_view

    requests = []
    for ticket in _all_tickets(account.citizen_id):
        full, history = ticket_store.get_with_history(ticket.number)
        if full is None:
            continue
        view = public_view(full, history, lang).model_dump(mode="json", exclude={"notices"})
        view["requester"] = full.requester.model_dump(mode="json")
        view["description"] = full.description
        view["form"] = full.form
        view["channel"] = full.channel.value
        requests.append(view)
    return {
        "format": "ventanilla-citizen-export/1",
        "exported_at": utcnow().isoformat(),
        "account": account.model_dump(mode="json", exclude={"version"}),
        "consents": [c.model_dump(mode="json") for c in store.consents(account.citizen_id)],
        "requests": requests,
        "staff_reads": [r.model_dump(mode="json") for r in store.staff_reads(account.citizen_id)],
    }


# ---- erasure ---------------------------------------------------------------------------------------

_PERSONAL_DATA_KEYS = frozenset(
    {"to", "address", "masked", "email", "phone", "name", "comment", "reply_text", "text", "requested_info"}
)


def anonymise_ticket(ticket: Ticket, history: list[HistoryEvent], why: str) -> None:
    """Replace the requester's identity and every free text of the request (subject, description,
    form, message bodies, survey comment) and drop its devices and receipt; what statistics count
    (type, team, channel, dates, statuses, scores) stays, so aggregates do not move."""
    if ticket.data_erased_at is not None:
        return
    now = utcnow()
    requester = ticket.requester.model_copy(
        update={"name": ERASED, "email": None, "phone": None, "organisation": None}
    )
    updated = ticket.model_copy(
        update={
            "subject": ERASED,
            "description": ERASED,
            "form": {},
            "requester": requester,
            "csat_comment": None,
            "data_erased_at": now,
            "data_erased_why": why,
            "version": ticket.version + 1,
        }
    )
    ticket_store.save_change(ticket.version, updated, [])
    ticket_store.redact_history(ticket.number, history, ERASED, _PERSONAL_DATA_KEYS)
    ticket_store.delete_ticket_extras(ticket.number, history)


def _erase_tickets(tickets: list[Ticket], why: str) -> list[str]:
    done = []
    for ticket in tickets:
        for _ in range(3):
            full, history = ticket_store.get_with_history(ticket.number)
            if full is None:
                break
            try:
                anonymise_ticket(full, history, why)
                done.append(ticket.number)
                break
            except Conflict:
                continue  # an agent changed it meanwhile: read it again
    return done


KEPT = {
    "es": [
        {
            "what": "número, tipo, equipo, canal, fechas, estados y notas de satisfacción de las solicitudes",
            "why": "estadísticas y el deber legal de la institución de llevar registro de las solicitudes "
            "(archivos, transparencia; Ley 20.285 / Ley 1712): se conservan anonimizados, sin nombre, "
            "contacto ni texto",
        },
        {
            "what": "la fecha de esta eliminación y los números de las solicitudes anonimizadas",
            "why": "prueba de que la eliminación se hizo, y para que repetirla responda lo mismo",
        },
    ],
    "en": [
        {
            "what": "request numbers, types, teams, channels, dates, statuses and satisfaction scores",
            "why": "statistics and the institution's legal duty to keep a record of requests (archives, "
            "transparency; Ley 20.285 / Ley 1712): kept anonymised, with no name, contact or text",
        },
        {
            "what": "the date of this erasure and the numbers of the anonymised requests",
            "why": "proof that the erasure was done, and so that repeating it answers the same",
        },
    ],
}
DELETED = {
    "es": [
        "cuenta (inicio de sesión)",
        "nombre, correos y teléfonos",
        "preferencias de avisos y dispositivos",
        "suscripciones a avisos y campañas hechas con la cuenta, y sus navegadores",
        "registro de consentimientos",
        "datos de segmento",
        "asuntos, descripciones, formularios y mensajes de las solicitudes",
        "registro de consultas del personal",
    ],
    "en": [
        "account (sign-in)",
        "name, emails and phones",
        "notice preferences and devices",
        "alert and campaign subscriptions made with the account, and their browsers",
        "consent ledger",
        "segment data",
        "subjects, descriptions, forms and messages of the requests",
        "record of staff reads",
    ],
}


def erase(citizen: CitizenPrincipal, lang: Lang = "es") -> ErasureOut:
    """Erase the citizen everywhere; idempotent (a repeated call answers what the first did)."""
    done = store.erasure(citizen.citizen_id)
    if done is not None:
        return _erasure_out(done, lang)
    account = account_for(citizen)
    _take("erase", account.citizen_id, get_settings().account_erasures_per_day)
    tickets = _all_tickets(account.citizen_id)
    # Requests filed anonymously that named a contact this account verified are this person's data too.
    pseudo_ids: list[str] = []
    for contact in account.contacts:
        value = contact.value.lower() if contact.kind == "email" else contact.value
        pid = people_store.find_citizen_id(people_store.contact_hash(contact.kind, value))
        if pid:
            pseudo_ids.append(pid)
            tickets += [t for t in _all_tickets(pid) if t.number not in {x.number for x in tickets}]
    numbers = _erase_tickets(tickets, "erasure")
    for pid in pseudo_ids:
        _forget_devices(pid)
        people_store.delete_citizen(pid)
    _forget_devices(account.citizen_id)
    from ventanilla.storage import subscriptions as sub_store

    for sub_id in sub_store.account_subscription_ids(account.citizen_id):
        sub_store.delete_subscription(sub_id)  # its browsers, contacts and audience items
    for contact in account.contacts:
        store.release_contact(contact.kind, contact.value, account.citizen_id)
        value = contact.value.lower() if contact.kind == "email" else contact.value
        people_store.delete_contact(people_store.contact_hash(contact.kind, value))
    # The partition: account, ledger, notice preferences, devices (Web Push and phones), the "types
    # filed" items of campaign segments. Twice: the stream may write a FILED# item until the account
    # item is gone (citizen_facts.note_filed checks it), never after.
    for _sweep in range(2):
        page: dict[str, Any] | None = None
        while True:
            keys, page = store.citizen_partition_keys(account.citizen_id, page)
            store.delete_keys(keys)
            if not page:
                break
    record = {"erased_at": utcnow().isoformat(), "requests_anonymised": sorted(numbers)}
    store.put_erasure(account.citizen_id, record)
    from ventanilla.integrations import directory

    directory.delete_citizen_user(citizen.sub)
    return _erasure_out(record, lang)


def _forget_devices(citizen_id: str) -> None:
    """The phones' push endpoints in SNS (their items go with the partition); Web Push has none."""
    from ventanilla.integrations import messaging
    from ventanilla.storage import notices as notice_store

    for device in notice_store.devices(notice_store.citizen_owner(citizen_id), limit=100):
        if device.get("platform") != "webpush" and device.get("endpoint_arn"):
            messaging.delete_endpoint(str(device["endpoint_arn"]))


def _erasure_out(record: dict[str, Any], lang: Lang) -> ErasureOut:
    return ErasureOut(
        erased_at=datetime.fromisoformat(str(record["erased_at"])),
        requests_anonymised=list(record.get("requests_anonymised") or []),
        deleted=DELETED[lang],
        kept=KEPT[lang],
    )


# ---- staff side ----------------------------------------------------------------------------------


def requester_panel(principal: Principal, number: str) -> RequesterPanel:
    """The requester of ``number`` as the agent may see them: contacts, and their other requests in
    the agent's teams (supervisors and admins: all); the read is audited."""
    from ventanilla.services.tickets import _staff_ticket

    ticket, _ = _staff_ticket(principal, number)
    account = store.get_account(ticket.citizen_id) if is_account(ticket.citizen_id) else None
    if account is not None:
        contacts: list[dict[str, str | bool]] = [
            {"kind": c.kind, "value": c.value, "verified": True} for c in account.contacts
        ]
        name = account.name or ticket.requester.name
    else:
        r = ticket.requester
        contacts = [
            {"kind": k, "value": v, "verified": False}
            for k, v in (("email", r.email), ("phone", r.phone))
            if v
        ]
        name = r.name
    others = [t for t in ticket_store.by_citizen(ticket.citizen_id, MAX_PANEL) if t.number != number]
    visible = [t for t in others if principal.in_team(t.team)]
    record_staff_read(principal, ticket.citizen_id, "requester_panel", number)
    return RequesterPanel(
        citizen_id=ticket.citizen_id,
        has_account=account is not None,
        name=name,
        contacts=contacts,
        other_requests=[
            RequesterRequest(
                number=t.number,
                subject=t.subject,
                status=t.status,
                team=t.team,
                channel=t.channel.value,
                created_at=t.created_at,
            )
            for t in visible
        ],
        hidden_requests=len(others) - len(visible),
    )


def link_to_account(principal: Principal, number: str, body: AccountLinkIn) -> RequesterPanel:
    """Link a request an agent entered (phone, counter, letter) to the account whose verified
    email the person gave, after the agent checked their identity."""
    from ventanilla.services.tickets import _staff_ticket

    ticket, _ = _staff_ticket(principal, number)
    if ticket.created_by is None:
        raise Forbidden("link_staff_entered_only")
    try:
        email = normalize_email(body.email).lower()
    except ValueError as error:
        raise ValidationFailed("validation_failed", errors=[FieldError("email", "invalid_email")]) from error
    owner = store.owner_of("email", email)
    if owner is None:
        raise ValidationFailed("validation_failed", errors=[FieldError("email", "no_verified_account")])
    if ticket.citizen_id != owner:
        actor = Actor(kind="staff", id=principal.sub, name=principal.name or principal.username)
        _move(ticket, owner, actor, via="staff", identity_checked=True)
    return requester_panel(principal, number)


# ---- retention --------------------------------------------------------------------------------------


def anonymise_due(now: datetime | None = None, days_back: int = 7) -> list[str]:
    """The retention job: anonymise closed requests whose retention period ended. Reads the
    ``RETENTION#<day>`` markers of the last ``days_back`` days (written when a request closes), so
    a missed run catches up; a request reopened since is left alone (its next closing marks it)."""
    from datetime import timedelta

    now = now or utcnow()
    done = []
    for back in range(days_back, -1, -1):
        day = (now - timedelta(days=back)).date().isoformat()
        for marker in ticket_store.retention_markers(day):
            number = str(marker["number"])
            full, history = ticket_store.get_with_history(number)
            if is_number(number) and full is not None and full.closed_at and full.data_erased_at is None:
                due = ticket_store.retention_day(
                    full.closed_at, get_settings().retention_years_of(full.type_code)
                )
                if full.status != Status.CLOSED:
                    pass  # reopened: its next closing writes a new marker
                elif due > now.date().isoformat():
                    ticket_store.put_retention_marker(due, number)  # the period was lengthened
                else:
                    try:
                        anonymise_ticket(full, history, "retention")
                        done.append(number)
                    except Conflict:
                        continue  # changed meanwhile: the marker stays for the next run
            ticket_store.delete_retention_marker(day, number)
    return done


def new_id() -> str:
    return uuid.uuid4().hex


def check_own_contacts(citizen: CitizenPrincipal, body: Any) -> None:
    """Signed in, a citizen files with their own verified email (or none): a typed address is
    not verified and would attach nothing."""
    account = account_for(citizen)
    email = (body.requester.email or "").strip().lower()
    if email and email not in account.verified("email"):
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("requester.email", "not_your_verified_email")]
        )
