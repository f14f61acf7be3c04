"""Email in (C1): a mail to the requests address opens a request or adds to one.

SES receiving writes the raw message to the attachments bucket under ``mail/`` and invokes the
email intake function with its id; locally the development SMTP server does the same. The mail is
read from the bucket (never more than the size limit), then:

- machine-made mail (auto-replies, bounces, lists, our own messages coming back) opens nothing;
- each Message-ID is handled once (a conditional write);
- a reply to a request (its thread's Message-IDs, ``[2026-000123]`` in the subject, or the request's
  ``+token`` address) from the requester's own address adds a citizen message; from any other
  address it opens a new request for that sender and reveals nothing of the other one;
- anything else opens a request on the ``email`` channel (``consulta/general``, then the routing
  rules), with the text written this time (HTML as text, quotes and signature trimmed) and the
  attachments sent to the same checker as the web's uploads;
- a mail whose ``From`` SES could not verify (:mod:`ventanilla.rules.email_auth`) is filed flagged
  for an agent to review and never added to an existing request (a forged reply would speak in a
  citizen's name). Its sender gets no receipt with the mail's words, number link or access code:
  at most one fixed-text note a day saying it will be reviewed, so a real citizen whose provider
  breaks authentication (forwarding, lists) knows the mail arrived, and a forged mail makes us
  relay nothing of the forger's to the address it names.

The receipt and every later notice to the citizen go out in the same thread (the notifier asks
:func:`outgoing_headers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from typing import Any

from ventanilla.errors import TooManyRequests, ValidationFailed
from ventanilla.integrations import files, messaging, secrets
from ventanilla.models.common import Channel, utcnow
from ventanilla.models.ticket import MAX_DESCRIPTION, MAX_SUBJECT, Actor, CreateTicketIn, RequesterIn
from ventanilla.rules import email_auth, email_text, email_thread
from ventanilla.rules.state_machine import Status
from ventanilla.services.mail_threads import SYNTHETIC
from ventanilla.services.mail_threads import outgoing_headers as outgoing_headers  # re-exported
from ventanilla.services.mail_threads import sent as sent
from ventanilla.settings import get_settings
from ventanilla.storage import email_threads
from ventanilla.storage import tickets as ticket_store

MAIL_PREFIX = "mail/"
HEADER_BYTES = 64_000
"""Of a mail over the size limit only this much is read: enough for its headers."""
MAX_ATTACHMENTS_READ = 10
DEFAULT_TYPE = ("consulta", "general")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")


@dataclass
class Inbound:
    key: str
    message_id: str
    sender: str
    name: str
    subject: str
    text: str
    headers: dict[str, str]
    references: list[str]
    recipients: list[str]
    language: str = "es"
    attachments: list[tuple[str | None, str, bytes]] = field(default_factory=list)
    defects: int = 0


# ---- reading -------------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    """A header as text; an undecodable (8-bit, broken encoded-word) one as best effort, never raising."""
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse at all
        value = None
    if value is None:
        raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
        value = raw
    text = str(value) if value is not None else ""
    return text.encode("utf-8", "replace").decode("utf-8")[:2000]


def _headers(message: Message) -> dict[str, str]:
    names = {k.lower() for k, _ in message.raw_items()}
    return {name: _header(message, name) for name in list(names)[:100]}


def _part_text(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, ValueError, AssertionError, AttributeError):
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def _body_text(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        return ""
    content = _part_text(part)
    return email_text.html_to_text(content) if part.get_content_type() == "text/html" else content


def _attachments(message: EmailMessage) -> list[tuple[str | None, str, bytes]]:
    found: list[tuple[str | None, str, bytes]] = []
    try:
        parts = list(message.iter_attachments()) if message.is_multipart() else []
    except Exception:
        parts = []
    for part in parts[:MAX_ATTACHMENTS_READ]:
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            filename = part.get_filename()
        except Exception:
            filename = None
        found.append((filename, part.get_content_type(), payload))
    return found


def parse(key: str, raw: bytes, recipients: list[str] | None = None) -> Inbound | None:
    """The parts of a mail this intake uses; None when it has no usable sender address."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    headers = _headers(message)
    name, address = parseaddr(headers.get("from", ""))
    address = address.strip().lower()
    if not _ADDRESS.match(address):
        return None
    own_id = email_thread.message_ids(headers.get("message-id"))
    message_id = own_id[0] if own_id else f"ses-{key.rsplit('/', 1)[-1]}{SYNTHETIC}"
    to = [a for _, a in getaddresses([headers.get("to", ""), headers.get("cc", "")]) if a]
    language = "en" if headers.get("content-language", "").lower().startswith("en") else "es"
    return Inbound(
        key=key,
        message_id=message_id,
        sender=address,
        name=" ".join(name.split())[:120],
        subject=headers.get("subject", ""),
        text=email_text.trim_reply(_body_text(message)),
        headers=headers,
        references=email_thread.message_ids(headers.get("references"))
        + email_thread.message_ids(headers.get("in-reply-to")),
        recipients=[r.lower() for r in [*(recipients or []), *to]][:50],
        language=language,
        attachments=_attachments(message),
        defects=len(getattr(message, "defects", [])),
    )


