"""The functions invoked as Lambda invokes them, with the sample events in events/, against moto."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import boto3

from infra.local.functions import LambdaContext
from tests.conftest import Aws, post, ticket_body

EVENTS = Path(__file__).resolve().parents[2] / "events"


def sample(name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / name).read_text(encoding="utf-8")))


def test_api_function_handles_a_gateway_event(aws: Aws) -> None:
    handler = aws.stack.functions["ApiFunction"].load()
    event = sample("api/create_ticket.json")
    event["headers"]["Idempotency-Key"] = f"sample-{uuid.uuid4()}"
    response = handler(event, LambdaContext("ApiFunction"))
    assert response["statusCode"] == 201
    body = json.loads(response["body"])
    follow = sample("api/follow_ticket.json")
    follow["pathParameters"]["number"] = body["number"]
    follow["headers"]["X-Access-Code"] = body["access_code"]
    seen = handler(follow, LambdaContext("ApiFunction"))
    assert seen["statusCode"] == 200 and json.loads(seen["body"])["number"] == body["number"]


def _bus_listener(aws: Aws, *sources: str) -> str:
    """An SQS queue subscribed to every ventanilla event on the bus (moto delivers to SQS)."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    name = f"listener-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = aws.env["EVENT_BUS_NAME"]
    pattern = {"source": list(sources or ["ventanilla.tickets"])}
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return url


def _drain(url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    out: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not messages:
            return out
        out += [json.loads(m["Body"]) for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_stream_function_publishes_domain_events(aws: Aws) -> None:
    url = _bus_listener(aws)
    handler = aws.stack.functions["StreamFunction"].load()
    result = handler(sample("stream/ticket_created.json"), LambdaContext("StreamFunction"))
    assert result == {"batchItemFailures": []}
    received = _drain(url)
    assert [(m["detail-type"], m["detail"]["number"]) for m in received] == [("TicketCreated", "2026-000001")]
    detail = received[0]["detail"]
    assert detail["status"] == "received" and "actor_id" not in detail  # no citizen id on the bus


def test_stream_function_reports_only_the_bad_record(aws: Aws) -> None:
    url = _bus_listener(aws)
    event = sample("stream/ticket_created.json")
    good = event["Records"][0]
    bad = copy.deepcopy(good)
    bad["dynamodb"]["SequenceNumber"] = "112"
    del bad["dynamodb"]["NewImage"]["event_id"]
    later = copy.deepcopy(good)
    later["dynamodb"]["SequenceNumber"] = "113"
    later["dynamodb"]["NewImage"]["number"] = {"S": "2026-000002"}
    handler = aws.stack.functions["StreamFunction"].load()
    result = handler({"Records": [good, bad, later]}, LambdaContext("StreamFunction"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "112"}]}
    assert sorted(m["detail"]["number"] for m in _drain(url)) == ["2026-000001", "2026-000002"]


def test_stream_ignores_tickets_counters_and_modifications(aws: Aws) -> None:
    url = _bus_listener(aws)
    event = sample("stream/ticket_created.json")
    record = event["Records"][0]
    ticket_item = copy.deepcopy(record)
    ticket_item["dynamodb"]["NewImage"]["entity"] = {"S": "ticket"}
    modify = copy.deepcopy(record)
    modify["eventName"] = "MODIFY"
    handler = aws.stack.functions["StreamFunction"].load()
    assert handler({"Records": [ticket_item, modify]}, LambdaContext("StreamFunction")) == {
        "batchItemFailures": []
    }
    assert _drain(url) == []


def test_local_runner_delivers_the_real_stream(aws: Aws, api: Any) -> None:
    """Writes through the API reach the stream consumer the template wires (as Lambda would)."""
    from infra.local.streams import StreamPoller

    url = _bus_listener(aws)
    fn = aws.stack.functions["StreamFunction"]
    poller = StreamPoller(fn, fn.events["TableStream"], starting_position="LATEST").prime()
    created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={})).json_body
    poller.start()
    try:
        assert poller.wait_idle(20)
        assert poller.wait_idle(20)
    finally:
        poller.stop()
    numbers = {m["detail"]["number"] for m in _drain(url) if m["detail-type"] == "TicketCreated"}
    assert created["number"] in numbers


