"""The request lifecycle: citizens file and follow requests, staff work them (B1, B3, B5, B6)."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ventanilla.auth import AGENT_ROLES, ALL_TEAMS_ROLES, Principal
from ventanilla.errors import Conflict, FieldError, Forbidden, Gone, NotFound, ValidationFailed
from ventanilla.i18n import Lang
from ventanilla.integrations import secrets
from ventanilla.models.catalog import ResponseTargets
from ventanilla.models.common import Channel, utcnow
from ventanilla.models.people import Citizen, NoticeChannel, Requester
from ventanilla.models.ticket import (
    Action,
    Actor,
    AssignIn,
    CitizenSession,
    CreateTicketIn,
    HistoryEvent,
    MessageIn,
    NoticeChoices,
    Pause,
    PublicFormAnswer,
    PublicTicket,
    SessionIn,
    StaffMessageIn,
    StaffReplyIn,
    StaffTicket,
    StatusIn,
    Ticket,
    TicketAlertNotice,
    TicketCreated,
    TicketMergedInto,
    TimelineEntry,
)
from ventanilla.notify.contacts import example_phone, normalize_email, normalize_phone
from ventanilla.rules import access_codes, follow_links
from ventanilla.rules.forms import check_form
from ventanilla.rules.numbering import format_number, is_number
from ventanilla.rules.priority import priority_of
from ventanilla.rules.reassignment import check_reassign
from ventanilla.rules.state_machine import (
    CLOCK_PAUSED,
    LABELS,
    Status,
    after_citizen_reply,
    check_move,
)
from ventanilla.services import intake_guard
from ventanilla.services.due_dates import apply_sla, legal_kind_of, sla_config
from ventanilla.services.staff_reads import record_staff_read
from ventanilla.settings import get_settings
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import people as people_store
from ventanilla.storage import tickets as store

STAFF_ROLES_WORKING = tuple(sorted(AGENT_ROLES | ALL_TEAMS_ROLES))
MAX_NUMBER_ATTEMPTS = 40
_NUMBERING = threading.Lock()
"""Numbers are gap-free: a create reads the counter and moves it in the ticket's own transaction,
which fails if another create moved it first (then it reads again). Threads of one process (the
local server, a worker with a thread pool) take turns between the read and the write instead of
failing one another; a Lambda container serves one request at a time, so there it costs nothing and
containers still race, safely, through the transaction's condition."""


def new_event(
    number: str,
    actor: Actor,
    action: Action,
    *,
    public: bool,
    channel: Channel = Channel.WEB,
    body: str | None = None,
    at: datetime | None = None,
    **data: Any,
) -> HistoryEvent:
    return HistoryEvent(
        event_id=uuid.uuid4().hex[:16],
        number=number,
        at=at or utcnow(),
        actor=actor,
        channel=channel,
        action=action,
        public=public,
        body=body,
        data=data,
    )


# ---- citizens ---------------------------------------------------------------------------------


def _requester(body: CreateTicketIn) -> tuple[Requester, list[FieldError]]:
    r = body.requester
    errors: list[FieldError] = []
    email = phone = None
    if r.email:
        try:
            email = normalize_email(r.email)
        except ValueError:
            errors.append(FieldError("requester.email", "invalid_email"))
    if r.phone:
        try:
            phone = normalize_phone(r.phone)
        except ValueError:
            errors.append(FieldError("requester.phone", "invalid_phone", {"example": example_phone()}))
    if not r.email and not r.phone:
        errors.append(FieldError("requester.email", "contact_required"))
    if "email" in r.channels and not r.email:
        errors.append(FieldError("requester.channels", "channel_needs_contact", {"channel": "email"}))
    if "sms" in r.channels and not r.phone:
        errors.append(FieldError("requester.channels", "channel_needs_contact", {"channel": "SMS"}))
    if not r.consent:
        errors.append(FieldError("requester.consent", "consent_required"))
    requester = Requester(
        name=r.name,
        email=email,
        phone=phone,
        language=r.language,
        channels=sorted(set(r.channels)),
        kind=r.kind,
        organisation=r.organisation,
    )
    return requester, errors


