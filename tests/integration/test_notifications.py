"""Notifications end to end (issue 5) against the moto server: domain events go on the real bus, the
template's rule puts them on the notifications queue, the local runner delivers the queue to the
notifier function with Lambda's SQS semantics, and what SES and SNS accepted is read back from the
outbox (moto's backends). Faults are injected with botocore's event hooks on the notifier's clients."""

from __future__ import annotations

import json
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tests.conftest import Aws, post, ticket_body

MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


# ---- helpers -------------------------------------------------------------------------------------


@pytest.fixture()
def fast_retries(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff 0 s: a failed message is visible again at once (the template's base is 10 s)."""
    from ventanilla.settings import get_settings

    monkeypatch.setattr(get_settings(), "notify_retry_base_seconds", 0)


def poller(aws: Aws, function: str = "NotifierFunction", event: str = "Notifications") -> Any:
    from infra.local.queues import QueuePoller

    fn = aws.stack.functions[function]
    return QueuePoller(fn, fn.events[event])


def drain(aws: Aws, **kwargs: Any) -> int:
    return int(poller(aws, **kwargs).drain(timeout=900))


def history_events(number: str) -> list[dict[str, Any]]:
    from boto3.dynamodb.conditions import Key

    from ventanilla.storage.table import _plain, table

    items = table().query(KeyConditionExpression=Key("PK").eq(f"TICKET#{number}"))["Items"]
    return [_plain(dict(i)) for i in items if str(i["SK"]).startswith("EV#")]


def publish_history(number: str, actions: set[str] | None = None) -> list[Any]:
    """What the stream function does for a ticket's history: domain events onto the bus."""
    from ventanilla import domain_events
    from ventanilla.integrations import eventbus

    events = []
    for item in history_events(number):
        if actions is None or item["action"] in actions:
            events += domain_events.from_stream_record("INSERT", item)
    eventbus.publish(events)
    return events


def sent(to: str, channel: str | None = None) -> list[dict[str, Any]]:
    from infra.local import outbox

    return [e for e in outbox.entries(to) if channel is None or e["channel"] == channel]


def notifications(number: str) -> list[dict[str, Any]]:
    return [e["data"] for e in history_events(number) if e["action"] == "notification"]


def new_ticket(api: Any, **requester: Any) -> tuple[dict[str, Any], str]:
    email = requester.pop("email", f"vecina-{uuid.uuid4().hex[:10]}@example.cl")
    body = ticket_body(type="consulta", subtype="general", form={}, requester={"email": email, **requester})
    created = post(api, "/api/v1/tickets", body)
    assert created.status_code == 201, created.body
    return created.json_body, email


@pytest.fixture()
def hook() -> Iterator[Callable[[str, str, Callable[..., None]], None]]:
    """Register a botocore handler on the notifier's own client; unregistered after the test."""
    from ventanilla.integrations import messaging

    registered: list[tuple[Any, str, Any]] = []

    def register(service: str, event: str, handler: Callable[..., None]) -> None:
        events = messaging._client(service).meta.events
        events.register(event, handler)
        registered.append((events, event, handler))

    yield register
    for events, event, handler in registered:
        events.unregister(event, handler)


def failing(times: int | None, when: Callable[[dict[str, Any]], bool], error: Callable[[], Exception]) -> Any:
    """A before-parameter-build handler that raises ``error`` the first ``times`` matching calls."""
    state = {"failed": 0, "calls": 0, "on": True}

    def handler(params: dict[str, Any], **_: Any) -> None:
        if not state["on"] or not when(params):
            return
        state["calls"] += 1
        if times is None or state["failed"] < times:
            state["failed"] += 1
            raise error()

    handler.state = state  # type: ignore[attr-defined]
    return handler


def to_address(address: str) -> Callable[[dict[str, Any]], bool]:
    return lambda params: address in (params.get("Destination") or {}).get("ToAddresses", [])


def throttled() -> Exception:
    return ClientError(
        {
            "Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded."},
            "ResponseMetadata": {"HTTPStatusCode": 429},
        },
        "SendEmail",
    )


def unavailable() -> Exception:
    return ClientError(
        {
            "Error": {"Code": "ServiceUnavailable", "Message": "Service unavailable"},
            "ResponseMetadata": {"HTTPStatusCode": 503},
        },
        "SendEmail",
    )


def dlq_messages(aws: Aws) -> list[dict[str, Any]]:
    from ventanilla.integrations import queues

    return [queues.body_of(m) for m in queues.peek(aws.env["NOTIFICATIONS_DLQ_URL"], 100)]


def clear_dlq(aws: Aws) -> None:
    sqs = boto3.client("sqs")
    while True:
        batch = sqs.receive_message(QueueUrl=aws.env["NOTIFICATIONS_DLQ_URL"], MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not batch:
            return
        for m in batch:
            sqs.delete_message(QueueUrl=aws.env["NOTIFICATIONS_DLQ_URL"], ReceiptHandle=m["ReceiptHandle"])


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


# ---- the receipt ---------------------------------------------------------------------------------


def test_created_ticket_sends_the_received_email_with_number_code_date_and_link(api: Any, aws: Aws) -> None:
    drain(aws)  # whatever earlier tests left on the queue
    created, email = new_ticket(api)
    number, code = created["number"], created["access_code"]
    published = publish_history(number)
    assert [e.detail_type for e in published] == ["TicketCreated"]
    assert drain(aws) >= 1

    [mail] = sent(email, "email")
    due = date.fromisoformat(created["expected_response_by"][:10])
    assert number in mail["subject"]
    for part in (mail["text"], mail["html"]):
        assert number in part and code in part
        assert f"{due.day} de {MONTHS[due.month - 1]} de {due.year}" in part
        assert f"#/solicitud/{number}?t=" in part
        assert "codigo" not in part and not re.search(rf"https?://\S*{code}", part)  # no code in a link
    assert mail["unsubscribe"].startswith("<") and "/api/v1/notifications/opt-out/" in mail["unsubscribe"]
    [sms] = [m for m in sent("+56987654321", "sms") if number in m["text"]]
    assert number in sms["text"] and code in sms["text"]
    assert f"{due.day:02d}/{due.month:02d}" in sms["text"]  # the expected date, short
    assert re.search(r"/#/baja/[A-Za-z0-9_-]{54}$", sms["text"])
    from ventanilla.notify.sms import segments

    assert segments(sms["text"]) <= 2 and "..." not in sms["text"]

    records = notifications(number)
    assert sorted((r["kind"], r["outcome"]) for r in records) == [
        ("ticket_received", "sent"),
        ("ticket_received", "sent"),
    ]
    assert {r["to"] for r in records} == {"v***@example.cl", "+569****4321"}
    # The citizen never sees the addresses.
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code})
    timeline = view.json_body["timeline"]
    # The citizen's history is the conversation: no "notice sent" rows (they have the notices).
    assert not [e for e in timeline if e["action"] == "notification"]
    assert email not in view.body.decode() and "4321" not in view.body.decode()
    # Agents see the details.
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("ana.l1")).json_body
    agent_records = [h for h in staff["history"] if h["action"] == "notification"]
    assert {h["data"]["to"] for h in agent_records} == {"v***@example.cl", "+569****4321"}


