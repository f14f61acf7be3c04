"""Monitoring systems that open requests (seed 002): their sources and the alerts they send."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from ventanilla.models.base import Model
from ventanilla.models.common import Code, Strict
from ventanilla.models.ticket import FormValue

Severity = Literal["critical", "high", "warning", "info"]


class AlertSourceIn(Strict):
    """What an admin sets for a source; ``secret`` (the HMAC key) only when setting or rotating it."""

    name: str = Field(min_length=2, max_length=120)
    contact_email: str = Field(max_length=254, description="the requester of the requests it opens")
    type: Code
    subtype: Code
    form: dict[str, FormValue] = Field(default_factory=dict, max_length=30)
    resolve_on_resolved: bool = Field(default=False, description="a resolved alert resolves its request")
    secret: str | None = Field(default=None, min_length=16, max_length=256)


class AlertSource(Model):
    source: str
    name: str
    contact_email: str
    type: str
    subtype: str
    form: dict[str, FormValue] = Field(default_factory=dict)
    resolve_on_resolved: bool = False
    secret: str = Field(exclude=True, repr=False)
    """Never serialised (answers show ``secret_set``); storage writes it by name."""
    updated_at: datetime


class AlertSourceView(Model):
    source: str
    name: str
    contact_email: str
    type: str
    subtype: str
    form: dict[str, FormValue]
    resolve_on_resolved: bool
    secret_set: bool
    updated_at: datetime


class AlertSourceList(Model):
    items: list[AlertSourceView]


class Alert(Model):
    """One alert, whichever shape it came in."""

    fingerprint: str = Field(min_length=1, max_length=200)
    status: Literal["firing", "resolved"]
    summary: str = Field(min_length=1, max_length=200)
    details: str = Field(default="", max_length=5000)
    severity: str = Field(default="warning", max_length=40)
    host: str | None = Field(default=None, max_length=253)


class SimpleAlertIn(Strict):
    """The simple shape: one alert per call; ``id`` (optional) names the delivery for replays."""

    id: str | None = Field(default=None, max_length=200)
    fingerprint: str = Field(min_length=1, max_length=200)
    status: Literal["firing", "resolved"]
    summary: str = Field(min_length=1, max_length=200)
    details: str = Field(default="", max_length=5000)
    severity: Severity = "warning"
    host: str | None = Field(default=None, max_length=253)


class AlertOutcome(Model):
    fingerprint: str
    action: Literal["created", "repeated", "resolved", "noted", "ignored"]
    number: str | None = None
    count: int | None = None


class AlertsReceived(Model):
    replay: bool = False
    results: list[AlertOutcome] = Field(default_factory=list)


def alerts_of(payload: dict[str, Any]) -> tuple[list[Alert], str | None]:
    """The alerts of a payload (Alertmanager webhook or the simple shape) and its delivery id."""
    if "alerts" in payload and isinstance(payload["alerts"], list):
        alerts = []
        for raw in payload["alerts"][:50]:
            labels = raw.get("labels") or {}
            notes = raw.get("annotations") or {}
            alerts.append(
                Alert(
                    fingerprint=str(raw.get("fingerprint") or labels.get("alertname") or "")[:200],
                    status="resolved" if raw.get("status") == "resolved" else "firing",
                    summary=str(notes.get("summary") or labels.get("alertname") or "Alerta")[:200],
                    details=str(notes.get("description") or "")[:5000],
                    severity=str(labels.get("severity") or "warning")[:40],
                    host=(str(labels["instance"]).split(":")[0][:253] if labels.get("instance") else None),
                )
            )
        return alerts, None
    simple = SimpleAlertIn.model_validate(payload)
    return [Alert(**simple.model_dump(exclude={"id"}))], simple.id
