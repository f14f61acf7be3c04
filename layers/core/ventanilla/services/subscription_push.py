"""Alerts by Web Push: a browser joins a subscription (the citizen pressed "Recibir avisos en este
teléfono" on the management page), and the proactive channel ``webpush`` sends each alert to the
subscription's browsers and, when a citizen account subscribed, to the account's own browsers
(``CITIZEN#<id>`` devices, the ones that already get the account's request notices).

The browser's permission prompt is the opt-in (nobody can add a browser they do not hold), so push
needs no confirmation link; the consent ledger records it all the same. The payload carries the
alert's title, its short text and the portal's address, nothing about the person. A push service
answering 404/410 says the browser is gone: it leaves the subscription (and its audience items) or
the account, as the notifier does for request notices.
"""

from __future__ import annotations

from typing import Any

import ventanilla.proactive.messages  # noqa: F401  (registers the messages)
from ventanilla.errors import Conflict, FieldError, ValidationFailed
from ventanilla.integrations import messaging
from ventanilla.integrations import secrets as secret_store
from ventanilla.models.proactive import SUBSCRIPTION_MAX_PUSH, SubscriptionDeviceIn, SubscriptionOut
from ventanilla.proactive import channels
from ventanilla.settings import get_settings
from ventanilla.storage import notices as notice_store
from ventanilla.storage import subscriptions as store

CHANNEL = "webpush"
GONE = ("subscription_gone", "subscription_invalid")


def add_device(sub_id: str, token: str | None, body: SubscriptionDeviceIn) -> SubscriptionOut:
    """File this browser under the subscription (the same endpoint again only renews its keys)."""
    from ventanilla.integrations import webpush
    from ventanilla.services import subscriptions

    record = subscriptions.check_token(sub_id, token)
    sub = body.subscription
    if secret_store.vapid_keys() is None:
        raise Conflict("sub_push_not_configured")
    if not webpush.allowed_endpoint(sub.endpoint, tuple(get_settings().webpush_allowed_hosts.split(","))):
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("subscription.endpoint", "sub_push_service_unknown")]
        )
    entry = {"endpoint": sub.endpoint, "p256dh": sub.keys.p256dh, "auth": sub.keys.auth}
    others = [w for w in record.webpush if w.get("endpoint") != sub.endpoint]
    known = len(others) < len(record.webpush)
    if not known and len(others) >= SUBSCRIPTION_MAX_PUSH:
        raise Conflict("sub_push_too_many", {"limit": SUBSCRIPTION_MAX_PUSH})
    new = record.model_copy(update={"webpush": [*others, entry], "version": record.version + 1})
    action = None if known else "confirmed"
    store.save(record, new, action, {"channel": CHANNEL, "by": "browser_permission"})
    return subscriptions.out(new)


def remove_device(sub_id: str, endpoint: str, reason: str) -> bool:
    """Take a browser off the subscription and its audience items; False when it was not there."""
    for _ in range(3):
        record = store.get(sub_id)
        if record is None or all(w.get("endpoint") != endpoint for w in record.webpush):
            return False
        rest = [w for w in record.webpush if w.get("endpoint") != endpoint]
        new = record.model_copy(update={"webpush": rest, "version": record.version + 1})
        try:
            store.save(record, new, "push_removed", {"channel": CHANNEL, "reason": reason})
        except store.StaleSubscription:
            continue
        return True
    return False


def _targets(recipient: dict[str, Any]) -> list[tuple[dict[str, str], str | None]]:
    """(subscription, account device id or None) for each browser, each endpoint once."""
    found: dict[str, tuple[dict[str, str], str | None]] = {}
    for entry in recipient.get("webpush") or []:
        found.setdefault(str(entry["endpoint"]), (dict(entry), None))
    citizen_id = recipient.get("citizen_id")
    if citizen_id:
        owner = notice_store.citizen_owner(str(citizen_id))
        for device in notice_store.devices(owner):
            if device.get("platform") == CHANNEL and device.get("subscription"):
                value = {k: str(v) for k, v in dict(device["subscription"]).items()}
                found.setdefault(value["endpoint"], (value, str(device["device_id"])))
    return list(found.values())


def payload(message: channels.Outgoing, lang: str) -> dict[str, Any]:
    """What the service worker shows: the alert's title and short text, and the portal's home."""
    body = message.short
    if body.startswith(message.subject + ". "):
        body = body[len(message.subject) + 2 :]
    return {
        "v": 1,
        "kind": "service_alert",
        "title": message.subject[:120],
        "body": body[:240],
        "url": message.url,
        "lang": "en" if lang == "en" else "es",
    }


def send(recipient: dict[str, Any], message: channels.Outgoing) -> bool:
    """The proactive sender of ``webpush`` (the notifier's library path: integrations.webpush)."""
    from ventanilla.integrations import webpush

    targets = _targets(recipient)
    if not targets:
        return False
    keys = secret_store.vapid_keys()
    if keys is None:
        raise messaging.Permanent("push_not_configured")
    settings = get_settings()
    contact = settings.vapid_contact or f"mailto:{settings.email_sender}"
    data = payload(message, str(recipient.get("lang", "es")))
    sent = 0
    errors: list[messaging.SendError] = []
    for subscription, device_id in targets:
        try:
            webpush.send(subscription, data, keys["private_key"], contact)
            sent += 1
        except messaging.Permanent as error:
            if error.code in GONE:
                if device_id is None:
                    remove_device(str(recipient["sub_id"]), subscription["endpoint"], error.code)
                else:
                    owner = notice_store.citizen_owner(str(recipient["citizen_id"]))
                    notice_store.delete_device(owner, device_id)
            errors.append(error)
        except messaging.Transient as error:
            errors.append(error)
    if sent:
        return True
    transient = [e for e in errors if isinstance(e, messaging.Transient)]
    raise transient[0] if transient else errors[0]


def register() -> None:
    """Name ``webpush`` in the proactive channel registry (PROACTIVE_CHANNEL_ORDER puts it first)."""
    channels.register(CHANNEL, send)
