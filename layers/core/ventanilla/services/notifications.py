"""What people do with notices over the API: register devices, change their choices, opt out; and
what supervisors and admins manage: templates (edited without a deploy), suppressions, the DLQ."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ventanilla import i18n
from ventanilla.auth import CitizenPrincipal, Principal
from ventanilla.errors import BadRequest, Conflict, FieldError, NotFound, ValidationFailed
from ventanilla.i18n import Lang
from ventanilla.integrations import messaging, queues, secrets
from ventanilla.models.common import iso, utcnow
from ventanilla.models.notices import (
    DeadLetter,
    DeadLetterList,
    DeviceIn,
    DeviceOut,
    NoticePrefsIn,
    NoticePrefsOut,
    OptOutOut,
    PreviewIn,
    PreviewOut,
    RedriveOut,
    Suppression,
    SuppressionList,
    TemplateList,
    TemplateOut,
    TemplateParts,
    TemplateSummary,
    WebPushKeyOut,
)
from ventanilla.notify import optout
from ventanilla.notify.context import sample_context
from ventanilla.notify.events import DELIVERY_CHANNELS, Kind
from ventanilla.settings import get_settings
from ventanilla.storage import notices as store
from ventanilla.storage import tickets as ticket_store

MANAGERS = ("admin", "supervisor")
OPT_OUT_MAX_AGE = 365 * 86400

i18n.register(
    {
        "template_changed": {
            "es": "Otra persona cambió esta plantilla mientras usted la editaba; recargue.",
            "en": "Someone else changed this template while you were editing; reload.",
        },
        "bad_if_match": {
            "es": 'If-Match debe ser la versión de la plantilla entre comillas, por ejemplo "3".',
            "en": 'If-Match must be the template\'s version in quotes, e.g. "3".',
        },
        "device_needs_owner": {
            "es": "Indique el número de la solicitud y su código de acceso, o inicie sesión "
            "como funcionario.",
            "en": "Give the request number and its access code, or sign in as staff.",
        },
        "push_not_configured": {
            "es": "Los avisos push para {platform} no están configurados en esta institución.",
            "en": "Push notices for {platform} are not configured at this institution.",
        },
        "device_token_rejected": {
            "es": "El servicio de avisos rechazó el token del dispositivo.",
            "en": "The notification service rejected the device token.",
        },
        "optout_invalid": {"es": "{detail}", "en": "{detail}"},
        "device_token_required": {
            "es": "Indique el token del dispositivo (FCM o APNs).",
            "en": "Give the device token (FCM or APNs).",
        },
        "subscription_required": {
            "es": "Indique la suscripción push del navegador.",
            "en": "Give the browser's push subscription.",
        },
        "push_service_unknown": {
            "es": "Esa dirección no es de un servicio push conocido.",
            "en": "That address is not a known push service.",
        },
        "too_many_devices": {
            "es": "Ya hay {limit} dispositivos registrados; quite alguno antes de agregar otro.",
            "en": "{limit} devices are already registered; remove one before adding another.",
        },
        "unknown_notice_kind": {"es": "Tipo de aviso desconocido.", "en": "Unknown notice kind."},
        "template_part_unknown": {
            "es": "Este canal no tiene esa parte (use: {expected}).",
            "en": "This channel has no such part (use: {expected}).",
        },
        "template_invalid": {"es": "Plantilla no válida: {detail}", "en": "Invalid template: {detail}"},
        "template_empty": {"es": "Indique al menos una parte.", "en": "Give at least one part."},
        "template_not_overridden": {
            "es": "Esta plantilla no tiene cambios guardados.",
            "en": "This template has no saved changes.",
        },
        "suppression_not_found": {
            "es": "Esa dirección no está en la lista de supresión.",
            "en": "That address is not on the suppression list.",
        },
        "dlq_not_configured": {
            "es": "La cola de avisos fallidos no está configurada.",
            "en": "The dead-letter queue is not configured.",
        },
        "opted_out_email": {
            "es": "No le enviaremos más avisos por correo electrónico.",
            "en": "We will not send you any more email notices.",
        },
        "opted_out_sms": {"es": "No le enviaremos más SMS.", "en": "We will not send you any more SMS."},
        "opted_out_push": {
            "es": "No le enviaremos más avisos push.",
            "en": "We will not send you any more push notices.",
        },
        "opted_out_all": {
            "es": "No le enviaremos más avisos.",
            "en": "We will not send you any more notices.",
        },
        "opt_out_confirm": {
            "es": "Confirme (POST a esta misma dirección) para dejar de recibir estos avisos.",
            "en": "Confirm (POST to this same address) to stop these notices.",
        },
    }
)


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


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError as error:
        raise NotFound("unknown_notice_kind") from error


def _check_channel_lang(channel: str, lang: str) -> None:
    from ventanilla.notify.render import LANGS  # Jinja2: only these routes

    if channel not in {c.value for c in DELIVERY_CHANNELS} or lang not in LANGS:
        raise NotFound("unknown_notice_kind")


def defaults(kind: Kind, channel: str) -> dict[str, dict[str, str]]:
    from ventanilla.notify.render import (  # Jinja2: only these routes
        LANGS,
        PARTS,
        TEMPLATES_DIR,
        template_name,
    )

    out: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        out[lang] = {}
        for part in PARTS[messaging_channel(channel)]:
            path = TEMPLATES_DIR / template_name(kind, messaging_channel(channel), lang, part)
            out[lang][part] = path.read_text(encoding="utf-8")
    return out


def messaging_channel(channel: str) -> Any:
    from ventanilla.notify.events import Channel

    return Channel(channel)


def list_templates(principal: Principal) -> TemplateList:
    from ventanilla.notify.render import LANGS  # Jinja2: only these routes

    principal.require(*MANAGERS)
    stored = {str(i["key"]) for i in store.list_templates()}
    items = [
        TemplateSummary(
            kind=k.value,
            audience=k.audience.value,
            channel=c.value,
            lang=lang,
            overridden=f"{k.value}#{c.value}#{lang}" in stored,
        )
        for k in Kind
        for c in DELIVERY_CHANNELS
        for lang in LANGS
    ]
    return TemplateList(items=items)


def get_template(principal: Principal, kind: str, channel: str, lang: str) -> TemplateOut:
    principal.require(*MANAGERS)
    k = _kind(kind)
    _check_channel_lang(channel, lang)
    item = store.get_template(k.value, channel, lang)
    return TemplateOut(
        kind=k.value,
        channel=channel,
        lang=lang,
        defaults=defaults(k, channel)[lang],
        override={str(a): str(b) for a, b in (item.get("parts") or {}).items()} if item else None,
        version=int(item["version"]) if item and "version" in item else None,
        updated_by=str(item.get("updated_by")) if item else None,
        updated_at=str(item.get("updated_at")) if item else None,
    )


def _validated(k: Kind, channel: str, lang: str, parts: TemplateParts, ui: Lang) -> dict[str, str]:
    from ventanilla.notify.render import PARTS, TemplateRenderer  # Jinja2: only these routes

    given = parts.given()
    allowed = PARTS[messaging_channel(channel)]
    errors = [
        FieldError(f"parts.{p}", "template_part_unknown", {"expected": ", ".join(allowed)})
        for p in given
        if p not in allowed
    ]
    if not given:
        errors.append(FieldError("parts", "template_empty"))
    renderer = TemplateRenderer(override_fallback=False)
    for part, source in given.items():
        if part in allowed:
            problems = renderer.validate_template(source, k, part, ui)
            if problems:
                errors.append(FieldError(f"parts.{part}", "template_invalid", {"detail": " ".join(problems)}))
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)
    return given


def put_template(
    principal: Principal,
    kind: str,
    channel: str,
    lang: str,
    parts: TemplateParts,
    ui: Lang,
    expected: int | None = None,
) -> TemplateOut:
    principal.require(*MANAGERS)
    k = _kind(kind)
    _check_channel_lang(channel, lang)
    given = _validated(k, channel, lang, parts, ui)
    stored = store.put_template(k.value, channel, lang, given, principal.username, iso(utcnow()), expected)
    if stored is None:
        raise Conflict("template_changed")
    from ventanilla.services import notifier

    notifier.forget_templates()
    return get_template(principal, kind, channel, lang)


def delete_template(principal: Principal, kind: str, channel: str, lang: str) -> None:
    principal.require(*MANAGERS)
    k = _kind(kind)
    _check_channel_lang(channel, lang)
    if not store.delete_template(k.value, channel, lang):
        raise NotFound("template_not_overridden")
    from ventanilla.services import notifier

    notifier.forget_templates()


def preview(principal: Principal, body: PreviewIn, ui: Lang) -> PreviewOut:
    """The notice as its recipient would see it, with sample data (and unsaved edits if given)."""
    from ventanilla.notify.render import TemplateRenderer  # Jinja2: only these routes

    principal.require(*MANAGERS)
    try:
        k = Kind(body.kind)
    except ValueError as error:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("kind", "unknown_notice_kind")]
        ) from error
    if body.parts is not None:
        parts = _validated(k, body.channel, body.lang, body.parts, ui)
    else:
        item = store.get_template(k.value, body.channel, body.lang)
        parts = {str(a): str(b) for a, b in (item.get("parts") or {}).items()} if item else {}
    settings = get_settings()
    sample = sample_context(k, body.lang, settings.institution_name, settings.public_base_url)
    rendered = TemplateRenderer().render(k, body.channel, body.lang, sample, parts)
    return PreviewOut(
        kind=k.value,
        channel=body.channel,
        lang=body.lang,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        title=rendered.title,
        sms_segments=rendered.sms_segments,
        warnings=list(rendered.warnings),
    )


# ---- suppressions ------------------------------------------------------------------------------


def list_suppressions(principal: Principal, limit: int, cursor: str | None) -> SuppressionList:
    principal.require(*MANAGERS)
    if cursor is not None and (len(cursor) != 64 or any(c not in "0123456789abcdef" for c in cursor)):
        raise BadRequest("invalid_cursor")
    items, last = store.suppressions(limit, cursor)
    return SuppressionList(items=[Suppression.model_validate(i) for i in items], next_cursor=last)


def remove_suppression(principal: Principal, suppression_id: str) -> None:
    principal.require(*MANAGERS)
    if len(suppression_id) != 64 or not store.unsuppress(suppression_id):
        raise NotFound("suppression_not_found")


# ---- dead-letter queue -------------------------------------------------------------------------


def _urls() -> tuple[str, str]:
    settings = get_settings()
    if not settings.notifications_dlq_url or not settings.notifications_queue_url:
        raise Conflict("dlq_not_configured")
    return settings.notifications_queue_url, settings.notifications_dlq_url


def dead_letters(principal: Principal | None, limit: int) -> DeadLetterList:
    """What is in the DLQ (``principal`` None: the operator's command)."""
    if principal is not None:
        principal.require(*MANAGERS)
    _, dlq = _urls()
    items = []
    for m in queues.peek(dlq, limit):
        body = queues.body_of(m)
        raw_detail = body.get("detail")
        detail: dict[str, Any] = raw_detail if isinstance(raw_detail, dict) else {}
        attributes = m.get("Attributes") or {}
        sent = attributes.get("SentTimestamp")
        items.append(
            DeadLetter(
                message_id=m["MessageId"],
                detail_type=body.get("detail-type"),
                number=detail.get("number"),
                event_id=detail.get("event_id"),
                receive_count=int(attributes["ApproximateReceiveCount"])
                if "ApproximateReceiveCount" in attributes
                else None,
                sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None,
            )
        )
    return DeadLetterList(depth=queues.depth(dlq), items=items)


def redrive(principal: Principal | None, limit: int) -> RedriveOut:
    if principal is not None:
        principal.require(*MANAGERS)
    queue, dlq = _urls()
    return RedriveOut(moved=queues.redrive(dlq, queue, limit))