# ---- handling -------------------------------------------------------------------------------------


def _our_domains() -> set[str]:
    settings = get_settings()
    return {
        a.partition("@")[2].lower() for a in (settings.requests_address, settings.email_sender) if "@" in a
    }


def handle(key: str, recipients: list[str] | None = None, verdicts: dict[str, str] | None = None) -> str:
    """Handle the raw mail stored at ``key``; returns what was done (for the log: no address, no text)."""
    settings = get_settings()
    if not key.startswith(MAIL_PREFIX):
        return "ignored:key"
    try:
        raw, size = files.read(key, settings.email_max_bytes + 1)
    except files.Missing:
        return "ignored:missing"  # expired, or an event replayed by hand: nothing to read
    if size > settings.email_max_bytes:
        return _too_large(key, raw[:HEADER_BYTES])
    if verdicts and verdicts.get("virus") == "FAIL":
        return "ignored:virus"
    try:
        mail = parse(key, raw, recipients)
    except Exception:  # the parser is lenient; this is a mail it cannot read at all
        return _refuse_malformed(raw[:HEADER_BYTES])
    if mail is None:
        return "ignored:no_sender"
    domains = _our_domains()
    if any(email_thread.number_of_our_id(mail.message_id, d) for d in domains):
        return "ignored:loop"
    own = [settings.requests_address, settings.email_sender]
    reason = email_thread.automatic_reason(mail.headers, mail.sender, own)
    if reason is not None:
        return f"ignored:{reason}"
    if not email_threads.claim(mail.message_id):
        return "duplicate"
    try:
        return _route(mail, email_auth.unverified(verdicts))
    except BaseException:
        email_threads.release(mail.message_id)  # unless it reached a request: then never twice
        raise


def _thread_number(mail: Inbound) -> str | None:
    number, _ = email_threads.lookup(mail.references)
    if number:
        return number
    for ref in reversed(mail.references):
        for domain in _our_domains():
            if found := email_thread.number_of_our_id(ref, domain):
                return found
    settings = get_settings()
    if settings.requests_address:
        key = secrets.access_code_key()
        for address in mail.recipients:
            if found := email_thread.number_of_address(address, settings.requests_address, key):
                return found
    return email_thread.number_in_subject(mail.subject)


def _route(mail: Inbound, unverified: dict[str, str] | None = None) -> str:
    number = _thread_number(mail)
    if unverified is not None:
        # Thread headers, subject tags and even the +token address can be copied from a forwarded
        # notice: without a verified sender nothing is added to a request; staff see what it
        # claims to continue (theirs to merge) and the verdicts.
        claims: dict[str, Any] = {}
        if number:
            ticket = ticket_store.get_ticket(number)
            own = ticket is not None and (ticket.requester.email or "").lower() == mail.sender
            claims = {"claims_reply_to": number} if own else {"named_other_request": True}
        return _open(mail, unverified=unverified, claims=claims)
    if number:
        ticket = ticket_store.get_ticket(number)
        if ticket is not None and ticket.merged_into:
            # A reply in a merged request's thread goes on with the request it was merged into
            # (merges are never chained: one hop).
            ticket = ticket_store.get_ticket(ticket.merged_into) or ticket
        own = ticket is not None and (ticket.requester.email or "").lower() == mail.sender
        if ticket is not None and own and ticket.status != Status.CLOSED:
            _append(ticket.number, mail)
            return "appended"
        if ticket is not None and own:
            return _open(mail, follow_up_of=number)
        return _open(mail, other_request=True)
    return _open(mail)


