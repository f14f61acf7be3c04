"""What supervisors and admins manage about notices: templates edited without a deploy
(with a rendered preview), the suppression list fed by bounces and complaints, and the notices
dead-letter queue (list, redrive)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ventanilla.auth import Principal
from ventanilla.errors import BadRequest, Conflict, FieldError, NotFound, ValidationFailed
from ventanilla.i18n import Lang
from ventanilla.integrations import queues
from ventanilla.models.common import iso, utcnow
from ventanilla.models.notices import (
    DeadLetter,
    DeadLetterList,
    PreviewIn,
    PreviewOut,
    RedriveOut,
    Suppression,
    SuppressionList,
    TemplateList,
    TemplateOut,
    TemplateParts,
    TemplateSummary,
)
from ventanilla.notify.context import sample_context
from ventanilla.notify.events import DELIVERY_CHANNELS, Kind
from ventanilla.notify.render import LANGS, PARTS, TEMPLATES_DIR, TemplateRenderer, template_name
from ventanilla.settings import get_settings
from ventanilla.storage import notices as store

MANAGERS = ("admin", "supervisor")


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError as error:
        raise NotFound("unknown_notice_kind") from error


def _check_channel_lang(channel: str, lang: str) -> None:
    if channel not in {c.value for c in DELIVERY_CHANNELS} or lang not in LANGS:
        raise NotFound("unknown_notice_kind")


def defaults(kind: Kind, channel: str) -> dict[str, dict[str, str]]:
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
    from ventanilla.services import delivery

    delivery.forget_templates()
    return get_template(principal, kind, channel, lang)


def delete_template(principal: Principal, kind: str, channel: str, lang: str) -> None:
    principal.require(*MANAGERS)
    k = _kind(kind)
    _check_channel_lang(channel, lang)
    if not store.delete_template(k.value, channel, lang):
        raise NotFound("template_not_overridden")
    from ventanilla.services import delivery

    delivery.forget_templates()


def preview(principal: Principal, body: PreviewIn, ui: Lang) -> PreviewOut:
    """The notice as its recipient would see it, with sample data (and unsaved edits if given)."""
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
