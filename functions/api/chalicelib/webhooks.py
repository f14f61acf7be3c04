"""Admin routes of outbound webhooks: endpoints, their delivery log, the dead letters and redrive."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    CURSOR,
    json_response,
    limit,
    parse_body,
    principal_of,
    query_int,
    query_params,
    route,
)
from ventanilla.models.webhooks import (
    Webhook,
    WebhookCreated,
    WebhookDeadLetterList,
    WebhookDeliveryPage,
    WebhookIn,
    WebhookList,
    WebhookRedriveIn,
    WebhookRedriveOut,
)
from ventanilla.services import webhooks

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store"}


def _hook(webhook_id: str) -> Webhook | None:
    """The endpoint as stored, without its secret (the audit trail's "before" and "after")."""
    return webhooks.stored(webhook_id)


@route(
    bp,
    "/api/v1/admin/webhooks",
    "POST",
    summary="Register a webhook endpoint: its secret is in this answer only when generated or given",
    tag="admin",
    body=WebhookIn,
    response=WebhookCreated,
    status=201,
    auth=True,
    roles=webhooks.ADMINS,
    audit="webhook",
)
def create_webhook() -> Response:
    request = bp.current_request
    created = webhooks.create(parse_body(request, WebhookIn), principal_of(request))
    return json_response(created, status=201, headers=NO_STORE)


@route(
    bp,
    "/api/v1/admin/webhooks",
    "GET",
    summary="The webhook endpoints (never their secrets)",
    tag="admin",
    response=WebhookList,
    auth=True,
    roles=webhooks.ADMINS,
)
def list_webhooks() -> Response:
    return json_response(webhooks.listing(), headers=NO_STORE)


@route(
    bp,
    "/api/v1/admin/webhooks/{webhook_id}",
    "GET",
    summary="One webhook endpoint",
    tag="admin",
    response=Webhook,
    auth=True,
    roles=webhooks.ADMINS,
)
def get_webhook(webhook_id: str) -> Response:
    return json_response(webhooks.get(webhook_id), headers=NO_STORE)


@route(
    bp,
    "/api/v1/admin/webhooks/{webhook_id}",
    "PUT",
    summary="Replace an endpoint's name, URL, events and active flag (and its secret, when given)",
    tag="admin",
    body=WebhookIn,
    response=Webhook,
    auth=True,
    roles=webhooks.ADMINS,
    audit="webhook",
    before=_hook,
)
def update_webhook(webhook_id: str) -> Response:
    request = bp.current_request
    return json_response(webhooks.update(webhook_id, parse_body(request, WebhookIn)), headers=NO_STORE)


@route(
    bp,
    "/api/v1/admin/webhooks/{webhook_id}",
    "DELETE",
    summary="Delete an endpoint (deliveries still queued for it are dropped)",
    tag="admin",
    status=204,
    auth=True,
    roles=webhooks.ADMINS,
    audit="webhook",
    before=_hook,
)
def delete_webhook(webhook_id: str) -> Response:
    webhooks.delete(webhook_id)
    return Response(body="", status_code=204)


@route(
    bp,
    "/api/v1/admin/webhooks/{webhook_id}/deliveries",
    "GET",
    summary="The endpoint's delivery log, newest first (each attempt, kept 30 days)",
    tag="admin",
    response=WebhookDeliveryPage,
    auth=True,
    query={"limit": limit(1, 100, 25), "cursor": CURSOR},
    roles=webhooks.ADMINS,
)
def webhook_deliveries(webhook_id: str) -> Response:
    request = bp.current_request
    size = query_int(request, "limit", 25, 1, 100)
    cursor = query_params(request).get("cursor")
    return json_response(webhooks.deliveries(webhook_id, size, cursor))


@route(
    bp,
    "/api/v1/admin/webhook-dead-letters",
    "GET",
    summary="Webhook deliveries that failed every retry (the dead-letter queue), without their bodies",
    tag="admin",
    response=WebhookDeadLetterList,
    auth=True,
    query={"limit": limit(1, 100, 20)},
    roles=webhooks.ADMINS,
)
def webhook_dead_letters() -> Response:
    request = bp.current_request
    return json_response(webhooks.dead_letters(query_int(request, "limit", 20, 1, 100)))


@route(
    bp,
    "/api/v1/admin/webhook-dead-letters/redrive",
    "POST",
    summary="Move webhook dead letters back to the queue: each is delivered again, with its retries",
    tag="admin",
    body=WebhookRedriveIn,
    response=WebhookRedriveOut,
    auth=True,
    roles=webhooks.ADMINS,
    audit="webhook-dead-letters",
    audit_action="redrive",
)
def redrive_webhooks() -> Response:
    request = bp.current_request
    return json_response(webhooks.redrive(parse_body(request, WebhookRedriveIn).limit))
