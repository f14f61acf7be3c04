"""Outbound webhooks: admins register endpoints; each domain event is fanned out to the endpoints
subscribed to it and delivered signed, at least once, retried with backoff, then dead-lettered.

Flow: an EventBridge rule puts every ticket domain event on the webhooks queue; the webhook function
turns each such event into one delivery message per subscribed, active endpoint (back on the same
queue), and POSTs each delivery. A failed delivery is made visible again after an exponential
backoff; after WEBHOOK_MAX_RECEIVES receives SQS moves it to the dead-letter queue, from which
admins redrive it. The body of a delivery is fixed at fan-out, so every retry sends the same bytes
(with a fresh timestamp and signature) and the same event id, which receivers deduplicate on.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ventanilla.auth import Principal
from ventanilla.domain_events import SOURCE, DomainEvent
from ventanilla.errors import Conflict, FieldError, NotFound, ValidationFailed
from ventanilla.integrations import queues, webhook_http
from ventanilla.models.common import utcnow
from ventanilla.models.webhooks import (
    Webhook,
    WebhookCreated,
    WebhookDeadLetter,
    WebhookDeadLetterList,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookIn,
    WebhookList,
    WebhookRedriveOut,
)
from ventanilla.rules import egress, webhook_payload
from ventanilla.rules.webhook_signing import (
    EVENT_HEADER,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from ventanilla.settings import get_settings
from ventanilla.storage import webhooks as store

ADMINS = ("admin",)
DELIVERY = "webhook-delivery"
USER_AGENT = "Ventanilla-Webhooks/1.0"


class RetryLater(Exception):
    """The delivery failed; the message goes back to the queue after a backoff."""


# ---- the secret: sealed with the notification secret, the endpoint's id as associated data ------


def _seal(hook_id: str, secret: str) -> str:
    from ventanilla.integrations.secrets import notify_secret
    from ventanilla.notify.sealing import seal

    return seal(notify_secret(), f"webhook:{hook_id}", secret)


def _unseal(hook_id: str, sealed: str) -> str | None:
    from ventanilla.integrations.secrets import notify_secret
    from ventanilla.notify.sealing import open_sealed

    return open_sealed(notify_secret(), f"webhook:{hook_id}", sealed)


# ---- admin ----------------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    """Parse and resolve the URL now, so a bad or private one is refused naming ``url``."""
    allow = get_settings().webhooks_allow_private
    try:
        webhook_http.check_url(egress.parse(url, allow_http=allow), allow)
    except egress.BadUrl as bad:
        raise ValidationFailed("validation_failed", errors=[FieldError("url", bad.code)]) from bad


def _with_secret(hook: Webhook, secret: str) -> Webhook:
    return hook.model_copy(update={"secret_last4": secret[-4:]})


def create(body: WebhookIn, by: Principal) -> WebhookCreated:
    _check_url(body.url)
    if len(store.list_all()) >= store.MAX_HOOKS:
        raise Conflict("too_many_webhooks", {"max": store.MAX_HOOKS})
    secret = body.secret or "whsec_" + secrets.token_urlsafe(32)
    now = utcnow()
    hook = Webhook(
        id=uuid.uuid4().hex[:12],
        name=body.name,
        url=body.url,
        events=sorted(set(body.events)),
        active=body.active,
        secret_last4=secret[-4:],
        created_at=now,
        updated_at=now,
        created_by=by.name or by.username,
    )
    if not store.put(hook, _seal(hook.id, secret), None):
        raise Conflict("webhook_exists")
    forget_subscriptions()
    return WebhookCreated(**hook.model_dump(), secret=secret)


def stored(hook_id: str) -> Webhook | None:
    """The endpoint as stored, without its secret (the audit trail's "before" and "after")."""
    found = store.get(hook_id) if len(hook_id) <= 40 else None
    return found[0] if found else None


def listing() -> WebhookList:
    hooks = sorted((h for h, _ in store.list_all()), key=lambda h: h.created_at, reverse=True)
    return WebhookList(items=hooks)


def get(hook_id: str) -> Webhook:
    found = store.get(hook_id) if len(hook_id) <= 40 else None
    if found is None:
        raise NotFound("webhook_not_found")
    return found[0]


def update(hook_id: str, body: WebhookIn) -> Webhook:
    """Replace the endpoint's settings; the secret stays unless a new one is given."""
    current = get(hook_id)
    if body.url != current.url:
        _check_url(body.url)
    found = store.get(hook_id)
    if found is None:
        raise NotFound("webhook_not_found")
    sealed = found[1]
    changed = current.model_copy(
        update={
            "name": body.name,
            "url": body.url,
            "events": sorted(set(body.events)),
            "active": body.active,
            "updated_at": utcnow(),
            "version": current.version + 1,
        }
    )
    if body.secret is not None:
        changed = _with_secret(changed, body.secret)
        sealed = _seal(hook_id, body.secret)
    if not store.put(changed, sealed, current.version):
        raise Conflict("webhook_changed")
    forget_subscriptions()
    return changed


def delete(hook_id: str) -> None:
    if len(hook_id) > 40 or not store.delete(hook_id):
        raise NotFound("webhook_not_found")
    forget_subscriptions()


def deliveries(hook_id: str, limit: int, cursor: str | None) -> WebhookDeliveryPage:
    get(hook_id)
    items, after = store.deliveries(hook_id, limit, cursor)
    return WebhookDeliveryPage(items=items, next=after)


def dead_letters(limit: int) -> WebhookDeadLetterList:
    settings = get_settings()
    if not settings.webhooks_dlq_url:
        return WebhookDeadLetterList(items=[], total=0)
    items = []
    for message in queues.peek(settings.webhooks_dlq_url, limit):
        body = queues.body_of(message)
        if body.get("kind") != DELIVERY:
            continue
        items.append(
            WebhookDeadLetter(
                webhook_id=str(body.get("webhook_id", "")),
                event_id=str(body.get("event_id", "")),
                event=str(body.get("event", "")),
                number=body.get("number"),
                receives=int((message.get("Attributes") or {}).get("ApproximateReceiveCount", 0)),
            )
        )
    return WebhookDeadLetterList(items=items, total=queues.depth(settings.webhooks_dlq_url))


def redrive(limit: int) -> WebhookRedriveOut:
    """Dead letters back on the webhooks queue: each is delivered again with its whole backoff."""
    settings = get_settings()
    if not settings.webhooks_dlq_url or not settings.webhooks_queue_url:
        return WebhookRedriveOut(moved=0)
    return WebhookRedriveOut(
        moved=queues.redrive(settings.webhooks_dlq_url, settings.webhooks_queue_url, limit)
    )


# ---- fan-out and delivery (the webhook function) -------------------------------------------------


@lru_cache(maxsize=1)
def _alias_key() -> bytes:
    from ventanilla.integrations.secrets import notify_secret

    return webhook_payload.alias_key(notify_secret())


def payload(detail_type: str, detail: dict[str, Any], fallback_id: str) -> tuple[str, str]:
    """The event id and the JSON body every endpoint receives for one domain event (staff ids as
    their public aliases: :mod:`ventanilla.rules.webhook_payload`)."""
    event_id = str(detail.get("event_id") or fallback_id)
    data = webhook_payload.public_detail(detail, _alias_key())
    body = {"id": event_id, "type": detail_type, "occurred_at": detail.get("at"), "data": data}
    return event_id, json.dumps(body, separators=(",", ":"), sort_keys=True)


SUBSCRIBED_TTL = 15.0
"""How long a process trusts its copy of what the endpoints subscribe to: a new subscription
reaches a stream function already running within this (the process that saved it at once)."""
_subscribed: tuple[float, frozenset[str]] | None = None


def subscribed() -> frozenset[str]:
    """The events some active endpoint subscribed to (the bounded Query, at most every TTL)."""
    global _subscribed
    now = time.monotonic()
    if _subscribed is None or now - _subscribed[0] > SUBSCRIBED_TTL:
        events = frozenset(e for hook, _ in store.list_all() if hook.active for e in hook.events)
        _subscribed = (now, events)
    return _subscribed[1]


def forget_subscriptions() -> None:
    global _subscribed
    _subscribed = None


def route(events: Sequence[DomainEvent]) -> list[DomainEvent]:
    """Mark the ticket events some endpoint subscribed to: the bus's rule takes only those to the
    webhooks queue, so with no endpoint an event costs no queue message and no invocation."""
    wanted = subscribed() if any(e.source == SOURCE for e in events) else frozenset()
    return [
        e.model_copy(update={"detail": {**e.detail, webhook_payload.ROUTE_KEY: True}})
        if e.source == SOURCE and e.detail_type in wanted
        else e
        for e in events
    ]


def fan_out(detail_type: str, detail: dict[str, Any], fallback_id: str) -> list[dict[str, Any]]:
    """One delivery message per active endpoint subscribed to ``detail_type`` (one bounded Query)."""
    event_id, body = payload(detail_type, detail, fallback_id)
    return [
        {
            "kind": DELIVERY,
            "webhook_id": hook.id,
            "event_id": event_id,
            "event": detail_type,
            "number": detail.get("number"),
            "body": body,
        }
        for hook, _ in store.list_all()
        if hook.active and detail_type in hook.events
    ]


def deliver(message: dict[str, Any], attempt: int, last_attempt: bool) -> str:
    """POST one delivery; returns its outcome, raises RetryLater when it failed (and may retry)."""
    hook_id = str(message.get("webhook_id", ""))
    found = store.get(hook_id) if hook_id else None
    if found is None:
        return "dropped"  # the endpoint was deleted: nothing to deliver to, nothing to log
    hook, sealed = found
    event_id, event = str(message["event_id"]), str(message["event"])
    record = {"event_id": event_id, "event": event, "number": message.get("number"), "attempt": attempt}
    if not hook.active or event not in hook.events:
        store.log(hook_id, WebhookDelivery(**record, at=utcnow(), outcome="skipped", duration_ms=0))
        return "skipped"
    allow = get_settings().webhooks_allow_private
    body = str(message["body"]).encode()
    secret = _unseal(hook_id, sealed)
    try:
        target = egress.parse(hook.url, allow_http=allow)
    except egress.BadUrl as bad:
        answer = webhook_http.Answer(None, bad.code, 0)
    else:
        if secret is None:
            answer = webhook_http.Answer(None, "secret_unreadable", 0)
        else:
            timestamp = int(time.time())  # the receiver's clock is the wall clock, not the dev clock
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                SIGNATURE_HEADER: sign(secret, timestamp, body),
                TIMESTAMP_HEADER: str(timestamp),
                EVENT_ID_HEADER: event_id,
                EVENT_HEADER: event,
                "X-Ventanilla-Attempt": str(attempt),
            }
            answer = webhook_http.post(target, body, headers, allow)
    ok = answer.status is not None and 200 <= answer.status < 300
    outcome = "delivered" if ok else ("dead" if last_attempt else "failed")
    error = answer.error if answer.status is None else (None if ok else f"HTTP {answer.status}")
    store.log(
        hook_id,
        WebhookDelivery(
            **record,
            at=utcnow(),
            outcome=outcome,
            status_code=answer.status,
            error=error,
            duration_ms=answer.duration_ms,
        ),
    )
    if not ok:
        raise RetryLater(outcome)
    return outcome
