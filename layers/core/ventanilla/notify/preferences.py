"""Which channels a notice actually goes to, from the person's choices and the contact data known."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

from ventanilla.models.base import Model
from ventanilla.notify.events import DELIVERY_CHANNELS, Channel, Kind

DeliveryChannel = Literal["email", "sms", "push"]


class Preferences(Model):
    """A citizen's (or staff member's) notice choices (C2: citizens choose their channels)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channels: frozenset[DeliveryChannel] = frozenset[DeliveryChannel]({"email"})
    language: Literal["es", "en"] = "es"
    opted_out: frozenset[DeliveryChannel] = frozenset()
    """Channels unsubscribed with an opt-out link; they win over ``channels``."""


class Contact(Model):
    """Where a person can be reached; already normalised (see :mod:`ventanilla.notify.contacts`)."""

    model_config = ConfigDict(frozen=True)

    email: str | None = None
    phone: str | None = None
    push: bool = False
    """True when a device is registered for push notices."""


def _reachable(channel: Channel, contact: Contact) -> bool:
    if channel is Channel.EMAIL:
        return bool(contact.email)
    if channel is Channel.SMS:
        return bool(contact.phone)
    return contact.push


def channels_for(kind: Kind, prefs: Preferences, contact: Contact) -> list[Channel]:
    """The delivery channels for ``kind``, in the order email, SMS, push.

    A channel applies when chosen, reachable (SMS needs a phone...) and not opted out. Essential
    notices (the receipt, a legal deadline extension) fall back to the first reachable channel not
    opted out when none of the chosen ones applies. The web timeline always gets the notice and
    is not listed. An empty list means nothing can be sent: the caller records that on the ticket.
    """
    usable = [c for c in DELIVERY_CHANNELS if _reachable(c, contact) and c.value not in prefs.opted_out]
    chosen = [c for c in usable if c.value in prefs.channels]
    if chosen or not kind.essential:
        return chosen
    return usable[:1]