def _text_or_note(mail: Inbound) -> str:
    text = mail.text.strip()
    if not text:
        text = "(correo sin texto; ver adjuntos)" if mail.attachments else "(correo sin texto)"
    return text[:MAX_DESCRIPTION]


def _keep_attachments(number: str, citizen_id: str, mail: Inbound) -> list[str]:
    from ventanilla.services import attachments

    return [attachments.from_email(number, n, t, data, citizen_id) for n, t, data in mail.attachments]


def _append(number: str, mail: Inbound) -> None:
    from ventanilla.services.tickets import save_citizen_message

    ticket = ticket_store.get_ticket(number)
    assert ticket is not None
    save_citizen_message(ticket, _text_or_note(mail), Channel.EMAIL, mail=mail.key)
    email_threads.link(mail.message_id, number)
    thread = email_threads.thread(number)
    root = thread["root"] if thread else mail.message_id
    subject = thread["subject"] if thread else email_thread.clean_subject(mail.subject) or ticket.subject
    email_threads.set_thread(number, root, mail.message_id, subject)
    _keep_attachments(number, ticket.citizen_id, mail)


def _subject(mail: Inbound) -> str:
    subject = email_thread.clean_subject(mail.subject)[:MAX_SUBJECT]
    return subject if len(subject) >= 3 else "Correo sin asunto"


def _open(
    mail: Inbound,
    follow_up_of: str | None = None,
    other_request: bool = False,
    unverified: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
) -> str:
    from ventanilla.services import accounts, intake_guard
    from ventanilla.services.tickets import create_ticket

    name = mail.name if len(mail.name) >= 2 else mail.sender.partition("@")[0][:120]
    body = CreateTicketIn(
        type=DEFAULT_TYPE[0],
        subtype=DEFAULT_TYPE[1],
        subject=_subject(mail),
        description=_text_or_note(mail),
        requester=RequesterIn(
            name=name if len(name) >= 2 else "Correo",
            email=mail.sender,
            channels=["email"],
            language=mail.language,
            consent=True,  # they wrote to us from this address: notices about this request go back to it
        ),
        channel=Channel.EMAIL,
    )
    try:
        filing = intake_guard.check_filing(None, mail.sender, None)
    except TooManyRequests:
        return _refuse_over_limit(mail)
    data: dict[str, Any] = {"mail": mail.key}
    if follow_up_of:
        data["follow_up_of"] = follow_up_of
    if other_request:
        data["named_other_request"] = True  # staff see it; the sender learns nothing of the other one
    note = False
    if unverified is not None:
        data[email_auth.FLAG] = unverified  # staff see it; the notifier sends no receipt
        data.update(claims or {})
        note = _once_a_day("unverified", mail.sender)
        data["sender_note"] = "fixed_text" if note else "none"
    try:
        created = create_ticket(body, system=Actor(kind="citizen"), created_data=data)
    except ValidationFailed:
        return "invalid"
    number = created.number
    email_threads.link(mail.message_id, number)  # first: from here a retry never files it again
    intake_guard.count_filing(filing)
    email_threads.set_thread(number, mail.message_id, mail.message_id, body.subject)
    if unverified is None:  # a forged mail must not land in the account of the address it names
        accounts.attach_by_verified_contact(number, "email", mail.sender)
    ticket = ticket_store.get_ticket(number)
    _keep_attachments(number, ticket.citizen_id if ticket else "", mail)
    if unverified is None:
        return "opened"
    if note:
        _unverified_note(mail, number)
    return "opened:unverified"


def _once_a_day(purpose: str, sender: str) -> bool:
    """True the first time today for this purpose and address (a claim; no address in the key)."""
    import hashlib

    day = utcnow().date().isoformat()
    hashed = hashlib.sha256(sender.encode()).hexdigest()[:32]
    return email_threads.claim(f"<{purpose}.{day}.{hashed}@ventanilla.invalid>")


