"""What people choose about the notices they get, over the API: register devices (apps and
browsers), change a request's channels, opt out from a notice's link. What supervisors and admins
manage is in :mod:`ventanilla.services.notice_admin`."""

from __future__ import annotations

from typing import Any

from ventanilla import i18n
from ventanilla.auth import CitizenPrincipal, Principal
from ventanilla.errors import BadRequest, Conflict, FieldError, ValidationFailed
from ventanilla.i18n import Lang
from ventanilla.integrations import messaging, secrets
from ventanilla.models.common import iso, utcnow
from ventanilla.models.notices import (
    DeviceIn,
    DeviceOut,
    NoticePrefsIn,
    NoticePrefsOut,
    OptOutOut,
    WebPushKeyOut,
)
from ventanilla.notify import optout
from ventanilla.settings import get_settings
from ventanilla.storage import notices as store
from ventanilla.storage import tickets as ticket_store

OPT_OUT_MAX_AGE = 365 * 86400


# ---- devices -----------------------------------------------------------------------------------


MAX_DEVICES = 10
"""Devices one request or person may hold: a phone, a tablet, a computer or two, reinstalled a few
times. Bounded so the ticket's partition Query stays bounded."""


def register_device(
    body: DeviceIn,
    principal: Principal | None,
    access_code: str | None,
    citizen: CitizenPrincipal | None = None,
) -> DeviceOut:
    """File a device under its owner: an SNS platform endpoint for an FCM/APNs token, or a browser's
    Web Push subscription (kind ``webpush``). A citizen who registers one has asked for push
    notices: push joins the request's channels and a push opt-out is undone."""
    from ventanilla.services.tickets import _citizen_ticket

    ticket = None
    if citizen is not None:
        from ventanilla.services.accounts import account_for

        owner_pk, owner = store.citizen_owner(account_for(citizen).citizen_id), "citizen"
    elif principal is None:
        if not body.number:
            raise ValidationFailed("validation_failed", errors=[FieldError("number", "device_needs_owner")])
        ticket, _ = _citizen_ticket(body.number, access_code)  # 404 unless the code matches
        owner_pk, owner = ticket_store.ticket_pk(body.number), "ticket"
    else:
        owner_pk, owner = store.staff_owner(principal.sub), "staff"
    if body.platform == "webpush":
        device_id = _put_webpush(body, owner_pk)
    else:
        device_id = _put_sns_device(body, owner_pk)
    if ticket is not None:
        _choose_push(ticket)
    elif owner == "citizen":
        store.remove_opt_out(owner_pk, {"push"})
    return DeviceOut(device_id=device_id, platform=body.platform, owner=owner)


def _room_for(owner_pk: str, device_key: str) -> None:
    known = store.devices(owner_pk, limit=MAX_DEVICES + 1)
    if len(known) >= MAX_DEVICES and all(d["device_id"] != store.digest(device_key)[:32] for d in known):
        raise Conflict("too_many_devices", {"limit": MAX_DEVICES})


def _put_sns_device(body: DeviceIn, owner_pk: str) -> str:
    if not body.token:
        raise ValidationFailed("validation_failed", errors=[FieldError("token", "device_token_required")])
    settings = get_settings()
    application = settings.fcm_application_arn if body.platform == "fcm" else settings.apns_application_arn
    if not application:
        raise Conflict("push_not_configured", {"platform": body.platform})
    _room_for(owner_pk, body.token)
    try:
        endpoint = messaging.create_endpoint(application, body.token)
    except messaging.Permanent as error:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("token", "device_token_rejected")]
        ) from error
    return store.put_device(owner_pk, body.token, body.platform, endpoint, iso(utcnow()))


def _put_webpush(body: DeviceIn, owner_pk: str) -> str:
    from ventanilla.integrations import webpush

    sub = body.subscription
    if sub is None:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("subscription", "subscription_required")]
        )
    if secrets.vapid_keys() is None:
        raise Conflict("push_not_configured", {"platform": "webpush"})
    hosts = tuple(get_settings().webpush_allowed_hosts.split(","))
    if not webpush.allowed_endpoint(sub.endpoint, hosts):
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("subscription.endpoint", "push_service_unknown")]
        )
    _room_for(owner_pk, sub.endpoint)
    return store.put_device(
        owner_pk,
        sub.endpoint,
        "webpush",
        "",
        iso(utcnow()),
        subscription={"endpoint": sub.endpoint, "p256dh": sub.keys.p256dh, "auth": sub.keys.auth},
    )


