"""Which request an incoming email belongs to, and which emails must never open one.

A reply is recognised three ways, as the best help desks do: its ``In-Reply-To``/``References``
name a message of the request's thread, its subject carries ``[2026-000123]``, or it was sent to the
request's own ``+token`` address (``solicitudes+2026-000123.k3j9x2@...``, signed so a stranger cannot
make one up). Whichever way, only the requester's own address may add to the request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable, Mapping

from ventanilla.rules.constant_time import same

NUMBER_IN_SUBJECT = re.compile(r"\[(\d{4}-\d{6})\]")
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,500})>")
_OURS = re.compile(r"^v\.(\d{4}-\d{6})\.[0-9a-f]{8,32}@(.+)$")
_TOKEN = re.compile(r"^(\d{4}-\d{6})\.([a-z0-9]{10})$")
_AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|noreply|bounce[s]?)([+@]|$)", re.I)
_PREFIX = re.compile(r"^\s*((re|rv|fw|fwd|res|aw|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.I)


def message_ids(value: str | None) -> list[str]:
    """The ids in a ``Message-ID``, ``In-Reply-To`` or ``References`` header, without brackets."""
    if not value:
        return []
    found = _MESSAGE_ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]  # some clients leave the brackets out
    return found[:50]


def our_message_id(number: str, domain: str) -> str:
    """A Message-ID for a notice of request ``number`` (a reply to it names the request)."""
    return f"<v.{number}.{uuid.uuid4().hex[:16]}@{domain}>"


def number_of_our_id(message_id: str, domain: str) -> str | None:
    match = _OURS.match(message_id.strip("<>"))
    return match.group(1) if match and match.group(2).lower() == domain.lower() else None


def number_in_subject(subject: str) -> str | None:
    match = NUMBER_IN_SUBJECT.search(subject or "")
    return match.group(1) if match else None


def clean_subject(subject: str) -> str:
    """The subject without ``Re:``/``RV:``/``Fwd:`` and without our ``[number]`` tag."""
    return " ".join(NUMBER_IN_SUBJECT.sub(" ", _PREFIX.sub("", subject or "")).split())


def _signature(key: bytes, number: str) -> str:
    digest = hmac.new(key, f"reply-address:{number}".encode(), hashlib.sha256).hexdigest()
    return format(int(digest[:16], 16), "x").rjust(10, "0")[:10]


def reply_address(requests_address: str, number: str, key: bytes) -> str:
    """The request's own address: ``local+<number>.<signature>@domain``."""
    local, _, domain = requests_address.partition("@")
    return f"{local}+{number}.{_signature(key, number)}@{domain}"


def number_of_address(address: str, requests_address: str, key: bytes) -> str | None:
    """The request a ``+token`` address belongs to, when its signature is ours."""
    local, _, domain = address.strip().lower().partition("@")
    base_local, _, base_domain = requests_address.lower().partition("@")
    user, plus, token = local.partition("+")
    if not plus or user != base_local or domain != base_domain:
        return None
    match = _TOKEN.match(token)
    if match is None or not same(match.group(2), _signature(key, match.group(1))):
        return None
    return match.group(1)


def automatic_reason(headers: Mapping[str, str], sender: str, own_addresses: Iterable[str]) -> str | None:
    """Why this mail is machine-made and must not open a request (RFC 3834 and common practice),
    or None for a person's mail. ``headers`` has lower-case names."""
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return "auto_submitted"
    if headers.get("precedence", "").strip().lower() in ("bulk", "junk", "list", "auto_reply"):
        return "precedence"
    if any(name in headers for name in ("x-autoreply", "x-autorespond", "x-autoresponder")):
        return "auto_reply"
    if "list-id" in headers:
        return "mailing_list"
    content_type = headers.get("content-type", "").lower()
    if "multipart/report" in content_type or "message/delivery-status" in content_type:
        return "bounce"
    if "return-path" in headers and headers["return-path"].strip() in ("<>", ""):
        return "bounce"  # the null envelope sender: a delivery report
    if not sender or _AUTOMATIC_SENDERS.match(sender):
        return "automatic_sender"
    if sender.lower() in {a.lower() for a in own_addresses if a}:
        return "loop"
    return None
