"""Outage and emergency alerts: a supervisor publishes one for sectors and topics; it goes out at
once to the confirmed subscribers of those (sector, topic) pairs, and each update ("restablecido")
to the same audience.

The fan-out runs through the proactive queue, one bounded step per message, so no function runs
past its timeout whatever the audience: a ``page`` message Queries one page of one
``AUD#<sector>#<topic>`` partition and enqueues a ``deliver`` message with those recipients and the
next ``page`` message (delayed to keep PROACTIVE_SEND_RATE); a ``deliver`` message sends on each
recipient's channels in order, each send behind a conditional marker, so a retried message, or a
subscriber found in two partitions, never gets the same update twice.
"""

from __future__ import annotations

import json
import math
import secrets
from typing import Any

import ventanilla.proactive.messages  # noqa: F401  (registers the messages)
from ventanilla.auth import Principal
from ventanilla.errors import Conflict, FieldError, NotFound, ValidationFailed
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
from ventanilla.settings import get_settings
from ventanilla.storage import areas as area_store
from ventanilla.storage import service_alerts as store
from ventanilla.storage import subscriptions as sub_store

PUBLISHERS = ("supervisor", "admin")
MAX_UPDATES = 20


def _check(body: ServiceAlertIn) -> None:
    known_topics = {t.code for t in sub_store.topics()}
    errors = [
        FieldError(f"topics.{n}", "sub_topic_unknown", {"name": c})
        for n, c in enumerate(body.topics)
        if c not in known_topics
    ]
    errors += [
        FieldError(f"sectors.{n}", "area_not_found", {"name": s})
        for n, s in enumerate(body.sectors)
        if area_store.sector(s) is None
    ]
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)


def publish(principal: Principal, body: ServiceAlertIn) -> ServiceAlert:
    _check(body)
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


# ---- fan-out ---------------------------------------------------------------------------------------


def _pairs(alert: ServiceAlert) -> list[list[str]]:
    sectors = [*alert.sectors, "*"]
    return [[s, t] for s in sectors for t in alert.topics]


def start_fanout(alert: ServiceAlert, update_n: int) -> None:
    enqueue({"kind": "page", "alert": alert.id, "n": update_n, "part": 0, "cursor": None})


def enqueue(message: dict[str, Any], delay: int = 0) -> None:
    from ventanilla.integrations import proactive_queue

    proactive_queue.send(json.dumps(message), delay)


def handle(message: dict[str, Any]) -> dict[str, int]:
    """One step of a fan-out (see the module's docstring); raises to have the message retried."""
    kind = message.get("kind")
    if kind == "page":
        return _page(message)
    if kind == "deliver":
        return _deliver(message)
    return {"ignored": 1}


def _page(message: dict[str, Any]) -> dict[str, int]:
    alert = store.get(str(message["alert"]))
    if alert is None:
        return {"ignored": 1}
    pairs = _pairs(alert)
    part = int(message.get("part", 0))
    if part >= len(pairs):
        return {"done": 1}
    settings = get_settings()
    sector, topic = pairs[part]
    cursor = message.get("cursor")
    recipients, next_key = sub_store.audience_page(sector, topic, settings.proactive_batch, cursor)
    if recipients:
        enqueue(
            {
                "kind": "deliver",
                "alert": alert.id,
                "n": int(message["n"]),
                "recipients": [_slim(r) for r in recipients],
            }
        )
    delay = min(900, math.floor(len(recipients) / settings.proactive_send_rate))
    if next_key:
        enqueue({**message, "cursor": {k: str(v) for k, v in next_key.items()}}, delay)
    elif part + 1 < len(pairs):
        enqueue({**message, "part": part + 1, "cursor": None}, delay)
    return {"recipients": len(recipients)}


def _slim(item: dict[str, Any]) -> dict[str, Any]:
    return {k: str(item[k]) for k in ("sub_id", "lang", "email", "phone", "push_endpoint") if item.get(k)}