def _choose_push(ticket: Any) -> None:
    """Push joins the request's notice channels (the citizen just asked for it)."""
    if "push" not in ticket.requester.channels:
        requester = ticket.requester.model_copy(
            update={"channels": sorted({*ticket.requester.channels, "push"})}
        )
        updated = ticket.model_copy(
            update={"requester": requester, "updated_at": utcnow(), "version": ticket.version + 1}
        )
        ticket_store.save_change(ticket.version, updated, [])
    store.remove_opt_out(store.citizen_owner(ticket.citizen_id), {"push"})


def webpush_key() -> WebPushKeyOut:
    """The VAPID public key the portal subscribes with; 409 while none is configured."""
    keys = secrets.vapid_keys()
    if keys is None:
        raise Conflict("push_not_configured", {"platform": "webpush"})
    return WebPushKeyOut(public_key=keys["public_key"])


# ---- a citizen's choices -----------------------------------------------------------------------


def update_prefs(number: str, access_code: str | None, body: NoticePrefsIn) -> NoticePrefsOut:
    """New channels and language for a request's notices; choosing a channel again undoes its opt-out."""
    from ventanilla.services.tickets import _citizen_ticket

    ticket, _ = _citizen_ticket(number, access_code)
    chosen = sorted(set(body.channels))
    errors = []
    if "email" in chosen and not ticket.requester.email:
        errors.append(FieldError("channels", "channel_needs_contact", {"channel": "email"}))
    if "sms" in chosen and not ticket.requester.phone:
        errors.append(FieldError("channels", "channel_needs_contact", {"channel": "SMS"}))
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    requester = ticket.requester.model_copy(update={"channels": chosen, "language": body.language})
    updated = ticket.model_copy(
        update={"requester": requester, "updated_at": utcnow(), "version": ticket.version + 1}
    )
    ticket_store.save_change(ticket.version, updated, [])
    owner = store.citizen_owner(ticket.citizen_id)
    store.remove_opt_out(owner, set(chosen))
    remaining = sorted(store.opted_out(owner) & {"email", "sms", "push"})
    return NoticePrefsOut(number=number, channels=chosen, language=body.language, opted_out=remaining)


# ---- opt-out -----------------------------------------------------------------------------------


def _read(token: str, lang: Lang) -> optout.OptOut:
    try:
        return optout.read_token(secrets.notify_secret(), token, max_age_seconds=OPT_OUT_MAX_AGE)
    except optout.TokenError as error:
        raise BadRequest("optout_invalid", {"detail": error.message(lang)}) from error


def _owner_pk(recipient_id: str) -> str:
    kind, _, ident = recipient_id.partition(":")
    if kind == "c":
        return store.citizen_owner(ident)
    if kind == "s":
        return store.staff_owner(ident)
    raise BadRequest("optout_invalid", {"detail": "?"})


def opt_out(token: str, lang: Lang, *, confirm: bool) -> OptOutOut:
    """GET looks (mail scanners follow links), POST honours it (RFC 8058 one-click sends POST)."""
    parsed = _read(token, lang)
    owner = _owner_pk(parsed.recipient_id)
    channels = {"email", "sms", "push"} if parsed.channel == "all" else {parsed.channel}
    listed = sorted(channels)
    if not confirm:
        already = channels <= store.opted_out(owner)
        return OptOutOut(
            channel=parsed.channel,
            channels=listed,
            already=already,
            done=False,
            message=i18n.message("opt_out_confirm", lang),
        )
    before = store.add_opt_out(owner, channels, iso(utcnow()))
    return OptOutOut(
        channel=parsed.channel,
        channels=listed,
        already=channels <= before,
        done=True,
        message=i18n.message(f"opted_out_{parsed.channel}", lang),
    )


# ---- templates ---------------------------------------------------------------------------------


# ---- suppressions ------------------------------------------------------------------------------


# ---- dead-letter queue -------------------------------------------------------------------------
