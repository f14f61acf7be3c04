"""Notification routes: devices, a citizen's notice choices, opt-out links; templates, suppressions
and the dead-letter queue for supervisors and admins."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    BEARER,
    CURSOR,
    KEY_HEADERS,
    Area,
    citizen_key,
    citizen_of,
    is_citizen_token,
    json_response,
    lang_of,
    limit,
    principal_of,
    query_int,
    query_params,
)
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest
from ventanilla.models.notices import (
    DeadLetterList,
    DeviceIn,
    DeviceOut,
    NoticePrefsIn,
    NoticePrefsOut,
    OptOutOut,
    PreviewIn,
    PreviewOut,
    RedriveIn,
    RedriveOut,
    SuppressionList,
    TemplateList,
    TemplateOut,
    TemplateParts,
    WebPushKeyOut,
)
from ventanilla.services import notice_admin, preferences

bp = Blueprint(__name__)


def _template(kind: str, channel: str, lang: str) -> TemplateOut:
    """The template as managers see it (the audit trail's "before" and "after")."""
    return notice_admin.get_template(principal_of(bp.current_request), kind, channel, lang)


TEMPLATE_PATH = "/api/v1/admin/notifications/templates/{kind}/{channel}/{lang}"


managers = Area(bp, "admin", roles=notice_admin.MANAGERS)
public = Area(bp, "notifications")
keyed = Area(bp, "citizen", headers=KEY_HEADERS)


@public.post(
    "/api/v1/devices",
    body=DeviceIn,
    response=DeviceOut,
    status=201,
    headers={**KEY_HEADERS, "Authorization": BEARER},
)
def register_device(body: DeviceIn) -> Response:
    """Register a device for push notices (an FCM/APNs token or the portal's Web Push subscription): for a
    request (number + X-Access-Code or X-Ticket-Session), a citizen account or the signed-in staff member"""
    request = bp.current_request
    principal, citizen = None, None
    if request.headers.get("authorization"):
        if is_citizen_token(request):
            citizen = citizen_of(request)
        else:
            principal = principal_of(request)
    return json_response(
        preferences.register_device(body, principal, citizen_key(request), citizen), status=201
    )


@public.get("/api/v1/push/key", response=WebPushKeyOut)
def webpush_key() -> Response:
    """The Web Push (VAPID) public key the portal subscribes with (409 while not configured)"""
    return json_response(preferences.webpush_key(), headers={"Cache-Control": "public, max-age=3600"})


@keyed.put("/api/v1/tickets/{number}/notifications", body=NoticePrefsIn, response=NoticePrefsOut)
def update_prefs(number: str, body: NoticePrefsIn) -> Response:
    """Change a request's notice channels and language (X-Access-Code or X-Ticket-Session)"""
    request = bp.current_request
    return json_response(preferences.update_prefs(number, citizen_key(request), body))


@public.get("/api/v1/notifications/opt-out/{token}", response=OptOutOut)
def opt_out_look(token: str) -> Response:
    """What a signed opt-out link would stop (changes nothing: link scanners follow GETs)"""
    request = bp.current_request
    return json_response(preferences.opt_out(token, lang_of(request), confirm=False))


@public.post("/api/v1/notifications/opt-out/{token}", response=OptOutOut)
def opt_out(token: str) -> Response:
    """Honour a signed opt-out link (also the RFC 8058 one-click unsubscribe)"""
    request = bp.current_request
    return json_response(preferences.opt_out(token, lang_of(request), confirm=True))


@managers.get("/api/v1/admin/notifications/templates", response=TemplateList)
def list_templates(principal: Principal) -> Response:
    """Every notice template (kind x channel x language) and whether it is edited"""
    return json_response(notice_admin.list_templates(principal))


@managers.get(TEMPLATE_PATH, response=TemplateOut)
def get_template(kind: str, channel: str, lang: str, principal: Principal) -> Response:
    """A template: the packaged default and the saved override"""
    return json_response(notice_admin.get_template(principal, kind, channel, lang))


@managers.put(
    TEMPLATE_PATH, body=TemplateParts, response=TemplateOut, audit="notification-template", before=_template
)
def put_template(kind: str, channel: str, lang: str, principal: Principal, body: TemplateParts) -> Response:
    """Save an edited template (validated in the sandbox first); used from the next notice on. Send If-Match:
    "<version>" (the version loaded; "0": none) to refuse a concurrent edit (409)"""
    request = bp.current_request
    parts = body
    expected = _if_match(request.headers.get("if-match"))
    saved = notice_admin.put_template(principal, kind, channel, lang, parts, lang_of(request), expected)
    return json_response(saved)


def _if_match(raw: str | None) -> int | None:
    """The version the editor loaded, as an ETag ("3"; "0": none stored); absent: no check."""
    if raw is None or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 9:
        raise BadRequest("bad_if_match")
    return int(text)


@managers.delete(TEMPLATE_PATH, status=204, audit="notification-template", before=_template)
def delete_template(kind: str, channel: str, lang: str, principal: Principal) -> Response:
    """Drop an edited template: the packaged default applies again"""
    notice_admin.delete_template(principal, kind, channel, lang)
    return Response(body="", status_code=204)


@managers.post("/api/v1/admin/notifications/preview", body=PreviewIn, response=PreviewOut)
def preview(principal: Principal, body: PreviewIn) -> Response:
    """Render a notice with sample data (saved override, or the unsaved parts given)"""
    request = bp.current_request
    return json_response(notice_admin.preview(principal, body, lang_of(request)))


@managers.get(
    "/api/v1/admin/notifications/suppressions",
    response=SuppressionList,
    query={"limit": limit(1, 100, 50), "cursor": CURSOR},
)
def list_suppressions(principal: Principal) -> Response:
    """Addresses that bounced or complained (masked); no notice goes to them"""
    request = bp.current_request
    limit = query_int(request, "limit", 50, 1, 100)
    cursor = query_params(request).get("cursor")
    return json_response(notice_admin.list_suppressions(principal, limit, cursor))


@managers.delete("/api/v1/admin/notifications/suppressions/{suppression_id}", status=204, audit="suppression")
def remove_suppression(suppression_id: str, principal: Principal) -> Response:
    """Take an address off the suppression list"""
    notice_admin.remove_suppression(principal, suppression_id)
    return Response(body="", status_code=204)


@managers.get(
    "/api/v1/admin/notifications/dead-letters", response=DeadLetterList, query={"limit": limit(1, 100, 20)}
)
def dead_letters(principal: Principal) -> Response:
    """Notices that failed every retry (the dead-letter queue), without their contents"""
    request = bp.current_request
    limit = query_int(request, "limit", 20, 1, 100)
    return json_response(notice_admin.dead_letters(principal, limit))


@managers.post(
    "/api/v1/admin/notifications/dead-letters/redrive",
    body=RedriveIn,
    response=RedriveOut,
    audit="dead-letters",
    audit_action="redrive",
)
def redrive(principal: Principal, body: RedriveIn) -> Response:
    """Move dead letters back to the notifications queue (each is retried; none sends twice)"""
    return json_response(notice_admin.redrive(principal, body.limit))
