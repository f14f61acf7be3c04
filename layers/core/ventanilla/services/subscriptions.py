"""Subscriptions with double opt-in: nothing is sent until the email link or the SMS code is used.

The subscriber manages the subscription with a signed link (``?t=``: an HMAC of its id under the
notification secret), so no account is needed; a signed-in citizen's verified email counts as
confirmed at once (the account already proved it). Every change lands in the subscription's own
consent ledger, and in the account's ledger (``campaigns``) when a citizen subscribed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, Literal

import ventanilla.proactive.messages  # noqa: F401  (registers the messages)
from ventanilla.auth import CitizenPrincipal, Principal
from ventanilla.errors import FieldError, NotFound, TooManyRequests, ValidationFailed
from ventanilla.integrations import messaging
from ventanilla.integrations import secrets as secret_store
from ventanilla.models.common import is_code, utcnow
from ventanilla.models.proactive import (
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionRecord,
    SubscriptionTopic,
    SubscriptionTopicIn,
    SubscriptionTopicList,
    SubscriptionUpdateIn,
)
from ventanilla.rules.constant_time import same
from ventanilla.settings import get_settings
from ventanilla.storage import areas as area_store
from ventanilla.storage import subscription_counts
from ventanilla.storage import subscriptions as store

MANAGERS = ("supervisor", "admin")
MAX_SMS_ATTEMPTS = 5


# ---- topics ----------------------------------------------------------------------------------------


def topics(active_only: bool, with_counts: bool = False) -> SubscriptionTopicList:
    """The topics; ``with_counts`` (staff): each one's confirmed subscribers, from the counters."""
    items = sorted(store.topics(), key=lambda t: t.code)
    if with_counts:
        counts = subscription_counts.counts()
        items = [t.model_copy(update={"subscribers": counts.get(f"TOPIC#{t.code}", 0)}) for t in items]
    return SubscriptionTopicList(items=[t for t in items if t.active or not active_only])


def put_topic(principal: Principal, code: str, body: SubscriptionTopicIn) -> SubscriptionTopic:
    value = SubscriptionTopic(code=code, updated_at=utcnow(), **body.model_dump())
    store.put_topic(value)
    return value


def delete_topic(principal: Principal, code: str) -> None:
    if not store.delete_topic(code):
        raise NotFound("sub_topic_not_found", {"name": code})


# ---- signatures ------------------------------------------------------------------------------------