def _receipt(number: str, code: str) -> dict[str, Any]:
    """The access code sealed for the receipt notice (only its hash stays on the ticket)."""
    from ventanilla.notify import sealing
    from ventanilla.storage import notices

    return notices.receipt_item(number, sealing.seal(secrets.notify_secret(), number, code))


def _filer_errors(body: CreateTicketIn, by: Principal | None, api_client: str | None) -> list[FieldError]:
    """A citizen files on the web for themselves; another channel or an internal requester is staff's;
    an API client (an Open311 key) files on the ``api`` channel for external requesters."""
    if api_client is not None:
        errors = []
        if body.channel != Channel.API:
            errors.append(FieldError("channel", "staff_only", {"value": body.channel.value}))
        if body.requester.kind != "external":
            errors.append(FieldError("requester.kind", "staff_only", {"value": body.requester.kind}))
        return errors
    if by is not None:
        by.require(*STAFF_ROLES_WORKING)
        return []
    errors = []
    if body.channel != Channel.WEB:
        errors.append(FieldError("channel", "staff_only", {"value": body.channel.value}))
    if body.requester.kind != "external":
        errors.append(FieldError("requester.kind", "staff_only", {"value": body.requester.kind}))
    return errors


def create_ticket(
    body: CreateTicketIn,
    now: datetime | None = None,
    by: Principal | None = None,
    api_client: str | None = None,
    media_url: str | None = None,
    received_at: datetime | None = None,
    system: Actor | None = None,
    created_data: dict[str, Any] | None = None,
) -> TicketCreated:
    """Validate everything first, then write the ticket, its number and history in one transaction.
    ``by`` is the staff member filing for the requester (None: the requester on the web);
    ``api_client`` the API key's id when an integration (Open311) files it; ``received_at`` an
    earlier arrival (a letter's stamp) every term runs from; ``system`` a system (monitoring) filing
    for itself; ``created_data`` more data of the ``created`` event (the email intake's raw mail)."""
    now = now or utcnow()
    born = received_at if received_at is not None and received_at < now else now
    errors = [] if system is not None else _filer_errors(body, by, api_client)
    rtype = catalog_store.get_type(body.type)
    subtype = rtype.subtype(body.subtype) if rtype else None
    if rtype is None:
        errors.append(FieldError("type", "unknown_type"))
    elif subtype is None:
        errors.append(FieldError("subtype", "unknown_subtype"))
    elif body.requester.kind not in rtype.audiences:
        errors.append(FieldError("requester.kind", "literal_error", {"expected": ", ".join(rtype.audiences)}))
    form: dict[str, Any] = {}
    if subtype is not None:
        form, form_errors = check_form(subtype.fields, body.form)
        errors += form_errors
    requester, requester_errors = _requester(body)
    errors += requester_errors
    if errors or rtype is None or subtype is None:
        raise ValidationFailed("validation_failed", errors=errors)

    # One citizen per mailbox: addresses are compared case-insensitively, the local part included.
    contacts = [people_store.contact_hash("email", requester.email.lower())] if requester.email else []
    if requester.phone:
        contacts.append(people_store.contact_hash("phone", requester.phone))
    code = access_codes.new_code()
    code_key = secrets.access_code_key()
    priority = priority_of(subtype.impact, subtype.urgency)
    legal_kind = legal_kind_of(subtype.legal_kind)
    from ventanilla.services import places, routing  # routing reads rules stored next to the catalog

    location = places.locate(body.location)
    alert = _open_alert(location.sector if location else None, rtype.code, requester.language)
    routed = routing.route_new(
        body, rtype.code, subtype, requester.kind, priority, location.sector if location else None
    )
    mode = sla_config().assignment.get(routed.team, "manual")
    chosen = routing.pick_assignee(routed.team, mode) if mode != "manual" else None

    for attempt in range(MAX_NUMBER_ATTEMPTS):
        citizen_id = next((cid for c in contacts if (cid := people_store.find_citizen_id(c))), None)
        extra: list[dict[str, Any]] = []
        if citizen_id is None:
            citizen_id = uuid.uuid4().hex
            citizen = Citizen(
                citizen_id=citizen_id,
                name=requester.name,
                email=requester.email,
                phone=requester.phone,
                language=requester.language,
                channels=requester.channels,
                consent_at=now,
                created_at=now,
                kind=requester.kind,
            )
            extra = people_store.new_citizen_items(citizen, contacts)
        with _NUMBERING:  # threads of one process take turns; other processes may still race
            previous = store.read_counter(now.year)
            number = format_number(now.year, previous + 1)
            ticket = Ticket(
                number=number,
                type_code=rtype.code,
                subtype_code=subtype.code,
                subject=body.subject,
                description=body.description,
                form=form,
                channel=body.channel,
                status=Status.RECEIVED,
                impact=subtype.impact,
                urgency=subtype.urgency,
                priority=routed.priority,
                team=routed.team,
                tier=routed.tier,
                tags=routed.tags,
                routed_by=routed.rule,
                citizen_id=citizen_id,
                requester=requester,
                created_by=by.sub if by else None,
                created_by_name=(by.name or by.username) if by else None,
                access_code_hash=access_codes.hash_code(code, code_key, number),
                created_at=born,
                received_at=born if born != now else None,
                updated_at=now,
                expected_response_by=now,  # placeholders: apply_sla sets every due date
                resolution_due=now,
                seen_articles=body.seen_articles,
                legal_kind=legal_kind,
                targets=subtype.targets,
                location=location,
                service_alert=alert.id if alert else None,
                media_url=media_url,
                api_client=api_client,
            )
            filer: dict[str, Any] = {"citizen_id": citizen_id} if by else {}
            if born != now:
                filer["entered_at"] = now.isoformat()
            filer.update(created_data or {})
            created = new_event(
                number,
                system or (_staff_actor(by) if by else Actor(kind="citizen", id=citizen_id)),
                "created",
                public=True,
                channel=body.channel,
                at=born,
                status=Status.RECEIVED.value,
                **filer,
            )
            first_events = [created]
            if chosen is not None:
                ticket = ticket.model_copy(
                    update={"assignee": chosen[0], "assignee_name": chosen[1], "status": Status.ASSIGNED}
                )
                system = Actor(kind="system")
                first_events += [
                    new_event(
                        number,
                        system,
                        "assigned",
                        public=False,
                        at=now,
                        team=routed.team,
                        assignee=chosen[0],
                        mode=mode,
                    ),
                    new_event(number, system, "status_changed", public=True, at=now, status="assigned"),
                ]
            ticket = apply_sla(ticket, subtype.targets, now)
            try:
                store.insert_ticket(
                    now.year, previous, ticket, first_events, [*extra, _receipt(number, code)]
                )
            except store.NumberTaken:
                taken = True
            else:
                taken = False
        if taken:
            time.sleep(random.uniform(0, min(1.0, 0.01 * 2**attempt)))  # full jitter spreads a burst
            continue
        return TicketCreated(
            number=number,
            access_code=code,
            status=ticket.status,
            expected_response_by=ticket.expected_response_by,
            resolution_due=ticket.resolution_due,
            follow_url=f"{get_settings().public_base_url}/#/solicitud/{number}",
            service_alert=alert,
        )
    raise Conflict("number_exhausted")


