"""What the platform notifies people about (C2 for citizens, C3 for staff) and through which channels."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"


class Channel(StrEnum):
    """Delivery channels. ``WEB`` is the ticket timeline: always written, never templated."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    WEB = "web"


DELIVERY_CHANNELS: tuple[Channel, ...] = (Channel.EMAIL, Channel.SMS, Channel.PUSH)
"""Channels that send a message and so need a template, in order of preference."""


class Kind(StrEnum):
    """A notification kind; the value is the template file stem."""

    # Citizen notices (C2, B1, B5, B9).
    TICKET_RECEIVED = "ticket_received"
    TICKET_ASSIGNED = "ticket_assigned"
    TICKET_IN_PROGRESS = "ticket_in_progress"
    PUBLIC_REPLY = "public_reply"
    WAITING_FOR_CITIZEN = "waiting_for_citizen"
    TICKET_RESOLVED = "ticket_resolved"
    TICKET_REOPENED = "ticket_reopened"
    DEADLINE_EXTENDED = "deadline_extended"
    TICKET_MERGED = "ticket_merged"
    # Staff alerts (C3, B4).
    TICKET_ASSIGNED_TO_YOU = "ticket_assigned_to_you"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    TICKET_ESCALATED = "ticket_escalated"
    CITIZEN_REPLIED = "citizen_replied"

    @property
    def audience(self) -> Audience:
        return Audience.STAFF if self in _STAFF_KINDS else Audience.CITIZEN

    @property
    def essential(self) -> bool:
        """Must reach the person on some channel even if they chose none that applies.

        The receipt carries the number and access code the citizen needs to follow the request
        (B1), and a legal deadline extension must be notified to the requester (B9, e.g. Chile
        Ley 20.285 art. 14). A merge changes the number the citizen follows. Opt-outs are still honoured.
        """
        return self in _ESSENTIAL_KINDS


_STAFF_KINDS = frozenset(
    {
        Kind.TICKET_ASSIGNED_TO_YOU,
        Kind.SLA_WARNING,
        Kind.SLA_BREACHED,
        Kind.TICKET_ESCALATED,
        Kind.CITIZEN_REPLIED,
    }
)
_ESSENTIAL_KINDS = frozenset({Kind.TICKET_RECEIVED, Kind.DEADLINE_EXTENDED, Kind.TICKET_MERGED})

CITIZEN_KINDS: tuple[Kind, ...] = tuple(k for k in Kind if k.audience is Audience.CITIZEN)
STAFF_KINDS: tuple[Kind, ...] = tuple(k for k in Kind if k.audience is Audience.STAFF)
