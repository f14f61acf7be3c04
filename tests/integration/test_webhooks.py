"""Outbound webhooks (issue 17, item 4) against the moto server: admins register endpoints over the
API; domain events go on the real bus, the template's rule puts them on the webhooks queue, the local
runner delivers the queue to the webhook function with Lambda's SQS semantics, and a real HTTP
receiver on this machine checks every signature and answers what each test scripts (failures, then
success; failures until the dead-letter queue, then a redrive)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items

SECRET = "receiver-shared-secret-0123"


class Receiver:
    """An HTTP endpoint that verifies the signature as a receiver would and answers scripted codes."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.script: list[int] = []
        self.only: str | None = None
        """With an event id, the script answers only that event's calls (others get the default)."""
        self.default = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ts = self.headers.get("X-Ventanilla-Timestamp", "")
                mac = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
                valid = hmac.compare_digest(f"sha256={mac}", self.headers.get("X-Ventanilla-Signature", ""))
                fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
                mine = receiver.only in (None, self.headers.get("X-Ventanilla-Event-Id"))
                status = receiver.script.pop(0) if receiver.script and mine else receiver.default
                receiver.calls.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "valid": valid and fresh,
                        "answered": status,
                    }
                )
                self.send_response(status if valid else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ventanilla"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture()
def fast_retries(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff 0 s: a failed delivery is visible again at once (the template's base is 30 s)."""
    from ventanilla.settings import get_settings

    monkeypatch.setattr(get_settings(), "webhook_retry_base_seconds", 0)


def admin(aws: Aws) -> dict[str, str]:
    return aws.auth("elena.admin")


def drain(aws: Aws) -> int:
    from infra.local.queues import QueuePoller

    fn = aws.stack.functions["WebhookFunction"]
    return int(QueuePoller(fn, fn.events["Webhooks"]).drain(timeout=120, settle=0.3))


def register(api: Any, aws: Aws, url: str, events: list[str], **extra: Any) -> dict[str, Any]:
    body = {"name": f"SIG municipal {uuid.uuid4().hex[:6]}", "url": url, "events": events, **extra}
    created = post(api, "/api/v1/admin/webhooks", body, admin(aws))
    assert created.status_code == 201, created.body
    return dict(created.json_body)


def publish(detail_type: str, event_id: str | None = None, **detail: Any) -> dict[str, Any]:
    """A domain event on the real bus, as the stream function publishes it (marked for the
    webhooks rule when an endpoint subscribed to it)."""
    from ventanilla.domain_events import DomainEvent
    from ventanilla.integrations import eventbus
    from ventanilla.services import webhooks

    full = {
        "event_id": event_id or uuid.uuid4().hex,
        "number": "2026-990001",
        "at": "2026-03-02T12:00:00.000Z",
        "action": "note",
        "public": False,
        "actor_kind": "staff",
        **detail,
    }
    eventbus.publish(webhooks.route([DomainEvent(detail_type=detail_type, detail=full)]))
    return full


def log_of(api: Any, aws: Aws, hook_id: str, **query: Any) -> dict[str, Any]:
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    answer = api.get(f"/api/v1/admin/webhooks/{hook_id}/deliveries?{qs}", headers=admin(aws))
    assert answer.status_code == 200, answer.body
    return dict(answer.json_body)


def cleanup(api: Any, aws: Aws, *hooks: dict[str, Any]) -> None:
    for hook in hooks:
        api.delete(f"/api/v1/admin/webhooks/{hook['id']}", headers=admin(aws))


# ---- delivery ----------------------------------------------------------------------------------------


def test_signed_delivery_retried_with_backoff_until_the_receiver_accepts(
    api: Any, aws: Aws, receiver: Receiver, fast_retries: None
) -> None:
    hook = register(api, aws, receiver.url, ["NoteAdded"], secret=SECRET)
    assert hook["secret"] == SECRET and hook["secret_last4"] == SECRET[-4:]
    receiver.script, receiver.only = [500, 503], uuid.uuid4().hex
    event = publish("NoteAdded", event_id=receiver.only)
    drain(aws)
    # Only this event's calls: a real NoteAdded of another test, delivered by the shared stack
    # meanwhile, reaches the registered hook too.
    calls = [c for c in receiver.calls if c["headers"]["X-Ventanilla-Event-Id"] == event["event_id"]]
    assert [c["answered"] for c in calls] == [500, 503, 200]
    assert all(c["valid"] for c in calls), "every attempt is signed over timestamp + body"
    bodies = {c["body"] for c in calls}
    assert len(bodies) == 1, "every retry sends the same bytes"
    sent = json.loads(bodies.pop())
    assert sent["id"] == event["event_id"] and sent["type"] == "NoteAdded"
    assert sent["data"]["number"] == "2026-990001"
    headers = calls[0]["headers"]
    assert headers["X-Ventanilla-Event"] == "NoteAdded" and headers["Content-Type"] == "application/json"
    assert [c["headers"]["X-Ventanilla-Attempt"] for c in calls] == ["1", "2", "3"]
    assert calls[0]["path"] == "/hooks/ventanilla"
    log = [d for d in log_of(api, aws, hook["id"])["items"] if d["event_id"] == event["event_id"]]
    assert [(d["attempt"], d["outcome"], d["status_code"]) for d in log] == [
        (3, "delivered", 200),
        (2, "failed", 503),
        (1, "failed", 500),
    ]
    assert log[0]["event_id"] == event["event_id"] and log[0]["number"] == "2026-990001"
    # the log pages newest first, a page at a time
    whole = log_of(api, aws, hook["id"])["items"]
    paged, cursor = [], None
    while True:
        page = log_of(api, aws, hook["id"], limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 2
        paged += page["items"]
        cursor = page["next"]
        if not cursor:
            break
    assert paged == whole and len(whole) >= 3
    cleanup(api, aws, hook)


def test_failing_every_retry_dead_letters_then_redrive_delivers(
    api: Any, aws: Aws, receiver: Receiver, fast_retries: None
) -> None:
    from ventanilla.settings import get_settings

    hook = register(api, aws, receiver.url, ["SurveyAnswered"], secret=SECRET)
    receiver.default = 500
    event = publish("SurveyAnswered", action="survey", score=4)
    drain(aws)
    attempts = get_settings().webhook_max_receives
    assert len(receiver.calls) == attempts == 8
    log = log_of(api, aws, hook["id"])["items"]
    assert log[0]["outcome"] == "dead" and log[0]["attempt"] == attempts
    assert {d["outcome"] for d in log[1:]} == {"failed"}
    dead = api.get("/api/v1/admin/webhook-dead-letters", headers=admin(aws))
    assert dead.status_code == 200, dead.body
    mine = [d for d in dead.json_body["items"] if d["webhook_id"] == hook["id"]]
    assert mine == [
        {
            "webhook_id": hook["id"],
            "event_id": event["event_id"],
            "event": "SurveyAnswered",
            "number": "2026-990001",
            "receives": mine[0]["receives"],
        }
    ]
    # the receiver is fixed; an admin redrives the dead letters
    receiver.default = 200
    assert (
        post(api, "/api/v1/admin/webhook-dead-letters/redrive", {"limit": 0}, admin(aws)).status_code == 422
    )
    moved = post(api, "/api/v1/admin/webhook-dead-letters/redrive", {"limit": 100}, admin(aws))
    assert moved.status_code == 200, moved.body
    assert moved.json_body["moved"] >= 1
    drain(aws)
    assert receiver.calls[-1]["answered"] == 200 and receiver.calls[-1]["valid"]
    assert receiver.calls[-1]["headers"]["X-Ventanilla-Event-Id"] == event["event_id"]
    assert log_of(api, aws, hook["id"])["items"][0]["outcome"] == "delivered"
    after = api.get("/api/v1/admin/webhook-dead-letters", headers=admin(aws)).json_body
    assert not [d for d in after["items"] if d["webhook_id"] == hook["id"]]
    cleanup(api, aws, hook)


def test_fan_out_reaches_only_active_endpoints_subscribed_to_the_event(
    api: Any, aws: Aws, receiver: Receiver, fast_retries: None
) -> None:
    subscribed = register(api, aws, receiver.url + "/a", ["NoteAdded", "TicketEscalated"], secret=SECRET)
    other_event = register(api, aws, receiver.url + "/b", ["SlaBreached"], secret=SECRET)
    inactive = register(api, aws, receiver.url + "/c", ["NoteAdded"], secret=SECRET, active=False)
    publish("NoteAdded")
    drain(aws)
    assert [c["path"] for c in receiver.calls] == ["/hooks/ventanilla/a"]
    assert log_of(api, aws, inactive["id"])["items"] == []
    assert log_of(api, aws, other_event["id"])["items"] == []
    cleanup(api, aws, subscribed, other_event, inactive)


def test_delivery_refused_by_the_ssrf_guard_in_aws_mode(
    api: Any, aws: Aws, receiver: Receiver, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endpoint registered when it was public, resolving later to a private address: the guard
    checks at every delivery, after DNS, and nothing is sent."""
    hook = register(api, aws, receiver.url.replace("http://127.0.0.1", "https://localhost"), ["NoteAdded"])
    from ventanilla.settings import get_settings

    monkeypatch.setattr(get_settings(), "webhooks_allow_private", False)
    monkeypatch.setattr(get_settings(), "webhook_max_receives", 2)
    publish("NoteAdded")
    drain(aws)
    assert receiver.calls == []
    log = log_of(api, aws, hook["id"])["items"]
    assert log and all(d["error"] == "webhook_url_private" and d["status_code"] is None for d in log)
    monkeypatch.setattr(get_settings(), "webhooks_allow_private", True)
    cleanup(api, aws, hook)


def test_receivers_get_a_stable_public_alias_never_a_staff_id(
    api: Any, aws: Aws, receiver: Receiver, fast_retries: None
) -> None:
    hook = register(api, aws, receiver.url, ["TicketAssigned", "SlaBreached"], secret=SECRET)
    sub, other = str(uuid.uuid4()), str(uuid.uuid4())
    publish(
        "TicketAssigned", action="assigned", actor_id=sub, assignee=other, previous_assignee=sub, team="t1"
    )
    publish("SlaBreached", action="sla_breached", actor_kind="system", notify=[other, "team", "supervisor"])
    drain(aws)
    sent = [json.loads(c["body"]) for c in receiver.calls]
    assert len(sent) == 2
    raw = b"".join(c["body"] for c in receiver.calls)
    assert sub.encode() not in raw and other.encode() not in raw and b'"webhooks"' not in raw
    assigned = next(s["data"] for s in sent if s["type"] == "TicketAssigned")
    breached = next(s["data"] for s in sent if s["type"] == "SlaBreached")
    assert assigned["actor_id"].startswith("staff-") and len(assigned["actor_id"]) == 22
    assert assigned["actor_id"] == assigned["previous_assignee"] != assigned["assignee"]
    assert breached["notify"] == [assigned["assignee"], "team", "supervisor"]  # same person, same alias
    assert assigned["team"] == "t1"
    cleanup(api, aws, hook)


@pytest.mark.slow
def test_ticket_events_cost_no_invocation_without_endpoints_and_few_with_one(
    api: Any, aws: Aws, receiver: Receiver, fast_retries: None
) -> None:
    """Invocations of the webhook function per 100 ticket events (25 of them status changes): the
    old wiring (every ticket event on the queue, batches of 3) against routing by subscription
    with batches of 10. Printed for the record; the bounds are asserted."""
    from infra.local.queues import QueuePoller
    from ventanilla.domain_events import DomainEvent
    from ventanilla.integrations import eventbus
    from ventanilla.services import webhooks

    fn = aws.stack.functions["WebhookFunction"]

    def invocations(batch_size: int | None = None) -> int:
        event = fn.events["Webhooks"]
        if batch_size is not None:
            event = {**event, "Properties": {**event["Properties"], "BatchSize": batch_size}}
        poller = QueuePoller(fn, event)
        poller.drain(timeout=120, settle=0.3)
        return poller.invocations

    def hundred(mark_all: bool = False) -> None:
        events = [
            DomainEvent(
                detail_type="TicketStatusChanged" if i % 4 == 0 else "NoteAdded",
                detail={"event_id": uuid.uuid4().hex, "number": "2026-990002", "at": "2026-03-02T12:00:00Z"},
            )
            for i in range(100)
        ]
        if mark_all:  # what the old rule took: every ticket event
            events = [e.model_copy(update={"detail": {**e.detail, "webhooks": True}}) for e in events]
        for start in range(0, 100, 10):
            eventbus.publish(
                webhooks.route(events[start : start + 10]) if not mark_all else events[start : start + 10]
            )

    drain(aws)  # whatever other tests left
    webhooks.forget_subscriptions()
    if {"TicketStatusChanged", "NoteAdded"} & webhooks.subscribed():
        pytest.skip("another test's endpoint subscribes to these events")
    hundred(mark_all=True)
    before = invocations(batch_size=3)
    hundred()
    none = invocations()
    hook = register(api, aws, receiver.url, ["TicketStatusChanged"], secret=SECRET)
    hundred()
    one = invocations()
    print(f"webhook invocations per 100 ticket events: before {before}, none {none}, one endpoint {one}")
    assert before >= 34 and none == 0
    assert len(receiver.calls) == 25 and one <= 10
    cleanup(api, aws, hook)


# ---- admin routes ------------------------------------------------------------------------------------


def test_register_list_get_update_delete(api: Any, aws: Aws, receiver: Receiver) -> None:
    created = register(api, aws, receiver.url, ["TicketCreated", "TicketStatusChanged"])
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40, "generated when not given, shown once"
    hook_id = created["id"]
    listed = api.get("/api/v1/admin/webhooks", headers=admin(aws))
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    mine = next(h for h in listed.json_body["items"] if h["id"] == hook_id)
    assert "secret" not in mine and secret not in json.dumps(listed.json_body)
    assert mine["secret_last4"] == secret[-4:] and mine["active"] is True
    one = api.get(f"/api/v1/admin/webhooks/{hook_id}", headers=admin(aws))
    assert one.status_code == 200 and "secret" not in one.json_body
    change = {"name": "SIG", "url": receiver.url, "events": ["SlaBreached"], "active": False}
    updated = api.put(
        f"/api/v1/admin/webhooks/{hook_id}", body=json.dumps(change), headers={**admin(aws), **JSON}
    )
    assert updated.status_code == 200, updated.body
    assert updated.json_body["events"] == ["SlaBreached"] and updated.json_body["active"] is False
    assert updated.json_body["secret_last4"] == secret[-4:], "no secret given: the secret is kept"
    assert updated.json_body["version"] == 2
    rotated = api.put(
        f"/api/v1/admin/webhooks/{hook_id}",
        body=json.dumps({**change, "secret": "a-brand-new-secret-value"}),
        headers={**admin(aws), **JSON},
    )
    assert rotated.status_code == 200 and rotated.json_body["secret_last4"] == "alue"
    assert "secret" not in rotated.json_body
    audit = api.get("/api/v1/admin/audit?kind=webhook", headers=admin(aws))
    assert audit.status_code == 200, audit.body
    text = json.dumps(audit.json_body)
    assert hook_id in text and secret not in text and "a-brand-new-secret-value" not in text
    gone = api.delete(f"/api/v1/admin/webhooks/{hook_id}", headers=admin(aws))
    assert gone.status_code == 204
    assert api.get(f"/api/v1/admin/webhooks/{hook_id}", headers=admin(aws)).status_code == 404
    assert api.delete(f"/api/v1/admin/webhooks/{hook_id}", headers=admin(aws)).status_code == 404
    assert api.get(f"/api/v1/admin/webhooks/{hook_id}/deliveries", headers=admin(aws)).status_code == 404


JSON = {"Content-Type": "application/json"}


def test_only_admins_manage_webhooks(api: Any, aws: Aws) -> None:
    for user in ("carla.supervisora", "ana.l1"):
        assert api.get("/api/v1/admin/webhooks", headers=aws.auth(user)).status_code == 403
        body = {"name": "x-hook", "url": "https://example.org/h", "events": ["TicketCreated"]}
        assert post(api, "/api/v1/admin/webhooks", body, aws.auth(user)).status_code == 403
        assert api.get("/api/v1/admin/webhook-dead-letters", headers=aws.auth(user)).status_code == 403
    assert api.get("/api/v1/admin/webhooks").status_code == 401


BAD = [
    ({"url": "ftp://example.org/hook"}, "url"),
    ({"url": "not a url at all"}, "url"),
    ({"url": "https://user:pw@example.org/hook"}, "url"),
    ({"url": "https://no-such-host.invalid/hook"}, "url"),
    ({"events": ["TicketExploded"]}, "events.0"),
    ({"events": []}, "events"),
    ({"secret": "short"}, "secret"),
    ({"name": ""}, "name"),
    ({"active": "yes please"}, "active"),
    ({"extra": 1}, "extra"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_bad_input_names_the_field_and_writes_nothing(
    api: Any, aws: Aws, change: dict[str, Any], field: str
) -> None:
    body = {"name": "SIG", "url": "http://127.0.0.1:9/hook", "events": ["TicketCreated"], **change}
    before = table_items(aws)
    answer = post(api, "/api/v1/admin/webhooks", body, {**admin(aws), "Accept-Language": "en"})
    assert answer.status_code == 422, answer.body
    assert field in [e["field"] for e in answer.json_body["errors"]], answer.json_body
    assert table_items(aws) == before


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "http://93.184.216.34/hook",  # plain http: https only in AWS
    ],
)
def test_private_addresses_and_plain_http_are_refused_in_aws_mode(
    api: Any, aws: Aws, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ventanilla.settings import get_settings

    monkeypatch.setattr(get_settings(), "webhooks_allow_private", False)
    before = table_items(aws)
    body = {"name": "SIG", "url": url, "events": ["TicketCreated"]}
    answer = post(api, "/api/v1/admin/webhooks", body, admin(aws))
    assert answer.status_code == 422, answer.body
    [error] = answer.json_body["errors"]
    assert error["field"] == "url"
    assert ("privada" in error["message"]) or ("https://" in error["message"])
    assert table_items(aws) == before


def test_the_metadata_service_is_refused_even_locally(api: Any, aws: Aws) -> None:
    body = {"name": "SIG", "url": "http://169.254.169.254/latest/meta-data/", "events": ["TicketCreated"]}
    answer = post(api, "/api/v1/admin/webhooks", body, admin(aws))
    assert answer.status_code == 422 and answer.json_body["errors"][0]["field"] == "url"


def test_update_of_an_unknown_webhook_is_404_and_a_bad_cursor_400(
    api: Any, aws: Aws, receiver: Receiver
) -> None:
    change = {"name": "SIG", "url": receiver.url, "events": ["SlaBreached"]}
    missing = api.put(
        "/api/v1/admin/webhooks/nope123", body=json.dumps(change), headers={**admin(aws), **JSON}
    )
    assert missing.status_code == 404
    hook = register(api, aws, receiver.url, ["NoteAdded"])
    other = register(api, aws, receiver.url, ["NoteAdded"])
    foreign = json.dumps({"PK": f"HOOKLOG#{other['id']}", "SK": "x"})
    import base64

    cursor = base64.urlsafe_b64encode(foreign.encode()).decode()
    bad = api.get(f"/api/v1/admin/webhooks/{hook['id']}/deliveries?cursor={cursor}", headers=admin(aws))
    assert bad.status_code == 400
    cleanup(api, aws, hook, other)
