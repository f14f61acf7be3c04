"""Admin routes of outbound webhooks: endpoints, their delivery log, the dead letters and redrive."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import (
    CURSOR,
    Area,
    json_response,
    limit,
    query_int,
    query_params,
)
from ventanilla.auth import Principal
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


admins = Area(bp, "admin", roles=webhooks.ADMINS)


@admins.post("/api/v1/admin/webhooks", body=WebhookIn, response=WebhookCreated, status=201, audit="webhook")
def create_webhook(principal: Principal, body: WebhookIn) -> Response:
    """Register a webhook endpoint: its secret is in this answer only when generated or given"""
    created = webhooks.create(body, principal)
    return json_response(created, status=201, headers=NO_STORE)


@admins.get("/api/v1/admin/webhooks", response=WebhookList)
def list_webhooks() -> Response:
    """The webhook endpoints (never their secrets)"""
    return json_response(webhooks.listing(), headers=NO_STORE)


@admins.get("/api/v1/admin/webhooks/{webhook_id}", response=Webhook)
def get_webhook(webhook_id: str) -> Response:
    """One webhook endpoint"""
    return json_response(webhooks.get(webhook_id), headers=NO_STORE)


@admins.put(
    "/api/v1/admin/webhooks/{webhook_id}", body=WebhookIn, response=Webhook, audit="webhook", before=_hook
)
def update_webhook(webhook_id: str, body: WebhookIn) -> Response:
    """Replace an endpoint's name, URL, events and active flag (and its secret, when given)"""
    return json_response(webhooks.update(webhook_id, body), headers=NO_STORE)


@admins.delete("/api/v1/admin/webhooks/{webhook_id}", status=204, audit="webhook", before=_hook)
def delete_webhook(webhook_id: str) -> Response:
    """Delete an endpoint (deliveries still queued for it are dropped)"""
    webhooks.delete(webhook_id)
    return Response(body="", status_code=204)


@admins.get(
    "/api/v1/admin/webhooks/{webhook_id}/deliveries",
    response=WebhookDeliveryPage,
    query={"limit": limit(1, 100, 25), "cursor": CURSOR},
)
def webhook_deliveries(webhook_id: str) -> Response:
    """The endpoint's delivery log, newest first (each attempt, kept 30 days)"""
    request = bp.current_request
    size = query_int(request, "limit", 25, 1, 100)
    cursor = query_params(request).get("cursor")
    return json_response(webhooks.deliveries(webhook_id, size, cursor))


@admins.get(
    "/api/v1/admin/webhook-dead-letters", response=WebhookDeadLetterList, query={"limit": limit(1, 100, 20)}
)
def webhook_dead_letters() -> Response:
    """Webhook deliveries that failed every retry (the dead-letter queue), without their bodies"""
    request = bp.current_request
    return json_response(webhooks.dead_letters(query_int(request, "limit", 20, 1, 100)))


@admins.post(
    "/api/v1/admin/webhook-dead-letters/redrive",
    body=WebhookRedriveIn,
    response=WebhookRedriveOut,
    audit="webhook-dead-letters",
    audit_action="redrive",
)
def redrive_webhooks(body: WebhookRedriveIn) -> Response:
    """Move webhook dead letters back to the queue: each is delivered again, with its retries"""
    return json_response(webhooks.redrive(body.limit))
