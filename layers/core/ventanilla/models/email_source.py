"""The raw source of a message that came by email, as an agent asks for it."""

from __future__ import annotations

from datetime import datetime

from ventanilla.models.base import Model


class EmailHeaderOut(Model):
    name: str
    value: str


class EmailSourceOut(Model):
    """The mail's headers (at most 100, each cut at 2,000 characters) and a five-minute link to the
    whole message (.eml) as it was received."""

    headers: list[EmailHeaderOut]
    url: str
    expires_at: datetime
