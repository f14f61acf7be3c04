"""Notification routes: devices, a citizen's notice choices, opt-out links; templates, suppressions
and the dead-letter queue for supervisors and admins."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    BEARER,
    CURSOR,
    KEY_HEADERS,
    citizen_key,
    citizen_of,
    is_citizen_token,
    json_response,
    lang_of,
    limit,
    parse_body,
    principal_of,
    query_int,
    query_params,
    route,
)
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


@route(
    bp,
    "/api/v1/devices",
    "POST",
    summary="Register a device for push notices (an FCM/APNs token or the portal's Web Push "
    "subscription): for a request (number + X-Access-Code or X-Ticket-Session), a citizen account or "
    "the signed-in staff member",
    tag="notifications",
    body=DeviceIn,
    response=DeviceOut,
    status=201,
    headers={**KEY_HEADERS, "Authorization": BEARER},
)
def register_device() -> Response:
    request = bp.current_request
    body = parse_body(request, DeviceIn)
    principal, citizen = None, None
    if request.headers.get("authorization"):
        if is_citizen_token(request):
            citizen = citizen_of(request)
        else:
            principal = principal_of(request)
    return json_response(
        preferences.register_device(body, principal, citizen_key(request), citizen), status=201
    )


@route(
    bp,
    "/api/v1/push/key",
    "GET",
    summary="The Web Push (VAPID) public key the portal subscribes with (409 while not configured)",
    tag="notifications",
    response=WebPushKeyOut,
)
def webpush_key() -> Response:
    return json_response(preferences.webpush_key(), headers={"Cache-Control": "public, max-age=3600"})


@route(
    bp,
    "/api/v1/tickets/{number}/notifications",
    "PUT",
    summary="Change a request's notice channels and language (X-Access-Code or X-Ticket-Session)",
    tag="citizen",
    body=NoticePrefsIn,
    response=NoticePrefsOut,
    headers=KEY_HEADERS,
)
def update_prefs(number: str) -> Response:
    request = bp.current_request
    body = parse_body(request, NoticePrefsIn)
    return json_response(preferences.update_prefs(number, citizen_key(request), body))


@route(
    bp,
    "/api/v1/notifications/opt-out/{token}",
    "GET",
    summary="What a signed opt-out link would stop (changes nothing: link scanners follow GETs)",
    tag="notifications",
    response=OptOutOut,
)
def opt_out_look(token: str) -> Response:
    request = bp.current_request
    return json_response(preferences.opt_out(token, lang_of(request), confirm=False))


@route(
    bp,
    "/api/v1/notifications/opt-out/{token}",
    "POST",
    summary="Honour a signed opt-out link (also the RFC 8058 one-click unsubscribe)",
    tag="notifications",
    response=OptOutOut,
)
def opt_out(token: str) -> Response:
    request = bp.current_request
    return json_response(preferences.opt_out(token, lang_of(request), confirm=True))


@route(
    bp,
    "/api/v1/admin/notifications/templates",
    "GET",
    summary="Every notice template (kind x channel x language) and whether it is edited",
    tag="admin",
    response=TemplateList,
    auth=True,
    roles=notice_admin.MANAGERS,
)
def list_templates() -> Response:
    return json_response(notice_admin.list_templates(principal_of(bp.current_request)))


@route(
    bp,
    TEMPLATE_PATH,
    "GET",
    summary="A template: the packaged default and the saved override",
    tag="admin",
    response=TemplateOut,
    auth=True,
    roles=notice_admin.MANAGERS,
)
def get_template(kind: str, channel: str, lang: str) -> Response:
    return json_response(notice_admin.get_template(principal_of(bp.current_request), kind, channel, lang))


@route(
    bp,
    TEMPLATE_PATH,
    "PUT",
    summary="Save an edited template (validated in the sandbox first); used from the next notice on. "
    'Send If-Match: "<version>" (the version loaded; "0": none) to refuse a concurrent edit (409)',
    tag="admin",
    body=TemplateParts,
    response=TemplateOut,
    auth=True,
    roles=notice_admin.MANAGERS,
    audit="notification-template",
    before=_template,
)
def put_template(kind: str, channel: str, lang: str) -> Response:
    request = bp.current_request
    parts = parse_body(request, TemplateParts)
    expected = _if_match(request.headers.get("if-match"))
    principal = principal_of(request)
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


@route(
    bp,
    TEMPLATE_PATH,
    "DELETE",
    summary="Drop an edited template: the packaged default applies again",
    tag="admin",
    status=204,
    auth=True,
    roles=notice_admin.MANAGERS,
    audit="notification-template",
    before=_template,
)
def delete_template(kind: str, channel: str, lang: str) -> Response:
    notice_admin.delete_template(principal_of(bp.current_request), kind, channel, lang)
    return Response(body="", status_code=204)


@route(
    bp,
    "/api/v1/admin/notifications/preview",
    "POST",
    summary="Render a notice with sample data (saved override, or the unsaved parts given)",
    tag="admin",
    body=PreviewIn,
    response=PreviewOut,
    auth=True,
    roles=notice_admin.MANAGERS,
)
def preview() -> Response:
    request = bp.current_request
    body = parse_body(request, PreviewIn)
    return json_response(notice_admin.preview(principal_of(request), body, lang_of(request)))


@route(
    bp,
    "/api/v1/admin/notifications/suppressions",
    "GET",
    summary="Addresses that bounced or complained (masked); no notice goes to them",
    tag="admin",
    response=SuppressionList,
    auth=True,
    query={"limit": limit(1, 100, 50), "cursor": CURSOR},
    roles=notice_admin.MANAGERS,
)
def list_suppressions() -> Response:
    request = bp.current_request
    limit = query_int(request, "limit", 50, 1, 100)
    cursor = query_params(request).get("cursor")
    return json_response(notice_admin.list_suppressions(principal_of(request), limit, cursor))


@route(
    bp,
    "/api/v1/admin/notifications/suppressions/{suppression_id}",
    "DELETE",
    summary="Take an address off the suppression list",
    tag="admin",
    status=204,
    auth=True,
    roles=notice_admin.MANAGERS,
    audit="suppression",
)
def remove_suppression(suppression_id: str) -> Response:
    notice_admin.remove_suppression(principal_of(bp.current_request), suppression_id)
    return Response(body="", status_code=204)


@route(
    bp,
    "/api/v1/admin/notifications/dead-letters",
    "GET",
    summary="Notices that failed every retry (the dead-letter queue), without their contents",
    tag="admin",
    response=DeadLetterList,
    auth=True,
    query={"limit": limit(1, 100, 20)},
    roles=notice_admin.MANAGERS,
)
def dead_letters() -> Response:
    request = bp.current_request
    limit = query_int(request, "limit", 20, 1, 100)
    return json_response(notice_admin.dead_letters(principal_of(request), limit))


@route(
    bp,
    "/api/v1/admin/notifications/dead-letters/redrive",
    "POST",
    summary="Move dead letters back to the notifications queue (each is retried; none sends twice)",
    tag="admin",
    body=RedriveIn,
    response=RedriveOut,
    auth=True,
    roles=notice_admin.MANAGERS,
    audit="dead-letters",
    audit_action="redrive",
)
def redrive() -> Response:
    request = bp.current_request
    body = parse_body(request, RedriveIn)
    return json_response(notice_admin.redrive(principal_of(request), body.limit))