def _deliver(message: dict[str, Any]) -> dict[str, int]:
    from ventanilla.integrations import messaging
    from ventanilla.proactive import channels
    from ventanilla.storage import notices as notice_store

    alert = store.get(str(message["alert"]))
    if alert is None:
        return {"ignored": 1}
    n = int(message["n"])
    ref = f"{alert.id}#{n}"
    counts: dict[str, int] = {}
    transient = 0
    rendered: dict[str, channels.Outgoing] = {}
    for recipient in message.get("recipients") or []:
        sub_id = recipient["sub_id"]
        if store.claim(ref, sub_id, "any"):
            counts["audience"] = counts.get("audience", 0) + 1
        lang = recipient.get("lang", "es")
        if lang not in rendered:
            rendered[lang] = _render(alert, n, lang, sub_id)
        outgoing = _personal(rendered[lang], sub_id)
        for name, sender in channels.order():
            if name == "email" and recipient.get("email") and notice_store.suppression(recipient["email"]):
                counts["skipped"] = counts.get("skipped", 0) + 1
                continue
            if not _has(name, recipient):
                continue
            if not store.claim(ref, sub_id, name):
                continue
            try:
                sender(recipient, outgoing)
            except messaging.Permanent:
                counts["failed"] = counts.get("failed", 0) + 1
                continue
            except messaging.Transient:
                store.unclaim(ref, sub_id, name)
                transient += 1
                continue
            counts["sent"] = counts.get("sent", 0) + 1
            counts[f"sent#{name}"] = counts.get(f"sent#{name}", 0) + 1
    store.add_figures(alert.id, counts)
    if transient:
        raise RuntimeError(f"{transient} sends failed transiently; the message comes back")
    return counts


def _has(channel: str, recipient: dict[str, Any]) -> bool:
    field = {"email": "email", "sms": "phone", "push": "push_endpoint"}.get(channel, channel)
    return bool(recipient.get(field))


_SUB_PLACEHOLDER = "__SUBSCRIPTION__"


def _render(alert: ServiceAlert, n: int, lang: str, sub_id: str) -> Any:
    from ventanilla.proactive import channels
    from ventanilla.proactive.render import render

    update = alert.updates[n] if n < len(alert.updates) else alert.updates[-1]
    title = alert.title.en if lang == "en" and alert.title.en else alert.title.es
    if update.kind == "restored":
        title = f"Restored: {title}" if lang == "en" else f"Restablecido: {title}"
    elif update.kind == "update":
        title = f"Update: {title}" if lang == "en" else f"Actualización: {title}"
    text = update.text.en if lang == "en" and update.text.en else update.text.es
    end = alert.expected_end.strftime("%Y-%m-%d %H:%M UTC") if alert.expected_end else ""
    names = area_store_names()
    sector_names = ", ".join(names.get(s, s) for s in alert.sectors)
    body_text, body_html = render(
        "alert",
        lang=lang,
        title=title,
        text=text,
        expected_end=end,
        sectors=sector_names,
        manage_url=_SUB_PLACEHOLDER,
    )
    return channels.Outgoing(
        subject=title,
        text=body_text,
        html=body_html,
        short=f"{title}. {text}"[:300],
        url=f"{get_settings().public_base_url}/#/",
        unsubscribe_url=_SUB_PLACEHOLDER,
    )


def area_store_names() -> dict[str, str]:
    return {str(i["code"]): str(i.get("name", i["code"])) for i in area_store.sectors()}


def _personal(message: Any, sub_id: str) -> Any:
    from dataclasses import replace

    from ventanilla.services import subscriptions

    manage = subscriptions.manage_url(sub_id)
    return replace(
        message,
        text=message.text.replace(_SUB_PLACEHOLDER, manage),
        html=message.html.replace(_SUB_PLACEHOLDER, manage.replace("&", "&amp;")),
        unsubscribe_url=subscriptions.unsubscribe_url(sub_id),
    )