def _open_alert(sector: str | None, type_code: str, lang: str) -> TicketAlertNotice | None:
    """The open service alert of the sector about this type of request: the receipt says so."""
    if not sector:
        return None
    from ventanilla.services import service_alerts

    alert_id = service_alerts.open_alert_for(sector, type_code)
    found = service_alerts.get(alert_id) if alert_id else None
    if found is None:
        return None
    title = found.title.en if lang == "en" and found.title.en else found.title.es
    message = (
        "We already know of this outage in your sector and are working on it; your request is linked "
        "to the alert and you will hear when service is restored."
        if lang == "en"
        else "Ya conocemos este corte en su sector y estamos trabajando en él; su solicitud quedó "
        "vinculada al aviso y le informaremos cuando se restablezca el servicio."
    )
    return TicketAlertNotice(id=found.id, title=title, message=message)


def _citizen_ticket(number: str, code: str | None) -> tuple[Ticket, list[HistoryEvent]]:
    """The ticket when number and code (or a session of a notice's link) match; otherwise the same
    404 whatever was wrong."""
    if not is_number(number) or not code:
        raise NotFound("ticket_not_found")
    if follow_links.is_session(code):
        if not follow_links.check_session(secrets.notify_secret(), number, code, utcnow()):
            raise NotFound("ticket_not_found")
        ticket, history = store.get_with_history(number)
        if ticket is None:
            raise NotFound("ticket_not_found")
        return ticket, history
    failures = intake_guard.before_code_check(number)
    ticket, history = store.get_with_history(number)
    key = secrets.access_code_key()
    stored = ticket.access_code_hash if ticket is not None else None
    if ticket is None or not access_codes.check_code(code, stored, key, number):
        intake_guard.wrong_code(number, failures, exists=ticket is not None)
        raise NotFound("ticket_not_found")
    intake_guard.right_code(number, failures)
    if access_codes.needs_rehash(ticket.access_code_hash):
        store.replace_code_hash(number, ticket.access_code_hash, access_codes.hash_code(code, key, number))
    return ticket, history


