"""Outage and emergency alerts: a supervisor publishes one for sectors and topics; it goes out at
once to the confirmed subscribers of those (sector, topic) pairs (ventanilla.services.fanout), and
each update ("restablecido") to the same audience.
"""

from __future__ import annotations

import secrets
from typing import Any

import ventanilla.proactive.messages  # noqa: F401  (registers the messages)
from ventanilla.auth import Principal
from ventanilla.errors import Conflict, NotFound
from ventanilla.models.common import utcnow
from ventanilla.models.proactive import (
    ServiceAlert,
    ServiceAlertBanner,
    ServiceAlertBannerList,
    ServiceAlertIn,
    ServiceAlertList,
    ServiceAlertUpdate,
    ServiceAlertUpdateIn,
)
from ventanilla.services.audience import check_audience
from ventanilla.storage import areas as area_store
from ventanilla.storage import service_alerts as store

PUBLISHERS = ("supervisor", "admin")
MAX_UPDATES = 20


def publish(principal: Principal, body: ServiceAlertIn) -> ServiceAlert:
    check_audience(body.topics, body.sectors)
    now = utcnow()
    alert = ServiceAlert(
        id=f"{now:%Y%m%d}-{secrets.token_hex(4)}",
        title=body.title,
        text=body.text,
        sectors=list(dict.fromkeys(body.sectors)),
        topics=list(dict.fromkeys(body.topics)),
        service=body.service,
        severity=body.severity,
        starts_at=body.starts_at or now,
        expected_end=body.expected_end,
        status="open",
        updates=[ServiceAlertUpdate(n=0, kind="published", text=body.text, at=now, by=principal.username)],
        created_at=now,
        created_by=principal.username,
    )
    store.create(alert)
    start_fanout(alert, 0)
    return alert


def add_update(principal: Principal, alert_id: str, body: ServiceAlertUpdateIn) -> ServiceAlert:
    old = store.get(alert_id)
    if old is None:
        raise NotFound("service_alert_not_found", {"id": alert_id})
    if old.status != "open":
        raise Conflict("service_alert_closed", {"id": alert_id})
    if len(old.updates) >= MAX_UPDATES:
        raise Conflict("service_alert_too_many_updates", {"limit": MAX_UPDATES})
    n = len(old.updates)
    new = old.model_copy(
        update={
            "updates": [
                *old.updates,
                ServiceAlertUpdate(n=n, kind=body.kind, text=body.text, at=utcnow(), by=principal.username),
            ],
            "status": "restored" if body.kind == "restored" else "open",
            "expected_end": body.expected_end or old.expected_end,
            "version": old.version + 1,
        }
    )
    try:
        store.save(old, new)
    except store.StaleAlert as error:
        raise Conflict("service_alert_changed", {"id": alert_id}) from error
    start_fanout(new, n)
    return new


def get(alert_id: str) -> ServiceAlert:
    alert = store.get(alert_id)
    if alert is None:
        raise NotFound("service_alert_not_found", {"id": alert_id})
    return alert.model_copy(update={"figures": store.figures(alert_id)})


def listing() -> ServiceAlertList:
    alerts = store.recent()
    return ServiceAlertList(items=[a.model_copy(update={"figures": store.figures(a.id)}) for a in alerts])


def banners(lang: str, service: str | None = None) -> ServiceAlertBannerList:
    """Open alerts for the portal's banner (home: all; a help page: those about its service)."""
    items = []
    for a in store.recent():
        if a.status != "open" or (service and a.service and a.service != service):
            continue
        latest = a.updates[-1].text if a.updates else a.text
        items.append(
            ServiceAlertBanner(
                id=a.id,
                title=a.title.en if lang == "en" and a.title.en else a.title.es,
                text=latest.en if lang == "en" and latest.en else latest.es,
                severity=a.severity,
                sectors=a.sectors,
                service=a.service,
                starts_at=a.starts_at,
                expected_end=a.expected_end,
            )
        )
    return ServiceAlertBannerList(items=items)


def open_alert_for(sector: str | None, request_type: str) -> str | None:
    """The open alert a request filed in ``sector`` about ``request_type`` belongs to, if any."""
    if not sector:
        return None
    for item in store.open_in(sector):
        if item.get("service") == request_type:
            return str(item["alert_id"])
    return None


# ---- as a fan-out source (ventanilla.services.fanout) ----------------------------------------------


def start_fanout(alert: ServiceAlert, update_n: int) -> None:
    from ventanilla.services import fanout

    fanout.start("alert", alert.id, update_n)


class AlertSource:
    """An alert update: every confirmed channel, in PROACTIVE_CHANNEL_ORDER, every language."""

    channels: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None
    segment: dict[str, Any] | None = None

    def __init__(self, alert: ServiceAlert) -> None:
        self.alert = alert

    @staticmethod
    def load(source_id: str) -> AlertSource | None:
        alert = store.get(source_id)
        return AlertSource(alert) if alert else None

    def pairs(self) -> list[list[str]]:
        return [[s, t] for s in [*self.alert.sectors, "*"] for t in self.alert.topics]

    def figures_pk(self) -> str:
        return f"SVCALERT#{self.alert.id}"

    def render(self, n: int, lang: str, manage_url: str) -> tuple[str, str, str, str]:
        """(subject, text, html, short) of update ``n`` in ``lang``."""
        from ventanilla.proactive.render import render

        alert = self.alert
        update = alert.updates[n] if n < len(alert.updates) else alert.updates[-1]
        title = alert.title.en if lang == "en" and alert.title.en else alert.title.es
        if update.kind == "restored":
            title = f"Restored: {title}" if lang == "en" else f"Restablecido: {title}"
        elif update.kind == "update":
            title = f"Update: {title}" if lang == "en" else f"Actualización: {title}"
        text = update.text.en if lang == "en" and update.text.en else update.text.es
        end = alert.expected_end.strftime("%Y-%m-%d %H:%M UTC") if alert.expected_end else ""
        names = {str(i["code"]): str(i.get("name", i["code"])) for i in area_store.sectors()}
        body_text, body_html = render(
            "alert",
            lang=lang,
            title=title,
            text=text,
            expected_end=end,
            sectors=", ".join(names.get(s, s) for s in alert.sectors),
            manage_url=manage_url,
        )
        return title, body_text, body_html, f"{title}. {text}"


def stored(alert_id: str) -> ServiceAlert | None:
    """The alert as stored, or None (the audit trail's "before" and "after")."""
    return store.get(alert_id)
