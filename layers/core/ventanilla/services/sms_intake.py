"""Two-way SMS in (C1): what citizens text to the institution's number (AWS End User Messaging
publishes each inbound SMS on an SNS topic; locally ``POST /dev/sms-in`` publishes the same JSON).

``2026-000123 texto`` from the request's own phone appends a citizen message; any other text opens
a request on the ``sms`` channel (the receipt SMS then gives its number, code and link); ``BAJA`` or
``STOP`` opts the phone out of SMS notices. A text naming a request from another phone opens a new
request: it never reaches, nor reveals, someone else's. Each inbound message id is handled once.
"""

from __future__ import annotations

import re
from typing import Any

from ventanilla.integrations import messaging
from ventanilla.models.common import Channel, utcnow
from ventanilla.models.ticket import Actor, CreateTicketIn, RequesterIn
from ventanilla.notify.contacts import normalize_phone
from ventanilla.notify.plan import mask_phone
from ventanilla.rules.state_machine import Status
from ventanilla.services import accounts
from ventanilla.settings import get_settings
from ventanilla.storage import notices as notices_store
from ventanilla.storage import people as people_store
from ventanilla.storage import sms_inbound
from ventanilla.storage import tickets as ticket_store

OPT_OUT_WORDS = frozenset({"BAJA", "STOP", "SALIR", "CANCELAR", "UNSUBSCRIBE"})
NUMBERED = re.compile(r"^\s*(\d{4}-\d{6})\b[\s:,.;-]*(.*)$", re.S)
MAX_TEXT = 1600
DEFAULT_TYPE = ("consulta", "general")


def _reply(phone: str, es: str) -> None:
    messaging.send_sms(phone, es, get_settings().sms_sender_id or None)


def handle(message: dict[str, Any]) -> str:
    """Handle one inbound SMS; returns what was done (for the log: no numbers, no text)."""
    raw_phone = str(message.get("originationNumber") or "")
    text = str(message.get("messageBody") or "").strip()[:MAX_TEXT]
    message_id = str(message.get("inboundMessageId") or "")
    try:
        phone = normalize_phone(raw_phone)
    except ValueError:
        return "invalid_sender"
    if not text:
        return "empty"
    if message_id and not sms_inbound.first_time(message_id):
        return "duplicate"
    if text.upper().strip(" .!") in OPT_OUT_WORDS:
        return _opt_out(phone)
    numbered = NUMBERED.match(text)
    if numbered and numbered.group(2).strip():
        appended = _append(numbered.group(1), phone, numbered.group(2).strip())
        if appended:
            return "appended"
    return _open(phone, text)


def _opt_out(phone: str) -> str:
    citizen_id = people_store.find_citizen_id(people_store.contact_hash("phone", phone))
    if citizen_id is not None:
        notices_store.add_opt_out(notices_store.citizen_owner(citizen_id), {"sms"}, utcnow().isoformat())
    _reply(phone, f"{get_settings().institution_name}: no le enviaremos más SMS. / You will get no more SMS.")
    return "opted_out"


def _append(number: str, phone: str, text: str) -> bool:
    """Append to the request when this phone is its requester's and it is not closed. A text naming
    a merged request goes on with the request it was merged into (one hop, as a reply by email),
    when that one is this phone's too."""
    from ventanilla.services.tickets import save_citizen_message

    ticket = ticket_store.get_ticket(number)
    if ticket is not None and ticket.merged_into and ticket.requester.phone == phone:
        ticket = ticket_store.get_ticket(ticket.merged_into)
    if ticket is None or ticket.requester.phone != phone or ticket.status == Status.CLOSED:
        return False
    save_citizen_message(ticket, text, Channel.SMS)
    to = ticket.number
    _reply(phone, f"Recibimos su mensaje para la solicitud {to}. / We got your message for request {to}.")
    return True


def _open(phone: str, text: str) -> str:
    from ventanilla.services.tickets import create_ticket

    citizen_id = people_store.find_citizen_id(people_store.contact_hash("phone", phone))
    citizen = people_store.get_citizen(citizen_id) if citizen_id else None
    name = citizen.name if citizen else f"SMS {mask_phone(phone)}"
    first_line = text.splitlines()[0] if text.splitlines() else text
    subject = first_line[:80] if len(first_line) >= 3 else f"SMS: {first_line}"
    body = CreateTicketIn(
        type=DEFAULT_TYPE[0],
        subtype=DEFAULT_TYPE[1],
        subject=subject,
        description=text,
        requester=RequesterIn(
            name=name[:120] if len(name) >= 2 else "SMS",
            phone=phone,
            channels=["sms"],
            language=citizen.language if citizen else "es",
            consent=True,  # they wrote to us from this phone: notices about this request go back to it
        ),
        channel=Channel.SMS,
    )
    created = create_ticket(body, system=Actor(kind="citizen", id=citizen_id))
    # A phone a citizen account verified by its SMS code: the request joins that account.
    accounts.attach_by_verified_contact(created.number, "phone", phone)
    return "opened"
