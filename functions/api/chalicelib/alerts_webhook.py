"""Monitoring systems open requests through a signed webhook; admins manage their sources."""

from __future__ import annotations

from chalice import Blueprint, Response
from pydantic import ValidationError

from chalicelib.http import (
    Area,
    field_errors,
    json_object,
    json_response,
    logger,
    q,
)
from ventanilla.auth import Principal
from ventanilla.errors import ValidationFailed
from ventanilla.models.alerts import (
    AlertSourceIn,
    AlertSourceList,
    AlertSourceView,
    AlertsReceived,
    SimpleAlertIn,
)
from ventanilla.services import alerts

bp = Blueprint(__name__)


admins = Area(bp, "admin", roles=alerts.ADMIN_ROLES)
signed = Area(bp, "integrations")


@signed.post(
    "/api/v1/integrations/alerts/{source}",
    body=SimpleAlertIn,
    response=AlertsReceived,
    status=202,
    headers={
        "X-Ventanilla-Signature": q(
            "sha256=<hex HMAC-SHA256 of the raw body>", pattern=r"^sha256=[0-9a-f]{64}$"
        ),
    },
)
def receive(source: str) -> Response:
    """A monitoring alert (Prometheus Alertmanager webhook JSON, or {fingerprint, status: firing|resolved,
    summary, details, severity, host, id}) signed with the source's secret: one open request per
    fingerprint, repeats counted and noted, resolved noted (and resolved if the source says so); bad
    signature 401, unknown source 404, the same delivery processed once"""
    request = bp.current_request
    raw, payload = json_object(request)
    try:
        result = alerts.receive(source, raw, request.headers.get("x-ventanilla-signature"), payload)
    except ValidationError as error:
        raise ValidationFailed("validation_failed", errors=field_errors(error)) from error
    logger.info(
        "alerts received", extra={"source": source, "replay": result.replay, "alerts": len(result.results)}
    )
    return json_response(result, status=202)


@admins.put(
    "/api/v1/admin/alert-sources/{source}", body=AlertSourceIn, response=AlertSourceView, audit="alert-source"
)
def put_source(source: str, principal: Principal, body: AlertSourceIn) -> Response:
    """Create or change a monitoring source: the request type it files, its requester address, whether a
    resolved alert resolves the request, and its HMAC secret (required the first time; never answered)"""
    return json_response(alerts.put_source(principal, source, body))


@admins.get("/api/v1/admin/alert-sources", response=AlertSourceList)
def list_sources(principal: Principal) -> Response:
    """The monitoring sources (their secrets are never answered)"""
    return json_response(alerts.list_sources(principal), headers={"Cache-Control": "no-store"})