def open_link(number: str, body: SessionIn) -> CitizenSession:
    """Exchange a notice link's token, once and before it expires, for a short session. A link sent
    by email also proves the requester's address: the request joins the account that verified it."""
    now = utcnow()
    channel = store.take_link(number, follow_links.token_hash(body.token), now) if is_number(number) else None
    if channel is None:
        raise Gone("link_used_or_expired")
    if channel == "email":
        _attach_by_email_link(number)
    expires = now + follow_links.SESSION_TTL
    session = follow_links.make_session(secrets.notify_secret(), number, expires)
    return CitizenSession(number=number, session=session, expires_at=expires)


def move_to_account(ticket: Ticket, citizen_id: str, actor: Actor, **data: Any) -> None:
    """Request ``ticket`` now belongs to citizen account ``citizen_id`` (a private 'linked' event;
    Conflict when it changed since it was read)."""
    updated = ticket.model_copy(
        update={"citizen_id": citizen_id, "updated_at": utcnow(), "version": ticket.version + 1}
    )
    store.save_change(
        ticket.version, updated, [new_event(ticket.number, actor, "linked", public=False, **data)]
    )


def _attach_by_email_link(number: str) -> None:
    """A notice's link mailed to request ``number``'s address was opened: whoever opened it reads
    that mailbox, so the request joins the account that verified the address, if one did (a
    request its owner filed signed out then shows in her Mis solicitudes). A request changed
    meanwhile is read again: the link is already used, and opening it must not fail."""
    from ventanilla.storage import accounts as account_store

    for _ in range(3):
        ticket = store.get_ticket(number)
        email = (ticket.requester.email or "").strip().lower() if ticket else ""
        owner = account_store.owner_of("email", email) if email else None
        if ticket is None or owner is None or ticket.citizen_id == owner:
            return
        try:
            move_to_account(ticket, owner, Actor(kind="system"), via="email_link")
            return
        except Conflict:
            continue


def _author(event: HistoryEvent, lang: Lang) -> str:
    if event.actor.kind == "citizen":
        return "Usted" if lang == "es" else "You"
    if event.actor.kind == "staff":
        return event.actor.name or ("Equipo de atención" if lang == "es" else "Service team")
    return get_settings().institution_name


