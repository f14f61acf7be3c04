"""An agent looks at how a message arrived by email: its headers (Received, SPF/DKIM results,
Message-ID) and the raw message, for a disputed sender or a mail that reads oddly."""

from __future__ import annotations

from datetime import timedelta
from email import policy
from email.message import Message
from email.parser import BytesParser

from ventanilla.auth import Principal
from ventanilla.errors import NotFound
from ventanilla.integrations import files
from ventanilla.models.common import utcnow
from ventanilla.models.email_source import EmailHeaderOut, EmailSourceOut

HEADER_BYTES = 64_000
MAX_HEADERS = 100
LINK_SECONDS = 5 * 60


def _readable(parsed: Message, name: str, raw: str) -> str:
    """A header as a person reads it (encoded words decoded); as received when it cannot be."""
    try:
        value = str(parsed.policy.header_fetch_parse(name, raw))
    except Exception:
        value = str(raw)
    return " ".join(value.encode("utf-8", "replace").decode().split())[:2000]


def staff_source(principal: Principal, number: str, event_id: str) -> EmailSourceOut:
    """404 unless ``event_id`` is an event of the request (of the agent's team) that came by email."""
    from ventanilla.services.tickets import _staff_ticket

    _, history = _staff_ticket(principal, number)
    event = next((e for e in history if e.event_id == event_id), None)
    key = str(event.data.get("mail") or "") if event is not None else ""
    if not key.startswith("mail/"):
        raise NotFound("email_source_not_found")
    try:
        head, _ = files.read(key, HEADER_BYTES)
    except files.Missing as error:  # expired by the bucket's lifecycle (90 days) or never stored
        raise NotFound("email_source_not_found") from error
    parsed = BytesParser(policy=policy.default).parsebytes(head, headersonly=True)
    headers = [
        EmailHeaderOut(name=name[:200], value=_readable(parsed, name, raw))
        for name, raw in parsed.raw_items()
    ]
    headers = headers[:MAX_HEADERS]
    url = files.presigned_get(key, f"{number}-{event_id}.eml", "message/rfc822", LINK_SECONDS)
    return EmailSourceOut(headers=headers, url=url, expires_at=utcnow() + timedelta(seconds=LINK_SECONDS))