def test_a_redelivered_event_sends_nothing_twice(api: Any, aws: Aws) -> None:
    created, email = new_ticket(api, channels=["email"])
    publish_history(created["number"])
    publish_history(created["number"])  # the stream retried: the same event twice
    drain(aws)
    publish_history(created["number"])  # and once more, after it was sent
    drain(aws)
    assert len(sent(email)) == 1
    assert len(notifications(created["number"])) == 1


def test_english_requester_gets_the_english_notice(api: Any, aws: Aws) -> None:
    created, email = new_ticket(api, channels=["email"], language="en")
    publish_history(created["number"])
    drain(aws)
    [mail] = sent(email)
    assert mail["subject"].startswith("We received your request") or "received" in mail["subject"].lower()
    assert "Código" not in mail["text"] and created["access_code"] in mail["text"]


# ---- faults --------------------------------------------------------------------------------------


def test_ses_failing_the_first_attempts_delivers_exactly_once(
    api: Any, aws: Aws, hook: Any, fast_retries: None
) -> None:
    created, email = new_ticket(api, channels=["email"])
    flaky = failing(2, to_address(email), throttled)
    hook("sesv2", "before-parameter-build.sesv2.SendEmail", flaky)
    publish_history(created["number"])
    drain(aws)
    assert flaky.state["calls"] == 3  # two throttled, the third went through
    assert len(sent(email)) == 1
    assert [r["outcome"] for r in notifications(created["number"])] == ["sent"]
    from ventanilla.storage import notices

    event_id = history_events(created["number"])[0]["event_id"]
    record = notices.delivery(event_id, f"c:{_citizen_id(created['number'])}", "email")
    assert record is not None and record["status"] == "sent" and record["attempts"] == 3


def _citizen_id(number: str) -> str:
    from ventanilla.storage import tickets

    ticket = tickets.get_ticket(number)
    assert ticket is not None
    return ticket.citizen_id


def test_sns_sms_failing_the_first_attempts_delivers_exactly_once(
    api: Any, aws: Aws, hook: Any, fast_retries: None
) -> None:
    phone = f"+5698{random.randint(1000000, 9999999)}"  # every +56 9 8xxx xxxx is valid
    created, email = new_ticket(api, phone=phone, channels=["email", "sms"])
    flaky = failing(
        3,
        lambda p: p.get("PhoneNumber") == phone,
        lambda: EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com"),
    )
    hook("sns", "before-parameter-build.sns.Publish", flaky)
    publish_history(created["number"])
    drain(aws)
    assert flaky.state["calls"] == 4
    assert len(sent(phone, "sms")) == 1
    assert len(sent(email, "email")) == 1  # sent on the first attempt, not again on the retries
    assert Counter(r["outcome"] for r in notifications(created["number"])) == {"sent": 2}


