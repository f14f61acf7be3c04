"""Schemathesis checks of this API's own rules, loaded with SCHEMATHESIS_HOOKS=tests.fuzz.hooks."""

from __future__ import annotations

import json
from typing import Any

import schemathesis

PROBLEM_JSON = "application/problem+json"
REFERENCE_CODES = frozenset(
    {"unknown_type", "unknown_subtype", "unknown_team", "unknown_staff", "optout_invalid", "invalid_cursor"}
)
"""Problem and field codes that say a well-formed value names nothing that exists (a type code, a
team, a staff member, a signed link, a page cursor): the document cannot list those, as it cannot
list ticket numbers; they count as a 404 for the positive-data check."""
ACCEPTED = frozenset({401, 403, 404, 409})


def _problem(response: Any) -> dict[str, Any]:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@schemathesis.check
def problem_document(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error is an RFC 9457 problem document with type, title and status."""
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0]
    assert content_type == PROBLEM_JSON, f"{response.status_code} answered as {content_type!r}"
    body = _problem(response)
    assert {"type", "title", "status"} <= set(body), f"problem document without type/title/status: {body}"
    assert body["status"] == response.status_code, "problem status differs from the HTTP status"
    return True


@schemathesis.check
def valid_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request valid by the document is refused only for auth, an unknown id or reference, or 409."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    if response.status_code >= 500 or response.status_code in ACCEPTED:
        return None
    body = _problem(response)
    codes = {body.get("code")} | {e.get("code") for e in body.get("errors") or []}
    codes.discard("validation_failed")
    assert codes and codes <= REFERENCE_CODES, (
        f"valid by the document but refused {response.status_code}: {json.dumps(body)[:400]}"
    )
    return True