def manage_token(sub_id: str) -> str:
    mac = hmac.new(secret_store.notify_secret(), f"subscription:{sub_id}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def check_token(sub_id: str, token: str | None) -> SubscriptionRecord:
    """The subscription a valid management link opens; 404 for a wrong token (no oracle)."""
    if not token or not same(token, manage_token(sub_id)):
        raise NotFound("subscription_not_found")
    record = store.get(sub_id)
    if record is None:
        raise NotFound("subscription_not_found")
    return record


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _code_hash(sub_id: str, code: str) -> str:
    return hmac.new(secret_store.notify_secret(), f"sms:{sub_id}:{code}".encode(), hashlib.sha256).hexdigest()


def manage_path(sub_id: str) -> str:
    return f"#/suscripcion/{sub_id}?t={manage_token(sub_id)}"


def manage_url(sub_id: str) -> str:
    return f"{get_settings().public_base_url}/{manage_path(sub_id)}"


def unsubscribe_url(sub_id: str, topic: str | None = None, source: str | None = None) -> str:
    """The RFC 8058 one-click address (a POST to the API, no page); ``source``: the alert or
    campaign whose email carries it (its unsubscribes figure counts the click)."""
    base = (
        f"{get_settings().public_base_url}/api/v1/subscriptions/{sub_id}/unsubscribe?t={manage_token(sub_id)}"
    )
    if topic:
        base += f"&topic={topic}"
    return f"{base}&src={source}" if source else base


# ---- subscribing -----------------------------------------------------------------------------------


def _check_follows(topic_codes: list[str], sectors: list[str]) -> None:
    known = {t.code: t for t in store.topics()}
    errors = [
        FieldError(f"topics.{n}", "sub_topic_unknown", {"name": c})
        for n, c in enumerate(topic_codes)
        if c not in known or not known[c].active
    ]
    errors += [
        FieldError(f"sectors.{n}", "area_not_found", {"name": s})
        for n, s in enumerate(sectors)
        if s != "*" and area_store.sector(s) is None
    ]
    if errors:
        raise ValidationFailed("validation_failed", errors=errors)


def subscribe(
    body: SubscriptionIn, citizen: CitizenPrincipal | None, client: str | None = None
) -> SubscriptionCreated:
    """Validate, then the abuse controls (rate limits per client and per address, SMS country and
    daily spend), and only then write and send: a refused subscription writes nothing."""
    from ventanilla.services import areas, intake_guard

    sectors = list(dict.fromkeys(body.sectors))
    if body.lat is not None and body.long is not None:
        found = areas.sector_at(body.lat, body.long)
        if found is None:
            raise ValidationFailed(
                "validation_failed",
                errors=[FieldError("lat", "area_no_sector", {"lat": body.lat, "long": body.long})],
            )
        if found not in sectors:
            sectors.append(found)
    if len(sectors) > 5:
        raise ValidationFailed("validation_failed", errors=[FieldError("sectors", "too_long")])
    topic_codes = list(dict.fromkeys(body.topics))
    _check_follows(topic_codes, sectors)
    sub_id = secrets.token_hex(10)
    email = body.email.strip().lower() if body.email else None
    verified = bool(citizen and citizen.email_verified and citizen.email and email == citizen.email.lower())
    code = f"{secrets.randbelow(1_000_000):06d}" if body.phone else None
    # A confirmation already proven by the account sends nothing, so it does not count for the email.
    filing = intake_guard.check_subscribing(client, None if verified else email, body.phone)
    if code and body.phone:
        _check_sms(intake_guard.sms_refusal(body.phone, _code_text(code, body.language)))
    record = SubscriptionRecord(
        id=sub_id,
        email=email,
        phone=body.phone,
        topics=topic_codes,
        sectors=sectors,
        language=body.language,
        email_state=("confirmed" if verified else "pending") if email else "none",
        sms_state="pending" if body.phone else "none",
        sms_code_hash=_code_hash(sub_id, code) if code else None,
        citizen_id=citizen.citizen_id if citizen else None,
        created_at=utcnow(),
        confirmed_at=utcnow() if verified else None,
    )
    token = secrets.token_urlsafe(24) if email and not verified else None
    detail = {"topics": topic_codes, "sectors": sectors, "channel": "web", "text_version": _notice_version()}
    if verified:
        # Stored pending, then confirmed through save(): the audience items come with it.
        pending = record.model_copy(update={"email_state": "pending", "confirmed_at": None})
        store.create(pending, None, detail)
        store.save(
            pending,
            record.model_copy(update={"version": 2}),
            "confirmed",
            {"channel": "email", "by": "account"},
        )
        record = record.model_copy(update={"version": 2})
    else:
        store.create(record, _digest(token) if token else None, detail)
    if citizen:
        _account_consent(citizen.citizen_id, True)
    steps: list[Literal["email_link", "sms_code"]] = []
    if token and email:
        _send_confirmation_email(record, token)
        steps.append("email_link")
    if code and body.phone:
        _send_code(body.phone, code, body.language)
        steps.append("sms_code")
    intake_guard.count_filing(filing)
    made = out(record, proved=verified)
    return SubscriptionCreated(**made.model_dump(), next_steps=steps)


def _notice_version() -> str:
    from ventanilla.models.accounts import PRIVACY_NOTICE_VERSION

    return PRIVACY_NOTICE_VERSION


def _account_consent(citizen_id: str, given: bool) -> None:
    from ventanilla.models.accounts import ConsentEntry
    from ventanilla.storage import accounts as account_store

    if account_store.get_account(citizen_id) is not None:
        account_store.add_consent(citizen_id, ConsentEntry(purpose="campaigns", given=given, at=utcnow()))


def _topic_names(codes: list[str], lang: str) -> str:
    known = {t.code: t for t in store.topics()}
    names = [
        (known[c].name_en if lang == "en" and known[c].name_en else known[c].name) if c in known else c
        for c in codes
    ]
    return ", ".join(n or "" for n in names)


def _send_confirmation_email(record: SubscriptionRecord, token: str) -> None:
    from ventanilla.proactive.render import render  # Jinja2: only when a confirmation is sent

    settings = get_settings()
    lang = record.language
    subject = "Confirm your subscription" if lang == "en" else "Confirme su suscripción"
    url = f"{settings.public_base_url}/#/suscripcion/confirmar?token={token}"
    text, html = render(
        "confirm",
        lang=lang,
        subject=subject,
        institution=settings.institution_name,
        topics=_topic_names(record.topics, lang),
        confirm_url=url,
    )
    raw = messaging.build_email(
        settings.email_sender,
        settings.institution_name,
        str(record.email),
        subject,
        text,
        html,
        unsubscribe_url(record.id),
    )
    try:
        messaging.send_email(
            settings.email_sender, str(record.email), raw, settings.ses_configuration_set or None
        )
    except messaging.Permanent as error:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("email", "sub_email_refused")]
        ) from error


def _code_text(code: str, lang: str) -> str:
    name = get_settings().institution_name
    return (
        f"{name}: your code is {code}. Ignore this if you did not subscribe."
        if lang == "en"
        else f"{name}: su código es {code}. Si no se suscribió, ignore este mensaje."
    )


def _check_sms(refused: str | None) -> None:
    """A phone outside the institution's countries is the client's mistake (422 on ``phone``); a
    spent daily cap is a wait (429 until the day, in UTC, ends)."""
    if refused is None:
        return
    if refused == "sms_country":
        raise ValidationFailed("validation_failed", errors=[FieldError("phone", "sub_phone_country")])
    now = utcnow()
    left = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
    raise TooManyRequests("sub_sms_cap", {"retry_after": left}, [FieldError("phone", f"sub_{refused}")])


