"""The channels an alert goes out on, in a configurable order (PROACTIVE_CHANNEL_ORDER).

A sender takes one recipient (an audience item: language, confirmed email / phone) and the rendered
message; it answers False when that recipient has no address on the channel, raises
``messaging.Permanent`` / ``messaging.Transient`` as the integrations do. Another channel (Web Push)
joins by calling :func:`register` and being named in the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ventanilla.integrations import messaging
from ventanilla.settings import get_settings


@dataclass(frozen=True)
class Outgoing:
    """One message in one language: subject / title, text, HTML and the links it carries."""

    subject: str
    text: str
    html: str
    short: str
    """The SMS / push body (title and the first sentence)."""
    url: str
    unsubscribe_url: str
    source_tag: str = ""
    """The alert or campaign it belongs to (an SES message tag, see services/proactive_figures)."""


Sender = Callable[[dict[str, Any], Outgoing], bool]
_SENDERS: dict[str, Sender] = {}


def register(name: str, sender: Sender) -> None:
    _SENDERS[name] = sender


def order() -> list[tuple[str, Sender]]:
    names = get_settings().proactive_channel_order.split(",")
    return [(n, _SENDERS[n]) for n in names if n in _SENDERS]


def _email(recipient: dict[str, Any], message: Outgoing) -> bool:
    address = recipient.get("email")
    if not address:
        return False
    settings = get_settings()
    raw = messaging.build_email(
        settings.email_sender,
        settings.institution_name,
        str(address),
        message.subject,
        message.text,
        message.html,
        message.unsubscribe_url,
    )
    tags = {"ventanilla-source": message.source_tag} if message.source_tag else None
    messaging.send_email(
        settings.email_sender, str(address), raw, settings.ses_configuration_set or None, tags
    )
    return True


def _sms(recipient: dict[str, Any], message: Outgoing) -> bool:
    phone = recipient.get("phone")
    if not phone:
        return False
    messaging.send_sms(str(phone), message.short[:300], get_settings().sms_sender_id or None)
    return True


def _push(recipient: dict[str, Any], message: Outgoing) -> bool:
    endpoint = recipient.get("push_endpoint")
    if not endpoint:
        return False
    messaging.send_push(str(endpoint), message.subject, message.short, message.url)
    return True


register("push", _push)
register("sms", _sms)
register("email", _email)