def test_failing_for_good_lands_in_the_dlq_and_on_the_ticket_then_redrive_sends_once(
    api: Any, aws: Aws, hook: Any, fast_retries: None
) -> None:
    clear_dlq(aws)
    created, email = new_ticket(api, channels=["email"])
    number = created["number"]
    broken = failing(None, to_address(email), unavailable)
    hook("sesv2", "before-parameter-build.sesv2.SendEmail", broken)
    publish_history(number)
    drain(aws)
    assert broken.state["calls"] == 5  # maxReceiveCount of the template's redrive policy
    assert sent(email) == []
    assert [m["detail"]["number"] for m in dlq_messages(aws)] == [number]
    [record] = notifications(number)
    assert record["outcome"] == "failed_retries" and record["error"] == "ServiceUnavailable"
    # Agents see the failure; the citizen's timeline does not claim we wrote.
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": created["access_code"]}).json_body
    assert not [e for e in view["timeline"] if e["action"] == "notification"]

    carla = aws.auth("carla.supervisora")
    listed = api.get("/api/v1/admin/notifications/dead-letters", headers=carla).json_body
    assert listed["depth"] == 1 and listed["items"][0]["number"] == number
    assert listed["items"][0]["detail_type"] == "TicketCreated"
    assert problem(api.get("/api/v1/admin/notifications/dead-letters", headers=aws.auth("ana.l1")), 403)

    broken.state["on"] = False  # SES works again
    moved = post(api, "/api/v1/admin/notifications/dead-letters/redrive", {"limit": 10}, carla)
    assert moved.status_code == 200 and moved.json_body == {"moved": 1}
    drain(aws)
    drain(aws)
    assert len(sent(email)) == 1
    assert sorted(r["outcome"] for r in notifications(number)) == ["failed_retries", "sent"]
    assert dlq_messages(aws) == []


