"""The audit trail (F4): admins read it with filters and export it; no route edits it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from chalice import Blueprint, Response

from chalicelib.http import (
    CURSOR,
    Area,
    json_response,
    limit,
    q,
    query_int,
    query_params,
)
from ventanilla.auth import Principal
from ventanilla.errors import BadRequest
from ventanilla.models.audit import AuditList
from ventanilla.services import audit

bp = Blueprint(__name__)
ACTOR = re.compile(r"^[A-Za-z0-9._@+-]{1,128}$")
NO_STORE = {"Cache-Control": "no-store"}
FILTERS = {
    "from": q("first day, YYYY-MM-DD (default: a year before `to`)", format="date"),
    "to": q("last day, YYYY-MM-DD (default: today)", format="date"),
    "kind": q(
        "what was changed (canned, sla-policy, staff, team, help-article...)",
        pattern=r"^[a-z][a-z0-9-]{0,40}$",
    ),
    "actor": q("username of who changed it", pattern=r"^[A-Za-z0-9._@+-]{1,128}$", maxLength=128),
}


def _filters() -> dict[str, Any]:
    params = query_params(bp.current_request)
    out: dict[str, Any] = {}
    for name, key in (("from", "since"), ("to", "until")):
        raw = params.get(name)
        if raw:
            try:
                out[key] = date.fromisoformat(raw)
            except ValueError as error:
                raise BadRequest("invalid_query", {"detail": f"{name}: YYYY-MM-DD"}) from error
    kind = params.get("kind")
    if kind is not None and not audit.KIND.fullmatch(kind):
        raise BadRequest("invalid_query", {"detail": "kind"})
    actor = params.get("actor")
    if actor is not None and not ACTOR.fullmatch(actor):
        raise BadRequest("invalid_query", {"detail": "actor"})
    out["kind"] = kind or None
    out["actor"] = actor or None
    return out


readers = Area(bp, "admin", roles=audit.READERS)


@readers.get(
    "/api/v1/admin/audit", response=AuditList, query={**FILTERS, "limit": limit(1, 200, 50), "cursor": CURSOR}
)
def list_audit(principal: Principal) -> Response:
    """The audit trail: every change of configuration, content, staff and teams, newest first"""
    request = bp.current_request
    found = audit.list_records(
        principal,
        limit=query_int(request, "limit", 50, 1, 200),
        cursor=query_params(request).get("cursor"),
        **_filters(),
    )
    return json_response(found, headers=NO_STORE)


@readers.get(
    "/api/v1/admin/audit/export",
    text_response="text/csv",
    query={**FILTERS, "format": q("csv (default) or jsonl", enum=["csv", "jsonl"])},
)
def export_audit(principal: Principal) -> Response:
    """The audit trail as CSV or JSON Lines (same filters, at most 5,000 records)"""
    request = bp.current_request
    fmt = query_params(request).get("format") or "csv"
    if fmt not in ("csv", "jsonl"):
        raise BadRequest("invalid_query", {"detail": "format: csv, jsonl"})
    text = audit.export(principal, fmt, **_filters())
    media = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": f"{media}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="auditoria.{fmt}"',
            **NO_STORE,
        },
    )