def _send_code(phone: str, code: str, lang: str) -> None:
    settings = get_settings()
    text = _code_text(code, lang)
    try:
        messaging.send_sms(phone, text, settings.sms_sender_id or None)
    except messaging.Permanent as error:
        raise ValidationFailed(
            "validation_failed", errors=[FieldError("phone", "sub_phone_refused")]
        ) from error


def confirm_email(token: str) -> SubscriptionOut:
    sub_id = store.take_token(_digest(token))
    record = store.get(sub_id) if sub_id else None
    if record is None:
        raise NotFound("sub_token_invalid")
    if record.email_state != "pending":
        return out(record, proved=True)
    new = record.model_copy(
        update={
            "email_state": "confirmed",
            "confirmed_at": record.confirmed_at or utcnow(),
            "version": record.version + 1,
        }
    )
    store.save(record, new, "confirmed", {"channel": "email"})
    return out(new, proved=True)


def confirm_sms(sub_id: str, code: str) -> SubscriptionOut:
    record = store.get(sub_id)
    if record is None or record.sms_state == "none":
        raise NotFound("subscription_not_found")
    if record.sms_state != "pending":
        return out(record)
    if record.sms_attempts >= MAX_SMS_ATTEMPTS:
        raise TooManyRequests("sub_code_attempts", {"retry_after": 86400})
    if not record.sms_code_hash or not same(_code_hash(sub_id, code), record.sms_code_hash):
        wrong = record.model_copy(
            update={"sms_attempts": record.sms_attempts + 1, "version": record.version + 1}
        )
        store.save(record, wrong, None, {})
        raise ValidationFailed("validation_failed", errors=[FieldError("code", "sub_code_wrong")])
    new = record.model_copy(
        update={
            "sms_state": "confirmed",
            "sms_code_hash": None,
            "confirmed_at": record.confirmed_at or utcnow(),
            "version": record.version + 1,
        }
    )
    store.save(record, new, "confirmed", {"channel": "sms"})
    return out(new, proved=True)


def out(record: SubscriptionRecord, proved: bool = False) -> SubscriptionOut:
    """The subscription as its owner sees it; ``proved``: the caller just proved the contact (the
    answer may then carry the management page, where push and changes are)."""
    return SubscriptionOut(
        id=record.id,
        email=_mask(record.email) if record.email else None,
        phone=("•" * 6 + record.phone[-3:]) if record.phone else None,
        topics=record.topics,
        sectors=record.sectors,
        language=record.language,
        email_state=record.email_state,
        sms_state=record.sms_state,
        confirmed="confirmed" in (record.email_state, record.sms_state),
        push_devices=len(record.webpush),
        manage_path=manage_path(record.id) if proved else None,
    )


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


# ---- managing --------------------------------------------------------------------------------------


def show(sub_id: str, token: str | None) -> SubscriptionOut:
    return out(check_token(sub_id, token))


def update(sub_id: str, token: str | None, body: SubscriptionUpdateIn) -> SubscriptionOut:
    record = check_token(sub_id, token)
    sectors = list(dict.fromkeys(body.sectors))
    topic_codes = list(dict.fromkeys(body.topics))
    _check_follows(topic_codes, sectors)
    new = record.model_copy(
        update={
            "topics": topic_codes,
            "sectors": sectors,
            "language": body.language,
            "version": record.version + 1,
        }
    )
    store.save(record, new, "changed", {"topics": topic_codes, "sectors": sectors})
    return out(new)


def unsubscribe(
    sub_id: str, token: str | None, topic: str | None, channel: str = "web", source: str | None = None
) -> SubscriptionOut:
    """One topic, or everything (no topic): the audience items go in the same transaction.
    ``source``: the alert or campaign whose email's link was used (counted once, when something
    changed)."""
    from ventanilla.services import proactive_figures

    record = check_token(sub_id, token)
    if topic:
        if topic not in record.topics:
            return out(record)
        rest = [t for t in record.topics if t != topic]
        if rest:
            new = record.model_copy(update={"topics": rest, "version": record.version + 1})
            store.save(record, new, "unsubscribed", {"topic": topic, "channel": channel})
            proactive_figures.record_unsubscribe(source)
            return out(new)
    if (
        record.email_state in ("unsubscribed", "none")
        and record.sms_state in ("unsubscribed", "none")
        and not record.webpush
    ):
        return out(record)
    new = record.model_copy(
        update={
            "email_state": "unsubscribed" if record.email else "none",
            "sms_state": "unsubscribed" if record.phone else "none",
            "webpush": [],
            "version": record.version + 1,
        }
    )
    store.save(record, new, "unsubscribed", {"topic": "*", "channel": channel})
    proactive_figures.record_unsubscribe(source)
    if record.citizen_id:
        _account_consent(record.citizen_id, False)
    return out(new)


def ledger(sub_id: str, token: str | None) -> list[dict[str, Any]]:
    check_token(sub_id, token)
    return store.ledger(sub_id)


def stored_topic(code: str) -> SubscriptionTopic | None:
    """The topic as stored, or None (the audit trail's "before" and "after")."""
    return store.topic(code) if is_code(code) else None