def test_dlq_command_lists_and_redrives(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    from infra.ops import notify_dlq

    clear_dlq(aws)
    sqs = boto3.client("sqs")
    body = {"detail-type": "TicketCreated", "detail": {"number": "2026-999998", "event_id": "0" * 16}}
    sqs.send_message(QueueUrl=aws.env["NOTIFICATIONS_DLQ_URL"], MessageBody=json.dumps(body))
    assert notify_dlq.main(["list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["depth"] == 1 and listed["items"][0]["number"] == "2026-999998"
    assert notify_dlq.main(["redrive", "--limit", "5"]) == 0
    assert json.loads(capsys.readouterr().out) == {"moved": 1}
    assert dlq_messages(aws) == []
    drain(aws)  # an unknown ticket: consumed, nothing sent


def test_a_permanent_failure_is_recorded_once_and_not_retried(api: Any, aws: Aws, hook: Any) -> None:
    created, email = new_ticket(api, channels=["email"])
    rejected = failing(
        None,
        to_address(email),
        lambda: ClientError(
            {
                "Error": {"Code": "MessageRejected", "Message": "Email address is not verified."},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            },
            "SendEmail",
        ),
    )
    hook("sesv2", "before-parameter-build.sesv2.SendEmail", rejected)
    publish_history(created["number"])
    drain(aws)
    publish_history(created["number"])  # a duplicate does not try again either
    drain(aws)
    assert rejected.state["calls"] == 1
    [record] = notifications(created["number"])
    assert record["outcome"] == "failed" and record["error"] == "MessageRejected"


KINDS = ["ticket_received", "waiting_for_citizen", "ticket_resolved", "ticket_reopened"]
"""Routing to a team ("assigned") is an internal step: the citizen is not written about it."""


def _what(event: Any) -> str:
    return "created" if event.detail_type == "TicketCreated" else str(event.detail["status"])


def _stream_with_duplicates_and_reordering(
    tickets: list[str], rng: random.Random
) -> tuple[list[Any], list[Any]]:
    """Every ticket's five events, shuffled across tickets, plus duplicates chosen so that each
    kind is duplicated, some twice, and copies land both in the same batch of ten (one poll) and
    far apart (another poll, after the first copy was sent)."""
    events: list[Any] = []
    per_ticket: list[list[Any]] = []
    for number in tickets:
        own = _domain_events(number)
        own += [_status_event(number, s) for s in ("assigned", "waiting_citizen", "resolved", "reopened")]
        per_ticket.append(own)
        events += own
    stream = list(events)
    rng.shuffle(stream)
    for i, own in enumerate(per_ticket):
        copies = [own[i % 5]] + ([own[(i + 2) % 5]] * 2 if i % 4 == 0 else [])
        for j, copy in enumerate(copies):
            at = stream.index(copy)
            # Alternately next to the original (same poll) and at least two polls later.
            to = at + 1 if (i + j) % 2 == 0 else min(len(stream), at + 25 + rng.randrange(40))
            stream.insert(to, copy)
    return events, stream


@pytest.mark.slow
def test_events_for_many_tickets_with_duplicates_and_reordering_each_sent_once(api: Any, aws: Aws) -> None:
    from ventanilla.integrations import eventbus

    drain(aws)
    rng = random.Random(5)
    tickets = [new_ticket(api, channels=["email"]) for _ in range(24)]
    events, stream = _stream_with_duplicates_and_reordering([c["number"] for c, _ in tickets], rng)
    assert len(events) == 120 and len(stream) == 120 + 24 + 2 * 6
    # The stream covers what the test claims: each kind duplicated, a triple, copies in one poll
    # and across polls, and tickets whose later events come before their creation.
    ids = [e.detail["event_id"] for e in stream]
    repeated = [i for i in set(ids) if ids.count(i) > 1]
    assert {ids.count(i) for i in repeated} == {2, 3}
    assert {_what(e) for e in stream if ids.count(e.detail["event_id"]) > 1} == {
        "created",
        "assigned",
        "waiting_citizen",
        "resolved",
        "reopened",
    }
    positions = {i: [p for p, x in enumerate(ids) if x == i] for i in repeated}
    assert any(p[1] // 10 == p[0] // 10 for p in positions.values())  # the same batch of ten
    assert any(p[-1] // 10 >= p[0] // 10 + 2 for p in positions.values())  # two polls later or more
    created_at = {
        e.detail["number"]: ids.index(e.detail["event_id"])
        for e in stream
        if e.detail_type == "TicketCreated"
    }
    late = {
        e.detail["number"]
        for p, e in enumerate(stream)
        if e.detail_type != "TicketCreated" and p < created_at[e.detail["number"]]
    }
    assert len(late) >= 12

    eventbus.publish(stream)
    received = drain(aws)
    assert received == len(stream)
    counts: Counter[int] = Counter()
    for created, email in tickets:
        mails = sent(email)
        counts[len(mails)] += 1
        kinds = sorted(r["kind"] for r in notifications(created["number"]))
        assert kinds == sorted(KINDS), kinds
    assert counts == {4: 24}


def _domain_events(number: str) -> list[Any]:
    from ventanilla import domain_events

    out = []
    for item in history_events(number):
        out += domain_events.from_stream_record("INSERT", item)
    return out


def _status_event(number: str, status: str) -> Any:
    from ventanilla.domain_events import DomainEvent

    return DomainEvent(
        detail_type="TicketStatusChanged",
        detail={
            "event_id": uuid.uuid4().hex[:16],
            "number": number,
            "at": "2026-03-02T13:00:00.000Z",
            "action": "status_changed",
            "public": True,
            "actor_kind": "staff",
            "actor_id": "someone",
            "channel": "web",
            "status": status,
        },
    )


# ---- opt-out, choices, devices -------------------------------------------------------------------


def test_opt_out_link_stops_that_channel_only(api: Any, aws: Aws) -> None:
    phone = f"+5698{random.randint(1000000, 9999999)}"  # every +56 9 8xxx xxxx is valid
    created, email = new_ticket(api, phone=phone, channels=["email", "sms"])
    number = created["number"]
    publish_history(number)
    drain(aws)
    [mail] = sent(email)
    # People get the portal's page (it shows what stops and asks to confirm); mail clients get the
    # API's address of the same token in List-Unsubscribe, which they POST to themselves.
    link = re.search(r"http://[^/\s]+/#/baja/([A-Za-z0-9_-]+)", mail["text"])
    assert link and f'href="{link.group(0)}"' in mail["html"]
    token = link.group(1)
    assert "/api/v1/notifications/opt-out/" not in mail["text"] + mail["html"]
    assert mail["unsubscribe"].endswith(f"/api/v1/notifications/opt-out/{token}>")
    look = api.get(f"/api/v1/notifications/opt-out/{token}")
    assert look.status_code == 200
    assert look.json_body | {"message": ""} == {
        "channel": "email",
        "channels": ["email"],
        "already": False,
        "done": False,
        "message": "",
    }
    done = api.post(
        f"/api/v1/notifications/opt-out/{token}",
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and done.json_body["done"] is True
    assert done.json_body["already"] is False  # the first POST is what stopped it
    assert api.get(f"/api/v1/notifications/opt-out/{token}").json_body["already"] is True
    again = api.post(f"/api/v1/notifications/opt-out/{token}")
    assert (again.json_body["done"], again.json_body["already"]) == (True, True)

    from ventanilla.integrations import eventbus

    eventbus.publish([_status_event(number, "resolved")])
    drain(aws)
    assert len(sent(email)) == 1  # only the receipt, from before the opt-out
    assert len(sent(phone, "sms")) == 2
    outcomes = Counter((r["kind"], r.get("to", "")[:1], r["outcome"]) for r in notifications(number))
    assert outcomes[("ticket_resolved", "", "opted_out")] == 1

    # one character of the signed payload changed (the last one may carry padding bits: malformed)
    tampered = token[:9] + ("B" if token[9] != "B" else "C") + token[10:]
    bad = problem(api.post(f"/api/v1/notifications/opt-out/{tampered}"), 400)
    assert bad["code"] == "optout_invalid" and "firma" in bad["detail"]
    assert problem(api.get("/api/v1/notifications/opt-out/not*a*token"), 400)["code"] == "optout_invalid"
    english = api.get(f"/api/v1/notifications/opt-out/{tampered}", headers={"Accept-Language": "en"})
    assert "signature" in problem(english, 400)["detail"]


def test_citizen_changes_channels_and_language_from_the_request_page(api: Any, aws: Aws) -> None:
    phone = f"+5698{random.randint(1000000, 9999999)}"  # every +56 9 8xxx xxxx is valid
    created, email = new_ticket(api, phone=phone, channels=["email"])
    number, code = created["number"], created["access_code"]
    path = f"/api/v1/tickets/{number}/notifications"
    headers = {"X-Access-Code": code, "Content-Type": "application/json"}
    page = api.get(f"/api/v1/tickets/{number}", headers=headers).json_body
    assert page["notices"] == {"channels": ["email"], "language": "es", "options": ["email", "sms"]}
    changed = api.put(path, body=json.dumps({"channels": ["sms"], "language": "en"}), headers=headers)
    assert changed.status_code == 200, changed.body
    assert changed.json_body["channels"] == ["sms"] and changed.json_body["language"] == "en"
    page = api.get(f"/api/v1/tickets/{number}", headers=headers).json_body
    assert page["notices"] == {"channels": ["sms"], "language": "en", "options": ["email", "sms"]}
    from ventanilla.integrations import eventbus

    eventbus.publish([_status_event(number, "waiting_citizen")])
    drain(aws)
    assert sent(email) == []
    [sms] = sent(phone, "sms")
    assert number in sms["text"] and "Solicitud" not in sms["text"]

    wrong = api.put(
        path,
        body=json.dumps({"channels": ["email"], "language": "es"}),
        headers={**headers, "X-Access-Code": "WRONGCODE2"},
    )
    assert problem(wrong, 404)["code"] == "ticket_not_found"
    no_phone, _ = new_ticket(api, phone=None, channels=["email"])
    bad = api.put(
        f"/api/v1/tickets/{no_phone['number']}/notifications",
        body=json.dumps({"channels": ["sms"], "language": "es"}),
        headers={**headers, "X-Access-Code": no_phone["access_code"]},
    )
    assert problem(bad, 422)["errors"][0]["field"] == "channels"
    empty = api.put(path, body=json.dumps({"channels": [], "language": "es"}), headers=headers)
    assert problem(empty, 422)["errors"][0]["field"] == "channels"
    unknown = api.put(path, body=json.dumps({"channels": ["fax"], "language": "es"}), headers=headers)
    assert problem(unknown, 422)["errors"][0]["field"].startswith("channels")


def test_devices_register_receive_push_and_a_disabled_endpoint_is_cleaned_up(api: Any, aws: Aws) -> None:
    created, _ = new_ticket(api, channels=["push"])
    number, code = created["number"], created["access_code"]
    token = f"fcm-token-{uuid.uuid4().hex}"
    headers = {"X-Access-Code": code}
    registered = post(api, "/api/v1/devices", {"token": token, "platform": "fcm", "number": number}, headers)
    assert registered.status_code == 201, registered.body
    assert registered.json_body["owner"] == "ticket"
    from ventanilla.integrations import eventbus

    eventbus.publish([_status_event(number, "resolved")])
    drain(aws)
    [push] = sent(f"GCM:{token[:12]}", "push")
    assert number in push["title"] + push["text"]

    # The app was uninstalled: SNS disabled the endpoint. The next notice removes the device.
    from ventanilla.storage import notices

    [device] = notices.devices(f"TICKET#{number}")
    boto3.client("sns").set_endpoint_attributes(
        EndpointArn=device["endpoint_arn"], Attributes={"Enabled": "false"}
    )
    eventbus.publish([_status_event(number, "reopened")])
    drain(aws)
    assert notices.devices(f"TICKET#{number}") == []
    assert ("ticket_reopened", "failed") in {(r["kind"], r["outcome"]) for r in notifications(number)}

    assert (
        problem(post(api, "/api/v1/devices", {"token": token, "platform": "fcm"}), 422)["errors"][0]["field"]
        == "number"
    )
    assert (
        problem(
            post(api, "/api/v1/devices", {"token": token, "platform": "wns", "number": number}, headers), 422
        )["errors"][0]["field"]
        == "platform"
    )
    assert (
        problem(
            post(api, "/api/v1/devices", {"token": "x y", "platform": "fcm", "number": number}, headers), 422
        )["errors"][0]["field"]
        == "token"
    )
    assert problem(
        post(
            api,
            "/api/v1/devices",
            {"token": token, "platform": "fcm", "number": number},
            {"X-Access-Code": "WRONGCODE2"},
        ),
        404,
    )
    staff = post(api, "/api/v1/devices", {"token": token + "s", "platform": "apns"}, aws.auth("bruno.l2"))
    assert staff.status_code == 201 and staff.json_body["owner"] == "staff"
    assert problem(
        post(api, "/api/v1/devices", {"token": token, "platform": "apns"}, {"Authorization": "Bearer nope"}),
        401,
    )


# ---- staff alerts --------------------------------------------------------------------------------


def test_staff_get_assignment_and_breach_alerts(api: Any, aws: Aws) -> None:
    created, _ = new_ticket(api, channels=["email"])
    number = created["number"]
    from ventanilla.storage import people

    bruno = next(p for p in [people.get_staff(aws.logins["bruno.l2"].sub)] if p)
    assigned = post(
        api, f"/api/v1/agent/tickets/{number}/assign", {"assignee": bruno.sub}, aws.auth("carla.supervisora")
    )
    assert assigned.status_code == 200, assigned.body
    publish_history(number, {"assigned"})
    drain(aws)
    alerts = [m for m in sent(str(bruno.email)) if number in m["subject"]]
    assert len(alerts) == 1 and "/#/agente/solicitud/" + number in alerts[0]["text"]

    from ventanilla.domain_events import DomainEvent
    from ventanilla.integrations import eventbus

    breach = DomainEvent(
        detail_type="SlaBreached",
        detail={
            "event_id": uuid.uuid4().hex[:16],
            "number": number,
            "at": "2026-03-02T13:00:00.000Z",
            "action": "sla_breached",
            "public": False,
            "actor_kind": "system",
            "channel": "web",
            "target": "resolution",
            "kind": "breach",
            "due": "2026-03-02T12:00:00.000Z",
            "notify": [bruno.sub, "supervisor"],
        },
    )
    eventbus.publish([breach])
    drain(aws)
    carla = people.get_staff(aws.logins["carla.supervisora"].sub)
    assert carla is not None
    assert len([m for m in sent(str(carla.email)) if number in m["subject"]]) == 1
    assert len([m for m in sent(str(bruno.email)) if number in m["subject"]]) == 2
    staff_records = [r for r in notifications(number) if r["recipient"] != "citizen"]
    assert {r["kind"] for r in staff_records} == {"ticket_assigned_to_you", "sla_breached"}


# ---- suppression list ----------------------------------------------------------------------------


def test_a_bounce_suppresses_the_address_and_supervisors_manage_the_list(api: Any, aws: Aws) -> None:
    created, email = new_ticket(api, channels=["email"])
    topic = next(
        t["TopicArn"]
        for t in boto3.client("sns").list_topics()["Topics"]
        if "emailfeedbacktopic" in t["TopicArn"]
    )
    bounce = {
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": email}]},
        "mail": {"source": "x"},
    }
    transient = {
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": "llena@example.cl"}]},
    }
    for message in (bounce, transient):
        boto3.client("sns").publish(TopicArn=topic, Message=json.dumps(message))
    assert drain(aws, function="BouncesFunction", event="Feedback") == 2

    carla = aws.auth("carla.supervisora")
    listed = api.get("/api/v1/admin/notifications/suppressions?limit=100", headers=carla).json_body
    masked = [i["masked"] for i in listed["items"]]
    assert email[0] + "***@example.cl" in masked and "l***@example.cl" not in masked
    assert email not in json.dumps(listed)

    publish_history(created["number"])
    drain(aws)
    assert sent(email) == []
    assert [r["outcome"] for r in notifications(created["number"])] == ["suppressed"]

    entry = next(
        i for i in listed["items"] if i["masked"] == email[0] + "***@example.cl" and i["reason"] == "bounce"
    )
    path = f"/api/v1/admin/notifications/suppressions/{entry['id']}"
    assert problem(api.delete(path, headers=aws.auth("ana.l1")), 403)
    assert api.delete(path, headers=carla).status_code == 204
    assert problem(api.delete(path, headers=carla), 404)["code"] == "suppression_not_found"
    assert problem(api.get("/api/v1/admin/notifications/suppressions?limit=0", headers=carla), 400)
    assert problem(api.get("/api/v1/admin/notifications/suppressions?cursor=zz", headers=carla), 400)


# ---- templates -----------------------------------------------------------------------------------


def test_admins_edit_templates_without_a_deploy_and_preview_them(api: Any, aws: Aws) -> None:
    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    path = "/api/v1/admin/notifications/templates/ticket_received/email/es"
    listed = api.get("/api/v1/admin/notifications/templates", headers=carla).json_body["items"]
    assert len(listed) == 14 * 3 * 2  # 14 kinds (ticket_merged included)
    current = api.get(path, headers=carla).json_body
    assert "ticket_number" in current["defaults"]["subject"] and current["override"] is None

    subject = "Su solicitud {{ ticket_number }} quedó registrada (editada)"
    saved = api.put(path, body=json.dumps({"subject": subject}), headers=carla)
    assert saved.status_code == 200, saved.body
    assert saved.json_body["override"] == {"subject": subject} and saved.json_body["version"] == 1
    created, email = new_ticket(api, channels=["email"])
    publish_history(created["number"])
    drain(aws)
    [mail] = sent(email)
    assert mail["subject"] == f"Su solicitud {created['number']} quedó registrada (editada)"

    preview = post(
        api,
        "/api/v1/admin/notifications/preview",
        {"kind": "ticket_received", "channel": "sms", "lang": "en"},
        carla,
    )
    assert preview.status_code == 200 and "2026-000123" in preview.json_body["text"]
    assert preview.json_body["sms_segments"] <= 2
    unsaved = post(
        api,
        "/api/v1/admin/notifications/preview",
        {
            "kind": "public_reply",
            "channel": "push",
            "lang": "es",
            "parts": {"title": "Respuesta {{ ticket_number }}"},
        },
        carla,
    )
    assert unsaved.json_body["title"] == "Respuesta 2026-000123"
    from ventanilla.settings import get_settings

    settings = get_settings()
    for lang, sample_name in (("es", "Peñalolén"), ("en", "Springfield")):
        shown = post(
            api,
            "/api/v1/admin/notifications/preview",
            {"kind": "ticket_received", "channel": "email", "lang": lang},
            carla,
        ).json_body
        assert settings.institution_name in shown["text"] and settings.institution_name in shown["html"]
        assert sample_name not in shown["text"] + shown["html"] + shown["subject"]
        assert f"{settings.public_base_url}/#/solicitud/2026-000123" in shown["text"]
        assert "codigo" not in shown["text"] + shown["html"]  # no access code in any link

    bad = api.put(
        path, body=json.dumps({"subject": "{{ rut }} {{ ticket_number }}", "title": "x"}), headers=carla
    )
    fields = {e["field"] for e in problem(bad, 422)["errors"]}
    assert fields == {"parts.subject", "parts.title"}
    syntax = api.put(path, body=json.dumps({"html": "{% if %}"}), headers=carla)
    assert problem(syntax, 422)["errors"][0]["field"] == "parts.html"
    unsafe = api.put(path, body=json.dumps({"text": "{{ ticket_number.__class__.__mro__ }}"}), headers=carla)
    assert problem(unsafe, 422)["errors"][0]["field"] == "parts.text"
    assert problem(api.put(path, body=json.dumps({}), headers=carla), 422)["errors"][0]["field"] == "parts"
    assert problem(api.get("/api/v1/admin/notifications/templates/nope/email/es", headers=carla), 404)
    assert problem(
        api.get("/api/v1/admin/notifications/templates/ticket_received/fax/es", headers=carla), 404
    )
    assert problem(api.get(path, headers=aws.auth("ana.l1")), 403)
    assert (
        problem(
            post(api, "/api/v1/admin/notifications/preview", {"kind": "nope", "channel": "sms"}, carla), 422
        )["errors"][0]["field"]
        == "kind"
    )

    assert api.delete(path, headers=carla).status_code == 204
    assert problem(api.delete(path, headers=carla), 404)["code"] == "template_not_overridden"


def test_outbox_page_lists_what_was_sent_newest_first_in_both_languages(api: Any, aws: Aws) -> None:
    from infra.local import outbox

    created, email = new_ticket(api, channels=["email"])
    publish_history(created["number"])
    drain(aws)
    status, content_type, body = outbox.page("")
    assert status == 200 and content_type.startswith("text/html")
    page = body.decode()
    assert "Bandeja de salida" in page and created["number"] in page and "<iframe sandbox" in page
    assert "Outbox" in outbox.page("lang=en")[2].decode()
    listed = json.loads(outbox.page(f"format=json&to={email}")[2])
    assert [i["to"] for i in listed["items"]] == [email]
    everything = json.loads(outbox.page("format=json")[2])["items"]
    assert everything == sorted(everything, key=lambda i: i["at"], reverse=True)
    assert "<script" not in page.lower()


def test_template_wires_the_pipeline_consistently() -> None:
    """The notifier's last-attempt figure is the queue's maxReceiveCount, the rule feeds that queue,
    the notifier reports partial failures, and its policy names only what it needs."""
    from infra.local import template as tpl

    resources = tpl.load()["Resources"]
    env = tpl.load()["Globals"]["Function"]["Environment"]["Variables"]
    queue = resources["NotificationsQueue"]["Properties"]
    assert int(env["NOTIFY_MAX_RECEIVES"]) == queue["RedrivePolicy"]["maxReceiveCount"]
    assert resources["NotificationsRule"]["Properties"]["Targets"][0]["Arn"] == {
        "Fn::GetAtt": ["NotificationsQueue", "Arn"]
    }
    notifier = resources["NotifierFunction"]["Properties"]
    event = notifier["Events"]["Notifications"]["Properties"]
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and event["BatchSize"] <= 10
    assert queue["VisibilityTimeout"] >= 6 * notifier.get("Timeout", 15)
    actions = [
        a
        for p in notifier["Policies"]
        if isinstance(p, dict) and "Statement" in p
        for s in p["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert not [a for a in actions if a.endswith(":*") or a == "*"]
    from ventanilla.domain_events import _DETAIL_TYPES
    from ventanilla.services.forum_mail import NOTICE_CREATED

    pattern = resources["NotificationsRule"]["Properties"]["EventPattern"]["detail-type"]
    assert set(pattern) <= {*_DETAIL_TYPES.values(), "CitizenReplied", "AgentReplied", NOTICE_CREATED}
    assert NOTICE_CREATED in pattern  # forum notices reach the notifier too


def test_outbox_times_follow_the_dev_clock(api: Any, aws: Aws) -> None:
    from datetime import datetime, timedelta

    from ventanilla import clock

    with clock.advanced(timedelta(days=3)) as moved:
        created, email = new_ticket(api, channels=["email"])
        publish_history(created["number"])
        drain(aws)
        [receipt] = sent(email)
        at = datetime.fromisoformat(receipt["at"])
        assert abs(at - clock.now()) < timedelta(minutes=5) and at >= moved - timedelta(seconds=1), receipt[
            "at"
        ]


# ---- the receipt's one-time link -------------------------------------------------------------------


def receipt_token(aws: Aws, api: Any, **requester: Any) -> tuple[dict[str, Any], str]:
    created, email = new_ticket(api, channels=["email"], **requester)
    publish_history(created["number"])
    drain(aws)
    [mail] = [m for m in sent(email, "email") if created["number"] in m["subject"]]
    links = set(
        re.findall(rf"/#/solicitud/{created['number']}\?t=([A-Za-z0-9_-]+)", mail["text"] + mail["html"])
    )
    assert len(links) == 1, mail["text"]
    return created, links.pop()


def test_the_receipt_link_opens_a_short_session_once_without_the_access_code(api: Any, aws: Aws) -> None:
    from datetime import timedelta

    from ventanilla import clock

    created, token = receipt_token(aws, api)
    number = created["number"]
    path = f"/api/v1/tickets/{number}/session"
    assert created["access_code"] not in token
    wrong_number = problem(post(api, "/api/v1/tickets/2026-999999/session", {"token": token}), 410)
    assert wrong_number["code"] == "link_used_or_expired"
    opened = post(api, path, {"token": token})
    assert opened.status_code == 201, opened.body
    session = opened.json_body["session"]
    assert opened.json_body["number"] == number and opened.json_body["expires_at"] > iso_now()
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Ticket-Session": session})
    assert view.status_code == 200 and view.json_body["number"] == number
    reply = post(
        api, f"/api/v1/tickets/{number}/messages", {"body": "Gracias"}, {"X-Ticket-Session": session}
    )
    assert reply.status_code == 201, reply.body
    used = problem(post(api, path, {"token": token}), 410)
    assert used["code"] == "link_used_or_expired" and "código" in used["detail"]
    # A session opens only its own request, and not once it is old.
    other, _ = new_ticket(api, channels=["email"])
    assert (
        api.get(f"/api/v1/tickets/{other['number']}", headers={"X-Ticket-Session": session}).status_code
        == 404
    )
    tampered = session[:-2] + ("AA" if not session.endswith("AA") else "BB")
    assert api.get(f"/api/v1/tickets/{number}", headers={"X-Ticket-Session": tampered}).status_code == 404
    with clock.advanced(timedelta(hours=2)):
        assert api.get(f"/api/v1/tickets/{number}", headers={"X-Ticket-Session": session}).status_code == 404
    assert problem(post(api, path, {"token": "x"}), 422)["errors"][0]["field"] == "token"


def test_an_unused_receipt_link_expires(api: Any, aws: Aws) -> None:
    from datetime import timedelta

    from ventanilla import clock

    created, token = receipt_token(aws, api)
    with clock.advanced(timedelta(days=2)):
        late = post(api, f"/api/v1/tickets/{created['number']}/session", {"token": token})
        assert problem(late, 410)["code"] == "link_used_or_expired"


def iso_now() -> str:
    from ventanilla import clock
    from ventanilla.models.common import iso

    return iso(clock.now())


def test_template_edits_carry_the_version_loaded_and_a_concurrent_edit_is_refused(api: Any, aws: Aws) -> None:
    """If-Match: "<version>" (the console sends it): the second of two editors who loaded the same
    version gets 409 template_changed and nothing of theirs is written; no header, no check."""
    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    path = "/api/v1/admin/notifications/templates/ticket_reopened/sms/en"
    api.delete(path, headers=carla)
    first = api.put(
        path, body=json.dumps({"text": "Closed {{ ticket_number }}"}), headers={**carla, "If-Match": '"0"'}
    )
    assert first.status_code == 200, first.body
    assert first.json_body["version"] == 1
    late = api.put(
        path, body=json.dumps({"text": "Mine {{ ticket_number }}"}), headers={**carla, "If-Match": '"0"'}
    )
    assert problem(late, 409)["code"] == "template_changed"
    assert api.get(path, headers=carla).json_body["override"] == {"text": "Closed {{ ticket_number }}"}
    ok = api.put(
        path, body=json.dumps({"text": "Again {{ ticket_number }}"}), headers={**carla, "If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.json_body["version"] == 2
    bad = api.put(path, body=json.dumps({"text": "x"}), headers={**carla, "If-Match": "yesterday"})
    assert problem(bad, 400)["code"] == "bad_if_match"
    assert (
        api.put(path, body=json.dumps({"text": "No check {{ ticket_number }}"}), headers=carla).status_code
        == 200
    )
    assert api.delete(path, headers=carla).status_code == 204
