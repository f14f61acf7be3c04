"""Web Push end to end (issue 21): the portal's subscription filed by POST /api/v1/devices, the
notifier encrypting with pywebpush to a push service on this machine (tests/push_service.py) that
checks VAPID and decrypts as a browser would; 410 removes the subscription; bad input is a 4xx that
names the field and files nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Aws, post, ticket_body
from tests.integration.test_notifications import _status_event, drain, notifications, problem, sent
from tests.push_service import PushService


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


def new_ticket(api: Any) -> dict[str, Any]:
    email = f"vecino-{uuid.uuid4().hex[:10]}@example.cl"
    body = ticket_body(
        type="consulta",
        subtype="general",
        form={},
        requester={"email": email, "name": "Rosa Pérez Muñoz", "channels": ["email"]},
    )
    created = post(api, "/api/v1/tickets", body)
    assert created.status_code == 201, created.body
    return dict(created.json_body)


def devices(number: str) -> list[dict[str, Any]]:
    from ventanilla.storage import notices

    return notices.devices(f"TICKET#{number}")


def test_key_subscribe_receive_dedupe_and_gone(api: Any, aws: Aws, push_service: PushService) -> None:
    key = api.get("/api/v1/push/key")
    assert key.status_code == 200 and len(key.json_body["public_key"]) == 87  # 65 bytes, base64url

    created = new_ticket(api)
    number, code = created["number"], created["access_code"]
    sub = push_service.subscribe()
    registered = post(
        api,
        "/api/v1/devices",
        {"platform": "webpush", "number": number, "subscription": sub.to_json()},
        {"X-Access-Code": code},
    )
    assert registered.status_code == 201, registered.body
    assert registered.json_body["owner"] == "ticket" and registered.json_body["platform"] == "webpush"
    # Subscribing again (the page reloads) files the same device once.
    again = post(
        api,
        "/api/v1/devices",
        {"platform": "webpush", "number": number, "subscription": sub.to_json()},
        {"X-Access-Code": code},
    )
    assert again.json_body["device_id"] == registered.json_body["device_id"] and len(devices(number)) == 1
    # Asking for notices in the browser chose push for the request.
    from ventanilla.storage import tickets as ticket_store

    ticket, _ = ticket_store.get_with_history(number)
    assert ticket is not None and set(ticket.requester.channels) == {"email", "push"}

    from ventanilla.integrations import eventbus

    event = _status_event(number, "resolved")
    eventbus.publish([event])
    eventbus.publish([event])  # a redelivered event pushes nothing twice
    drain(aws)
    [payload] = push_service.wait_for(sub)
    assert not push_service.refused
    assert set(payload) == {"v", "kind", "number", "title", "body", "url", "lang"}
    assert payload["number"] == number and payload["kind"] == "ticket_resolved"
    assert payload["url"].endswith(f"/#/solicitud/{number}")  # no one-time token in a push
    assert number in payload["body"] and "resuelta" in payload["body"]
    assert "Rosa" not in json.dumps(payload, ensure_ascii=False)
    # The outbox shows it as the phone does; the timeline says a push went out.
    [shown] = [e for e in sent(sub.endpoint[:40], "webpush") if e["number"] == number]
    assert shown["text"] == payload["body"] and shown["url"] == payload["url"]
    records = [r for r in notifications(number) if r["kind"] == "ticket_resolved"]
    assert ("sent", "1 browser(s)") in {(r["outcome"], r.get("to")) for r in records}

    # The citizen revoked the permission: the push service answers 410, the subscription goes.
    sub.gone = True
    eventbus.publish([_status_event(number, "reopened")])
    drain(aws)
    assert devices(number) == []
    assert ("ticket_reopened", "failed") in {(r["kind"], r["outcome"]) for r in notifications(number)}
    assert len(sub.received) == 1


def test_bad_subscriptions_are_refused_and_file_nothing(api: Any, push_service: PushService) -> None:
    created = new_ticket(api)
    number, code = created["number"], created["access_code"]
    headers = {"X-Access-Code": code}
    good = push_service.subscribe().to_json()

    def refused(body: dict[str, Any], status: int = 422, head: dict[str, str] | None = None) -> str:
        answer = problem(post(api, "/api/v1/devices", body, headers if head is None else head), status)
        return str(answer["errors"][0]["field"]) if status == 422 else str(answer.get("code", ""))

    assert refused({"platform": "webpush", "number": number}) == "subscription"
    assert refused({"platform": "fcm", "number": number}) == "token"
    elsewhere = {**good, "endpoint": "https://169.254.169.254/latest/meta-data"}
    assert refused({"platform": "webpush", "number": number, "subscription": elsewhere}) == (
        "subscription.endpoint"
    )
    short_key = {**good, "keys": {"p256dh": "abc", "auth": good["keys"]["auth"]}}
    assert refused({"platform": "webpush", "number": number, "subscription": short_key}).startswith(
        "subscription"
    )
    not_a_url = {**good, "endpoint": "javascript:alert(1)"}
    assert refused({"platform": "webpush", "number": number, "subscription": not_a_url}).startswith(
        "subscription"
    )
    assert refused({"platform": "webpush", "subscription": good}) == "number"
    refused(
        {"platform": "webpush", "number": number, "subscription": good}, 404, {"X-Access-Code": "NOPE1234"}
    )
    assert devices(number) == []
    from ventanilla.storage import tickets as ticket_store

    ticket, _ = ticket_store.get_with_history(number)
    assert ticket is not None and ticket.requester.channels == ["email"]


def test_devices_per_request_are_bounded(api: Any, push_service: PushService) -> None:
    from ventanilla.services.preferences import MAX_DEVICES

    created = new_ticket(api)
    number, headers = created["number"], {"X-Access-Code": created["access_code"]}
    for _ in range(MAX_DEVICES):
        body = {"platform": "webpush", "number": number, "subscription": push_service.subscribe().to_json()}
        assert post(api, "/api/v1/devices", body, headers).status_code == 201
    body = {"platform": "webpush", "number": number, "subscription": push_service.subscribe().to_json()}
    assert problem(post(api, "/api/v1/devices", body, headers), 409)
    assert len(devices(number)) == MAX_DEVICES


def test_vapid_command_keeps_a_pair_and_replaces_a_placeholder(aws: Aws) -> None:
    import boto3

    from infra.ops.vapid import ensure

    client = boto3.client("secretsmanager")
    arn = client.create_secret(Name=f"vapid-{uuid.uuid4().hex[:8]}", SecretString="placeholder123")["ARN"]
    public, written = ensure(arn)
    assert written and len(public) == 87
    assert ensure(arn) == (public, False)  # a pair already there is kept
    replaced, written = ensure(arn, force=True)
    assert written and replaced != public
    stored = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])
    assert stored["public_key"] == replaced and stored["private_key"].startswith(
        "-----BEGIN PRIVATE KEY-----"
    )