def _unverified_note(mail: Inbound, number: str) -> None:
    """The fixed text for an unverified sender: nothing of the mail (not its subject: the subject
    line is ours too), no link, no access code. The number lets a real citizen cite it."""
    _auto_reply(
        mail.sender,
        mail.message_id,
        f"Recibimos un correo a su nombre / We received an email in your name [{number}]",
        f"Recibimos un correo enviado con esta dirección como remitente y lo registramos con el "
        f"número {number}. No pudimos comprobar que lo haya enviado usted (su proveedor de correo no "
        "lo autenticó), así que una persona de nuestro equipo lo revisará antes de darle curso y, si "
        "corresponde, le escribirá a esta dirección.\n"
        "Si usted no nos escribió, ignore este mensaje: no haremos nada con ese correo sin revisarlo.\n\n"
        f"We received an email sent with this address as its sender and registered it as {number}. "
        "We could not verify that you sent it (your email provider did not authenticate it), so a "
        "member of our staff will review it before acting on it and, if appropriate, write to you at "
        "this address.\n"
        "If you did not write to us, ignore this message: nothing will be done with that email "
        "without a review.\n",
    )


# ---- what goes out -----------------------------------------------------------------------------


def _auto_reply(to: str, in_reply_to: str | None, subject: str, text: str) -> None:
    """A bounce-style answer (RFC 3834: marked auto-replied, so no robot answers it back)."""
    settings = get_settings()
    message = EmailMessage()
    sender = settings.requests_address or settings.email_sender
    local, _, domain = sender.partition("@")
    message["From"] = Address(display_name=settings.institution_name, username=local, domain=domain)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain or None)
    message["Auto-Submitted"] = "auto-replied"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    message.set_content(text)
    messaging.send_email(
        settings.email_sender, to, message.as_bytes(), settings.ses_configuration_set or None
    )


def _sender_of(head: bytes) -> tuple[str | None, str | None, dict[str, str]]:
    """(sender address, Message-ID, headers) of a mail's first bytes, for a refusal."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(head, headersonly=True)
        headers = _headers(message)
    except Exception:
        return None, None, {}
    _, address = parseaddr(headers.get("from", ""))
    ids = email_thread.message_ids(headers.get("message-id"))
    return (address.lower() if _ADDRESS.match(address or "") else None), (ids[0] if ids else None), headers


def _refusal_allowed(address: str | None, message_id: str | None, headers: dict[str, str]) -> bool:
    settings = get_settings()
    own = [settings.requests_address, settings.email_sender]
    if address is None or email_thread.automatic_reason(headers, address, own) is not None:
        return False
    return message_id is None or email_threads.claim(message_id)  # one refusal per mail


def _too_large(key: str, head: bytes) -> str:
    address, message_id, headers = _sender_of(head)
    if not _refusal_allowed(address, message_id, headers):
        return "too_large"
    limit_mb = get_settings().email_max_bytes // 1_000_000
    assert address is not None
    _auto_reply(
        address,
        message_id,
        "No pudimos recibir su correo / We could not accept your email",
        f"Su correo supera el tamaño máximo de {limit_mb} MB y no fue registrado. Envíelo de nuevo "
        "con menos adjuntos o súbalos desde el portal (máximo 10 MB por archivo).\n\n"
        f"Your email is larger than the {limit_mb} MB limit and was not registered. Send it again "
        "with fewer attachments, or upload them on the portal (10 MB per file at most).\n",
    )
    return "too_large"


def _refuse_over_limit(mail: Inbound) -> str:
    """One answer a day per address over the filing limit, so a person learns why nothing was
    opened; the mails after it get none (a flood, or a loop with a robot, is not fed)."""
    if not _once_a_day("over-limit", mail.sender):
        return "rate_limited"
    _auto_reply(
        mail.sender,
        mail.message_id,
        "No registramos su correo / We did not register your email",
        "Hoy recibimos de su dirección más correos de los que podemos registrar como solicitudes "
        "nuevas, y este no fue registrado. Inténtelo mañana, o responda a una solicitud que ya tenga "
        "(sus respuestas siempre se registran) o use el portal.\n\n"
        "Today we received more emails from your address than we can register as new requests, and "
        "this one was not registered. Try again tomorrow, reply to a request you already have (replies "
        "are always registered) or use the portal.\n",
    )
    return "rate_limited:told"


def _refuse_malformed(head: bytes) -> str:
    address, message_id, headers = _sender_of(head)
    if not _refusal_allowed(address, message_id, headers):
        return "malformed"
    assert address is not None
    _auto_reply(
        address,
        message_id,
        "No pudimos leer su correo / We could not read your email",
        "Su correo no se pudo leer y no fue registrado. Envíelo de nuevo o use el portal.\n\n"
        "Your email could not be read and was not registered. Send it again or use the portal.\n",
    )
    return "malformed"
