"""Schemathesis checks of this API's own rules, loaded with SCHEMATHESIS_HOOKS=tests.fuzz.hooks."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import schemathesis

PROBLEM_JSON = "application/problem+json"
REFERENCE_CODES = frozenset(
    {
        "unknown_type",
        "unknown_subtype",
        "unknown_team",
        "unknown_staff",
        "optout_invalid",
        "invalid_cursor",
        "not_in_section",
        "link_used_or_expired",
        "asset_type_unknown",
        "location_unknown",
        "team_unknown",
        "asset_not_found",
        "sub_topic_unknown",
        "area_not_found",
        "area_no_sector",
        "sub_code_wrong",
    }
)
"""Problem and field codes that say a well-formed value names nothing that exists (a type code, a
team, a staff member, a signed link, a page cursor, a notice link's one-time token: 410): the document cannot list those, as it cannot
list ticket numbers; they count as a 404 for the positive-data check."""
ACCEPTED = frozenset({401, 403, 404, 409})
AUTH_CODES = frozenset({"device_needs_owner"})
"""Field codes that ask for credentials (a device needs a request's code or a staff token)."""
RULES_BEYOND_JSON_SCHEMA = {
    "POST /api/v1/devices": "a token for fcm/apns, a subscription on a known push service for webpush",
    "GET /api/v1/help/search": "q, or else section or stage, is needed",
    "GET /api/v1/stats/dashboard": "from <= to, at most 366 days apart",
    "GET /api/v1/stats/charts/{chart}": "from <= to, at most 366 days apart",
    "GET /api/v1/stats/report": "a period that has begun; period or from/to, not both; from <= to",
    "POST /api/v1/tickets": "an email or a phone, and the contact of every channel chosen",
    "POST /api/v1/me/phone": "a mobile number of the institution's countries, not yet the account's",
    "POST /api/v1/me/phone/confirm": "the code of a pending check that POST /api/v1/me/phone sent",
    "POST /api/v1/tickets/{number}/survey": "only a resolved request is rated",
    "POST /api/v1/admin/help/articles": "Markdown the sanitiser keeps, translations that exist",
    "PUT /api/v1/admin/help/articles/{slug}": "Markdown the sanitiser keeps, translations that exist",
    "PUT /api/v1/admin/calendar": "each shift starts before it ends, shifts do not overlap",
    "PUT /api/v1/admin/sla-policy": "warnings ascending 1 % apart; overdue levels ascending",
    "PUT /api/v1/admin/routing/rules": "each rule with an action, conditions that can match, "
    "types and teams that exist",
    "POST /api/v1/admin/help/import": "one article per line, each an Article (the body is text)",
    "POST /api/v1/agent/tickets/{number}/link": "an email an account verified, identity checked",
    "POST /api/v1/admin/calendar/due": "hours or days, one of the two",
    "POST /api/v1/admin/calendar/holidays": "an edited calendar's shifts start before they end, no overlap",
    "POST /api/v1/admin/help/synonyms": "a term and a meaning that are not the same words",
    "POST /api/v1/assets": "the type's own fields, seats only for a licence, warranty after purchase",
    "PUT /api/v1/assets/{inventory_number}": "the same as creating, on the version read",
    "POST /api/v1/assets/import": "a CSV with a header row and at least one row (the body is text)",
    "POST /api/v1/assets/{inventory_number}/seats": "only a licence has seats",
    "POST /api/v1/agent/tickets": "an email or a phone, the contact of every channel chosen; "
    "the asset form.inventario names exists and the filer may read it",
    "PUT /api/v1/admin/alert-sources/{source}": "a secret the first time; a type open to internal requesters",
    "POST /api/v1/agent/tickets/{number}/escalate": "a tier above the request's current one",
    "GET /api/v1/agent/queue": "a search (q) is one page: no cursor with it",
    "GET /api/v1/agent/queue/new": "since is a real instant (a date and time that exist)",
    "POST /api/v1/agent/tickets/{number}/links": "another request that exists, not the request itself",
    "POST /api/v1/agent/tickets/{number}/merge": "another open request of the agent's teams, both open "
    "and neither merged, at the version read",
    "POST /api/v1/integrations/alerts/{source}": "a signature over the raw body; Alertmanager's JSON too",
    "POST /api/v1/admin/webhooks": "a URL whose host resolves to public addresses only (SSRF guard)",
    "PUT /api/v1/admin/webhooks/{webhook_id}": "a URL whose host resolves to public addresses only",
    "GET /api/v1/forum/topics": "a category or a tag; a cursor of that listing",
    "POST /api/v1/forum/topics": "a category that exists; the forum's word list, link rules and rate",
    "POST /api/v1/forum/topics/{topic_id}/replies": "a quoted post that exists; word list, links, rate",
    "PUT /api/v1/forum/topics/{topic_id}/posts/{post_id}": "the forum's word list, link rules and rate",
    "PUT /api/v1/forum/topics/{topic_id}/links": "a request type that exists",
    "POST /api/v1/forum/moderation/topics/{topic_id}/move": "a category that exists",
    "POST /api/v1/forum/moderation/topics/{topic_id}/merge": "another topic that exists, not merged",
    "PUT /api/v1/admin/forum/categories/{code}": "the body's code is the path's",
    "POST /api/v1/admin/areas": "valid, non-overlapping polygons within the size limits (shapely checks)",
    "POST /api/v1/subscriptions": "topics and sectors that exist, a point inside a sector, email or phone",
    "PUT /api/v1/subscriptions/{sub_id}": "the management link's signature; topics and sectors that exist",
    "POST /api/v1/subscriptions/{sub_id}/devices": "the management link's signature; a known push service",
    "POST /api/v1/admin/alerts": "sectors and topics that exist, end after start",
    "POST /api/v1/admin/campaigns": "sectors and topics that exist",
    "POST /api/v1/admin/campaigns/preview": "sectors and topics that exist",
    "POST /api/v1/admin/alerts/{alert_id}/updates": "an alert that is still open",
    "PUT /api/v1/admin/notifications/templates/{kind}/{channel}/{lang}": (
        "at least one part, the parts of that channel, each a template that renders"
    ),
}
"""Operations with a rule across fields or on stored state that JSON Schema cannot state: there the
positive-data check is not applied (the no-5xx and problem-document checks still are)."""


def _problem(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: Any, value: Any) -> bytes:
    """The help import's JSON Lines body (the document describes it as a string)."""
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


def _open311(case: Any) -> bool:
    """Open311 GeoReport v2 answers errors in the spec's own format, not as problem documents."""
    return str(case.operation.path).startswith("/open311/")


@schemathesis.check
def open311_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every Open311 error is the spec's list of {code, description} (JSON) or <errors> (XML)."""
    if response.status_code < 400 or not _open311(case):
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0]
    if content_type == "text/xml":
        assert (response.content or b"").lstrip().startswith(b"<?xml"), "XML error without declaration"
        assert b"<errors>" in (response.content or b""), "XML error without <errors>"
        return True
    if content_type == PROBLEM_JSON:  # a path the API does not route at all (the gateway's 404)
        return None
    body = json.loads(response.content or b"null")
    assert isinstance(body, list) and body, f"Open311 error is not a list: {body!r}"
    assert all({"code", "description"} <= set(e) for e in body), (
        f"Open311 error without code/description: {body}"
    )
    return True


@schemathesis.check
def problem_document(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error is an RFC 9457 problem document with type, title and status."""
    if response.status_code < 400 or _open311(case):
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0]
    assert content_type == PROBLEM_JSON, f"{response.status_code} answered as {content_type!r}"
    body = _problem(response)
    assert {"type", "title", "status"} <= set(body), f"problem document without type/title/status: {body}"
    assert body["status"] == response.status_code, "problem status differs from the HTTP status"
    return True


DOCUMENT_ENV = "VENTANILLA_FUZZ_DOCUMENT"
"""A file holding the served document, read once per run: the tool's own copy is shared by its
worker threads and has been seen half-rewritten under load."""


@functools.cache
def _document() -> dict[str, Any]:
    path = os.environ.get(DOCUMENT_ENV)
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}


def _body_fits_document(case: Any) -> bool:
    """Whether the case's body really is valid by the document. Under load schemathesis (two
    worker threads) has sent ``{}`` (or no body) where the body has required properties and still
    called the case positive (a tool fault seen in CI): such a case is not held against the API.
    The schema is read from a private copy of the served document (``VENTANILLA_FUZZ_DOCUMENT``),
    never from the tool's shared one; without that copy no case is held against the API."""
    raw = _document()
    path = raw.get("paths", {}).get(str(case.operation.path))
    if path is None:
        return False
    declared = path.get(str(case.method).lower(), {}).get("requestBody") or {}
    schemas = [c.get("schema") for m, c in (declared.get("content") or {}).items() if "json" in m]
    if not schemas:
        return True
    body = case.body
    if type(body).__name__ == "NotSet":  # no body at all: valid only where the document allows none
        return not declared.get("required", False)
    from jsonschema import Draft202012Validator

    try:
        return bool(
            Draft202012Validator({**schemas[0], "components": raw.get("components", {})}).is_valid(body)
        )
    except Exception:  # a schema this check cannot read: the case is not held against the API
        return False


@schemathesis.check
def valid_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request valid by the document is refused only for auth, an unknown id or reference, or 409."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    if case.operation.label in RULES_BEYOND_JSON_SCHEMA or _open311(case):
        return None  # Open311's rules (suffixes, a key, a place) are the spec's, beyond JSON Schema
    if not _body_fits_document(case):
        return None
    if response.status_code >= 500 or response.status_code in ACCEPTED:
        return None
    body = _problem(response)
    codes = {body.get("code")} | {e.get("code") for e in body.get("errors") or []}
    codes.discard("validation_failed")
    assert codes and codes <= REFERENCE_CODES | AUTH_CODES, (
        f"valid by the document but refused {response.status_code}: {json.dumps(body)[:400]} "
        f"(case body {str(case.body)[:200]}, media type {case.media_type})"
    )
    return True