def _form_answers(ticket: Ticket, lang: Lang) -> list[PublicFormAnswer]:
    """The form's answers in the order of the subtype's fields, labelled in ``lang``; a select
    shows its option's label, a yes/no field Sí/No."""
    if not ticket.form:
        return []
    request_type = catalog_store.get_type(ticket.type_code)
    subtype = request_type.subtype(ticket.subtype_code) if request_type else None
    answers: list[PublicFormAnswer] = []
    for spec in subtype.fields if subtype else []:
        value = ticket.form.get(spec.name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            shown = ("Sí" if lang == "es" else "Yes") if value else "No"
        else:
            option = next((o for o in spec.options if str(o.value) == str(value)), None)
            shown = option.label.in_lang(lang) if option else str(value)
        answers.append(PublicFormAnswer(label=spec.label.in_lang(lang), value=shown))
    return answers


def _internal_step(event: HistoryEvent) -> bool:
    """Rows the citizen's history leaves out: the notices we sent (the citizen has them) and the
    routing to a team; the history reads as the conversation and the status changes that matter."""
    return event.action == "notification" or (
        event.action == "status_changed" and event.data.get("status") == "assigned"
    )


def public_view(ticket: Ticket, history: list[HistoryEvent], lang: Lang) -> PublicTicket:
    timeline = [
        TimelineEntry(
            at=e.at,
            action=e.action,
            author=_author(e, lang),
            body=e.body,
            status=Status(e.data["status"]) if "status" in e.data else None,
            channel=e.channel,
            score=e.data.get("score"),
            days=e.data.get("days"),
            legal_due=e.data.get("legal_due"),
            other=e.data.get("into") or e.data.get("from"),
        )
        for e in history
        if e.public and not _internal_step(e)
    ]
    merged = merged_into_view(ticket, lang)
    return PublicTicket(
        number=ticket.number,
        type=ticket.type_code,
        subtype=ticket.subtype_code,
        subject=ticket.subject,
        description=ticket.description,
        form_answers=_form_answers(ticket, lang),
        first_response_at=ticket.first_response_at,
        status=ticket.status,
        status_label=LABELS[ticket.status][lang],
        created_at=ticket.created_at,
        expected_response_by=ticket.expected_response_by,
        resolution_due=ticket.resolution_due,
        legal_due=ticket.legal_due,
        paused=ticket.paused,
        resolved_at=ticket.resolved_at,
        survey_open=survey_open(ticket),
        csat_score=ticket.csat_score,
        csat_at=ticket.csat_at,
        notices=notice_choices(ticket),
        location=ticket.location,
        merged_into=TicketMergedInto.model_validate(merged) if merged else None,
        timeline=timeline,
    )


def notice_choices(ticket: Ticket) -> NoticeChoices:
    """The request's notice channels and language; a channel is an option when there is a contact."""
    r = ticket.requester
    contacts: tuple[tuple[NoticeChannel, str | None], ...] = (("email", r.email), ("sms", r.phone))
    options: list[NoticeChannel] = [c for c, contact in contacts if contact]
    options += [c for c in r.channels if c not in options]  # e.g. push, set from the app
    return NoticeChoices(channels=list(r.channels), language=r.language, options=options)


def survey_open(ticket: Ticket) -> bool:
    """The citizen may rate this resolution: resolved (or closed after it) and not rated yet."""
    return (
        ticket.status in (Status.RESOLVED, Status.CLOSED)
        and ticket.resolved_at is not None
        and ticket.csat_resolved_at != ticket.resolved_at
    )


def follow(number: str, code: str | None, lang: Lang) -> PublicTicket:
    ticket, history = _citizen_ticket(number, code)
    intake_guard.confirm_contact(ticket, history)  # reading it, not a refused change, confirms
    return public_view(ticket, history, lang)


def citizen_reply(number: str, code: str | None, body: MessageIn, lang: Lang) -> PublicTicket:
    ticket, history = _citizen_ticket(number, code)
    if ticket.merged_into is not None:
        raise Conflict("ticket_merged", {"into": ticket.merged_into})
    if ticket.status == Status.CLOSED:
        raise Conflict("ticket_closed")
    updated, events = save_citizen_message(ticket, body.body)
    return public_view(updated, history + events, lang)


def save_citizen_message(
    ticket: Ticket, body: str, channel: Channel = Channel.WEB, **data: Any
) -> tuple[Ticket, list[HistoryEvent]]:
    """The citizen wrote on their request (portal, mail or SMS): the message and the status it
    moves to (a request waiting for them goes back to work), clocks and SLA recomputed, written
    against the version read. Returns the ticket and the history entries written."""
    now = utcnow()
    actor = Actor(kind="citizen", id=ticket.citizen_id)
    events = [
        new_event(ticket.number, actor, "message", public=True, channel=channel, body=body, at=now, **data)
    ]
    updated = ticket.model_copy(update={"updated_at": now, "version": ticket.version + 1})
    target = after_citizen_reply(ticket.status)
    if target is not None:
        updated = _moved(updated, target, now)
        events.append(
            new_event(
                ticket.number,
                actor,
                "status_changed",
                public=True,
                channel=channel,
                at=now,
                status=target.value,
            )
        )
    updated = with_sla(ticket, updated, events, now)
    store.save_change(ticket.version, updated, events)
    return updated, events


# ---- staff ------------------------------------------------------------------------------------


def _staff_actor(principal: Principal) -> Actor:
    return Actor(kind="staff", id=principal.sub, name=principal.name or principal.username)


def _staff_ticket(principal: Principal, number: str) -> tuple[Ticket, list[HistoryEvent]]:
    principal.require(*STAFF_ROLES_WORKING)
    if not is_number(number):
        raise NotFound("ticket_not_found")
    ticket, history = store.get_with_history(number)
    if ticket is None:
        raise NotFound("ticket_not_found")
    if not principal.in_team(ticket.team):
        raise Forbidden("not_your_team", {"team": ticket.team})
    return ticket, history


def _check_version(ticket: Ticket, version: int | None) -> None:
    if version is not None and version != ticket.version:
        raise Conflict("stale_version", {"expected": version, "actual": ticket.version})


def targets_of(ticket: Ticket) -> ResponseTargets:
    """The targets the ticket was filed with (the catalog's current ones for older tickets)."""
    if ticket.targets is not None:
        return ticket.targets
    rtype = catalog_store.get_type(ticket.type_code)
    subtype = rtype.subtype(ticket.subtype_code) if rtype else None
    return subtype.targets if subtype else ResponseTargets()


def save_staff_change(
    ticket: Ticket, history: list[HistoryEvent], updated: Ticket, events: list[HistoryEvent], now: datetime
) -> StaffTicket:
    """Write a staff member's change of ``ticket`` (its clocks and SLA fields recomputed) against
    the version read, and answer what the ticket page shows next."""
    updated = with_sla(ticket, updated, events, now)
    store.save_change(ticket.version, updated, events)
    return StaffTicket(ticket=updated, history=history + events)


def with_sla(before: Ticket, after: Ticket, events: list[HistoryEvent], now: datetime) -> Ticket:
    """Pause or resume the clocks on a status change (a history event each), then recompute."""
    pauses = list(after.pauses)
    system = Actor(kind="system")
    if after.status in CLOCK_PAUSED and not after.paused:
        pauses.append(Pause(start=now))
        events.append(new_event(after.number, system, "sla_paused", public=True, at=now))
    elif after.status not in CLOCK_PAUSED and after.paused:
        start = pauses[-1].start
        pauses[-1] = Pause(start=start, end=now)
        paused_for = round((now - start).total_seconds())
        events.append(
            new_event(after.number, system, "sla_resumed", public=True, at=now, paused_seconds=paused_for)
        )
    update: dict[str, Any] = {"pauses": pauses}
    if after.first_response_at is None and answers_citizen(events):
        update["first_response_at"] = now
    after = after.model_copy(update=update)
    return apply_sla(after, targets_of(after), now)


def answers_citizen(events: list[HistoryEvent]) -> bool:
    """Staff wrote to the citizen: a reply, a status change with a message, an extension's reason.

    Whatever route carries it, that is the first response (checked here, where every staff
    change of a ticket passes, so a new route cannot forget it).
    """
    return any(e.public and e.actor.kind == "staff" and e.body and e.body.strip() for e in events)


def taken_up(ticket: Ticket, actor: Actor, now: datetime) -> tuple[Ticket, list[HistoryEvent]]:
    """A public message from staff (a reply, an extension's justification) on a new, assigned or
    reopened request: it is in progress now, and the timeline says so."""
    if ticket.status not in (Status.RECEIVED, Status.ASSIGNED, Status.REOPENED):
        return ticket, []
    event = new_event(ticket.number, actor, "status_changed", public=True, at=now, status="in_progress")
    return _moved(ticket, Status.IN_PROGRESS, now), [event]


def _moved(ticket: Ticket, target: Status, now: datetime) -> Ticket:
    """The ticket with its status and the dates that go with it."""
    update: dict[str, Any] = {"status": target}
    if target == Status.RESOLVED:
        update["resolved_at"] = now
    elif target == Status.CLOSED:
        update["closed_at"] = now
    elif target == Status.REOPENED:
        update["resolved_at"] = None
    return ticket.model_copy(update=update)


def staff_view(principal: Principal, number: str) -> StaffTicket:
    """The ticket, its full history and the help articles the citizen saw before filing."""
    ticket, history = _staff_ticket(principal, number)
    record_staff_read(principal, ticket.citizen_id, "ticket", number)
    seen = []
    if ticket.seen_articles:
        from ventanilla.services.help_public import seen_for_agent

        seen = seen_for_agent(ticket.seen_articles, ticket.requester.language)
    return StaffTicket(ticket=ticket, history=history, seen_articles=seen)


def agent_view(principal: Principal, number: str) -> StaffTicket:
    """What the agent view opens: the request of one of the reader's teams (:func:`staff_view`), or
    an internal request the reader filed for another team (B7: a staff member asking IT for a
    laptop follows it like a citizen): its public conversation, read only (``access="filer"``; no
    internal notes, nothing they may act on: every change still checks the team)."""
    principal.require(*STAFF_ROLES_WORKING)
    try:
        return staff_view(principal, number)
    except Forbidden:
        ticket, history = store.get_with_history(number)
        if ticket is None or not _own_internal(principal, ticket):
            raise
    return StaffTicket(ticket=ticket, history=[e for e in history if e.public], access="filer")


def _own_internal(principal: Principal, ticket: Ticket) -> bool:
    return (
        ticket.requester.kind == "internal" and bool(ticket.created_by) and ticket.created_by == principal.sub
    )


def _unversioned_retry(version: int | None, attempt: Callable[[], StaffTicket]) -> StaffTicket:
    """A staff change the client sent without ``version`` asks for no optimistic check: if the
    ticket moved between this request's read and its write (the citizen wrote at that instant),
    read it again and apply the change once more to the current ticket. With a version, a
    stale write stays a 409 for the client to resolve."""
    try:
        return attempt()
    except Conflict as error:
        if version is not None or error.code != "stale_version":
            raise
    return attempt()


def staff_reply(
    principal: Principal, number: str, body: StaffMessageIn | StaffReplyIn, *, internal: bool
) -> StaffTicket:
    """A public reply (first response counts) or an internal note the citizen never sees."""
    return _staff_change(
        principal, number, body.version, lambda t, h: _staff_reply(principal, t, h, body, internal=internal)
    )


def _staff_change(
    principal: Principal,
    number: str,
    version: int | None,
    change: Callable[[Ticket, list[HistoryEvent]], StaffTicket],
) -> StaffTicket:
    """A staff member's change of a ticket: read it as they may see it, check the version the
    client read, apply ``change`` (see :func:`_unversioned_retry` for a change sent without one)."""

    def attempt() -> StaffTicket:
        ticket, history = _staff_ticket(principal, number)
        _check_version(ticket, version)
        return change(ticket, history)

    return _unversioned_retry(version, attempt)


def _staff_reply(
    principal: Principal,
    ticket: Ticket,
    history: list[HistoryEvent],
    body: StaffMessageIn | StaffReplyIn,
    *,
    internal: bool,
) -> StaffTicket:
    number = ticket.number
    if ticket.status == Status.CLOSED and not internal:
        raise Conflict("ticket_closed")
    target = Status(body.status) if isinstance(body, StaffReplyIn) and body.status else None
    if target is not None and not internal and target != ticket.status:
        # "Send and set status": the status change carries the message (as POST /status with a
        # body does), so the citizen gets one notice whose text is the message.
        return _change_status(
            principal, ticket, history, StatusIn(status=target, body=body.body, version=body.version)
        )
    now = utcnow()
    actor = _staff_actor(principal)
    action: Action = "note" if internal else "message"
    events = [new_event(number, actor, action, public=not internal, body=body.body, at=now)]
    updated = ticket.model_copy(update={"updated_at": now, "version": ticket.version + 1})
    if not internal:
        updated, started = taken_up(updated, actor, now)
        events += started
    return save_staff_change(ticket, history, updated, events, now)


def change_status(principal: Principal, number: str, body: StatusIn) -> StaffTicket:
    return _staff_change(principal, number, body.version, lambda t, h: _change_status(principal, t, h, body))


def _change_status(
    principal: Principal, ticket: Ticket, history: list[HistoryEvent], body: StatusIn
) -> StaffTicket:
    number = ticket.number
    check_move(ticket.status, body.status)
    now = utcnow()
    actor = _staff_actor(principal)
    updated = _moved(ticket, body.status, now).model_copy(
        update={"updated_at": now, "version": ticket.version + 1}
    )
    events = [
        new_event(
            number,
            actor,
            "status_changed",
            public=True,
            body=body.body,
            at=now,
            status=body.status.value,
            previous=ticket.status.value,
        )
    ]
    if body.status == Status.REOPENED:
        updated = updated.model_copy(update={"resolution_business_seconds": None})
    return save_staff_change(ticket, history, updated, events, now)


def assign(principal: Principal, number: str, body: AssignIn) -> StaffTicket:
    """Assign to a staff member and/or move to another team; a new assignment starts work."""
    return _staff_change(principal, number, body.version, lambda t, h: _assign(principal, t, h, body))


def _assign(principal: Principal, ticket: Ticket, history: list[HistoryEvent], body: AssignIn) -> StaffTicket:
    number = ticket.number
    if body.assignee is None and body.team is None:
        raise ValidationFailed("validation_failed", errors=[FieldError("assignee", "missing")])
    team = body.team or ticket.team
    if body.team and not any(t.code == body.team for t in catalog_store.list_teams()):
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("team", "unknown_team", {"team": body.team})]
        )
    assignee_name = None
    profile = people_store.get_staff(body.assignee) if body.assignee else None
    if body.assignee:
        if profile is None:
            raise ValidationFailed("validation_failed", errors=[FieldError("assignee", "unknown_staff")])
        if team not in profile.teams:
            raise ValidationFailed(
                "validation_failed", errors=[FieldError("assignee", "not_your_team", {"team": team})]
            )
        assignee_name = profile.name
    check_reassign(principal.groups, principal.teams, ticket.team, team, profile.roles if profile else None)
    now = utcnow()
    actor = _staff_actor(principal)
    updated = ticket.model_copy(
        update={
            "team": team,
            "assignee": body.assignee,
            "assignee_name": assignee_name,
            "updated_at": now,
            "version": ticket.version + 1,
        }
    )
    events = [
        new_event(
            number,
            actor,
            "assigned",
            public=False,
            at=now,
            team=team,
            assignee=body.assignee,
            assignee_name=assignee_name,
            previous_team=ticket.team,
            previous_assignee=ticket.assignee,
        )
    ]
    if body.assignee and ticket.status in (Status.RECEIVED, Status.REOPENED):
        updated = _moved(updated, Status.ASSIGNED, now)
        events.append(new_event(number, actor, "status_changed", public=True, at=now, status="assigned"))
    return save_staff_change(ticket, history, updated, events, now)


def merged_into_view(ticket: Ticket, lang: str) -> dict[str, object] | None:
    """Where a merged request went, for its citizen: the survivor's number and progress."""
    if ticket.merged_into is None:
        return None
    survivor = store.get_ticket(ticket.merged_into)
    if survivor is None:
        return None
    return {
        "number": survivor.number,
        "status": survivor.status,
        "status_label": LABELS[survivor.status]["en" if lang == "en" else "es"],
        "resolved_at": survivor.resolved_at,
        "same_requester": survivor.citizen_id == ticket.citizen_id,
    }