def _schedules(aws: Aws, number: str) -> set[str]:
    group = aws.stack.functions["StreamFunction"].environment["SLA_SCHEDULE_GROUP"]
    page = boto3.client("scheduler").list_schedules(GroupName=group, NamePrefix=f"vt-{number}-")
    return {s["Name"] for s in page["Schedules"]}


def _ticket_record(number: str, timers: list[dict[str, Any]], seq: str) -> dict[str, Any]:
    """A ticket item's stream record (the paused sample's keys), its new image with ``timers``."""
    record = copy.deepcopy(sample("stream/ticket_paused.json")["Records"][0])
    data = record["dynamodb"]
    data["Keys"]["PK"] = {"S": f"TICKET#{number}"}
    data["SequenceNumber"] = seq
    for image in (data["OldImage"], data["NewImage"]):
        image["PK"], image["number"] = {"S": f"TICKET#{number}"}, {"S": number}
    data["OldImage"]["timers"] = {"L": []}
    data["NewImage"]["timers"] = {"L": [{"M": {k: {"S": str(v)} for k, v in t.items()}} for t in timers]}
    return dict(record)


def test_stream_dispatcher_moves_timers_and_publishes_ticket_and_article_events(aws: Aws) -> None:
    """One reader of the stream for all three followers: each record does its part, a bad one
    is reported alone, and a replayed batch creates nothing twice."""
    url = _bus_listener(aws, "ventanilla.tickets", "ventanilla.help")
    number = f"2099-{uuid.uuid4().int % 10**6:06d}"
    timer = {
        "name": f"vt-{number}-resolution-breach",
        "target": "resolution",
        "kind": "breach",
        "fire_at": "2099-01-05T12:00:00.000Z",
    }
    ticket = _ticket_record(number, [timer], "201")
    bad = _ticket_record(f"{number[:-1]}x", [{**timer, "fire_at": "not a date"}], "202")
    history = sample("stream/ticket_created.json")["Records"][0]
    article = sample("stream/article_published.json")["Records"][0]
    handler = aws.stack.functions["StreamFunction"].load()
    batch = {"Records": [ticket, bad, history, article]}
    assert handler(batch, LambdaContext("StreamFunction")) == {
        "batchItemFailures": [{"itemIdentifier": "202"}]
    }
    assert _schedules(aws, number) == {timer["name"]}
    received = _drain(url)
    assert sorted(m["detail-type"] for m in received) == ["HelpArticleChanged", "TicketCreated"]
    (changed,) = [m for m in received if m["detail-type"] == "HelpArticleChanged"]
    assert changed["source"] == "ventanilla.help"
    assert changed["detail"] == {"slug": "horario-oirs-ejemplo", "lang": "es", "status": "published"}

    assert handler(batch, LambdaContext("StreamFunction"))["batchItemFailures"] == [{"itemIdentifier": "202"}]
    assert _schedules(aws, number) == {timer["name"]}  # replayed: the same schedule, not a second
    again = _drain(url)  # published again, with the same event id (the notifier sends once per id)
    ids = sorted(str(m["detail"].get("event_id")) for m in received)
    assert sorted(str(m["detail"].get("event_id")) for m in again) == ids

    removed = copy.deepcopy(article)
    removed["eventName"] = "REMOVE"
    removed["dynamodb"].pop("NewImage")
    assert handler({"Records": [removed]}, LambdaContext("StreamFunction")) == {"batchItemFailures": []}
    assert [m["detail"]["status"] for m in _drain(url)] == ["deleted"]
