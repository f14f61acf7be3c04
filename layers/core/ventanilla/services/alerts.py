"""Monitoring systems open requests (seed 002): signed webhooks, one open request per alert.

A source (managed by admins) has an HMAC secret; every call carries
``X-Ventanilla-Signature: sha256=<hex HMAC-SHA256 of the raw body>``. A firing alert opens a request
(channel ``monitoring``) unless its fingerprint already has an open one: then the repeat is counted
and noted. A resolved alert adds a note and, when the source says so, resolves the request. A
delivery with an ``id`` (the simple shape's) is processed once; without one, a payload sent again
is a repeat of its alerts (Alertmanager re-sends while an alert fires).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from ventanilla.auth import Principal
from ventanilla.errors import FieldError, NotFound, Unauthorized, ValidationFailed
from ventanilla.models.alerts import (
    Alert,
    AlertOutcome,
    AlertSource,
    AlertSourceIn,
    AlertSourceList,
    AlertSourceView,
    AlertsReceived,
    alerts_of,
)
from ventanilla.models.common import Channel, is_code, utcnow
from ventanilla.models.ticket import Actor, CreateTicketIn, RequesterIn
from ventanilla.rules.constant_time import same
from ventanilla.rules.state_machine import OPEN_STATUSES, Status, check_move
from ventanilla.storage import alerts as store
from ventanilla.storage import catalog as catalog_store
from ventanilla.storage import tickets as ticket_store

ADMIN_ROLES = ("admin",)

# ---- the asset inventory's hook ------------------------------------------------------------------

AssetLookup = Callable[[str], str | None]
_asset_lookup: AssetLookup | None = None


def register_asset_lookup(lookup: AssetLookup | None) -> None:
    """Let an asset inventory link alerts to assets: ``lookup(host name)`` answers an asset id or
    None. Without one registered, alerts carry the host name only."""
    global _asset_lookup
    _asset_lookup = lookup


def asset_for_host(host: str | None) -> str | None:
    """The inventory number of the asset an alert's host names (the asset inventory's, unless
    another lookup is registered), None when no asset has that host name, number or serial."""
    if not host:
        return None
    if _asset_lookup is not None:
        return _asset_lookup(host)
    from ventanilla.services import assets  # the inventory: only alerts that name a host read it

    name = host.strip()
    if name.count(":") == 1:  # Alertmanager's instance label: "host:port"
        name = name.split(":", 1)[0]
    found = assets.asset_for_alert(name)
    return found.inventory_number if found else None


def _link_asset(number: str, asset: str | None) -> None:
    """Link the request an alert opened to the asset it names (its incident history)."""
    if asset is None or _asset_lookup is not None:
        return
    from ventanilla.services import assets

    found = assets.asset_for_alert(asset)
    if found is not None:
        assets.link_system(number, found)


# ---- admins ----------------------------------------------------------------------------------------


def _view(s: AlertSource) -> AlertSourceView:
    return AlertSourceView(**s.model_dump(), secret_set=bool(s.secret))


def put_source(principal: Principal, source: str, body: AlertSourceIn) -> AlertSourceView:
    principal.require(*ADMIN_ROLES)
    if not is_code(source):
        raise NotFound("alert_source_not_found")
    existing = store.get_source(source)
    errors = []
    rtype = catalog_store.get_type(body.type)
    if rtype is None:
        errors.append(FieldError("type", "unknown_type"))
    elif rtype.subtype(body.subtype) is None:
        errors.append(FieldError("subtype", "unknown_subtype"))
    elif "internal" not in rtype.audiences:
        errors.append(FieldError("type", "literal_error", {"expected": "internal"}))
    if body.secret is None and existing is None:
        errors.append(FieldError("secret", "missing"))
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    saved = AlertSource(
        source=source,
        name=body.name,
        contact_email=body.contact_email,
        type=body.type,
        subtype=body.subtype,
        form=body.form,
        resolve_on_resolved=body.resolve_on_resolved,
        secret=body.secret or (existing.secret if existing else ""),
        updated_at=utcnow(),
    )
    store.put_source(saved)
    return _view(saved)


def list_sources(principal: Principal) -> AlertSourceList:
    principal.require(*ADMIN_ROLES)
    return AlertSourceList(items=[_view(s) for s in store.list_sources()])


# ---- the webhook -----------------------------------------------------------------------------------


def signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def receive(
    source_code: str, raw: bytes, given_signature: str | None, payload: dict[str, Any]
) -> AlertsReceived:
    source = store.get_source(source_code) if is_code(source_code) else None
    if source is None:
        raise NotFound("alert_source_not_found")
    if not given_signature or not same(given_signature.strip(), signature(source.secret, raw)):
        raise Unauthorized("bad_signature")
    alerts, delivery = alerts_of(payload)  # pydantic's ValidationError: the route words it (422)
    if not alerts:
        raise ValidationFailed("validation_failed", errors=[FieldError("alerts", "missing")])
    # Without an id a payload is not a replay: a monitor re-sending the same alert is a repeat.
    if delivery is not None and not store.first_delivery(source.source, delivery):
        return AlertsReceived(replay=True)
    try:
        return AlertsReceived(results=[_one(source, alert) for alert in alerts])
    except Exception:
        if delivery is not None:
            store.forget_delivery(source.source, delivery)  # the sender's retry is then processed
        raise


def _actor(source: AlertSource) -> Actor:
    return Actor(kind="system", id=f"monitoring:{source.source}", name=source.name)


def _text(alert: Alert) -> str:
    lines = [alert.summary, f"Severidad / severity: {alert.severity}"]
    if alert.host:
        lines.append(f"Equipo / host: {alert.host}")
    if alert.details:
        lines.append(alert.details)
    return "\n".join(lines)


def _one(source: AlertSource, alert: Alert) -> AlertOutcome:
    from ventanilla.services.tickets import create_ticket, new_event

    opened = store.open_alert(source.source, alert.fingerprint)
    ticket = ticket_store.get_ticket(str(opened["number"])) if opened else None
    if ticket is not None and ticket.status not in OPEN_STATUSES:
        store.close_open(source.source, alert.fingerprint)
        ticket = None
    now = utcnow()
    actor = _actor(source)
    asset = asset_for_host(alert.host)
    extra = {"fingerprint": alert.fingerprint, "severity": alert.severity, "host": alert.host, "asset": asset}
    if alert.status == "firing":
        if ticket is None:
            body = CreateTicketIn(
                type=source.type,
                subtype=source.subtype,
                subject=f"[{alert.severity}] {alert.summary}"[:200],
                description=_text(alert),
                form=source.form,
                requester=RequesterIn(
                    name=source.name, email=source.contact_email, channels=[], kind="internal", consent=True
                ),
                channel=Channel.MONITORING,
            )
            created = create_ticket(body, system=actor)
            store.claim_open(source.source, alert.fingerprint, created.number)
            _link_asset(created.number, asset)
            ticket_store.append_events(
                [
                    new_event(
                        created.number,
                        actor,
                        "note",
                        public=False,
                        channel=Channel.MONITORING,
                        body=f"Alerta {alert.fingerprint}",
                        at=now,
                        **extra,
                    )
                ]
            )
            return AlertOutcome(
                fingerprint=alert.fingerprint, action="created", number=created.number, count=1
            )
        count = store.repeat(source.source, alert.fingerprint)
        note = f"La alerta se repite (vez n.º {count}): {alert.summary} / The alert fired again (#{count})"
        ticket_store.append_events(
            [
                new_event(
                    ticket.number,
                    actor,
                    "note",
                    public=False,
                    channel=Channel.MONITORING,
                    body=note,
                    at=now,
                    count=count,
                    **extra,
                )
            ]
        )
        return AlertOutcome(
            fingerprint=alert.fingerprint, action="repeated", number=ticket.number, count=count
        )
    if ticket is None:
        return AlertOutcome(fingerprint=alert.fingerprint, action="ignored")
    store.close_open(source.source, alert.fingerprint)
    note = f"La alerta se resolvió en el origen: {alert.summary} / The alert resolved at the source"
    events = [
        new_event(
            ticket.number, actor, "note", public=False, channel=Channel.MONITORING, body=note, at=now, **extra
        )
    ]
    if source.resolve_on_resolved:
        try:
            check_move(ticket.status, Status.RESOLVED)
        except Exception:
            ticket_store.append_events(events)
            return AlertOutcome(fingerprint=alert.fingerprint, action="noted", number=ticket.number)
        from ventanilla.services.tickets import _moved, with_sla

        events.append(
            new_event(
                ticket.number,
                actor,
                "status_changed",
                public=True,
                at=now,
                status=Status.RESOLVED.value,
                previous=ticket.status.value,
            )
        )
        updated = _moved(ticket, Status.RESOLVED, now).model_copy(
            update={"updated_at": now, "version": ticket.version + 1}
        )
        updated = with_sla(ticket, updated, events, now)
        ticket_store.save_change(ticket.version, updated, events)
        return AlertOutcome(fingerprint=alert.fingerprint, action="resolved", number=ticket.number)
    ticket_store.append_events(events)
    return AlertOutcome(fingerprint=alert.fingerprint, action="noted", number=ticket.number)
