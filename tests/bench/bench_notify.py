"""Notifier throughput against the local stack: notices per second per batch of 10 SQS messages,
the AWS calls each notice costs, and what a duplicate costs (it sends nothing).

The notifier function runs in-process on batches of 10 real queue messages (the template's
BatchSize), each a TicketStatusChanged for its own ticket, one email each. moto stands in for SES,
DynamoDB and SQS over HTTP, so the absolute figures measure the local stack; the calls per notice
are what Lambda would make in AWS. Render time per template is in bench_templates.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid
import warnings
from collections import Counter
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
BATCHES = size(6, 1)
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[f"{self.meta.service_model.service_name}:{operation}"] += 1
    return _original(self, operation, params)


def _event(number: str, status: str = "resolved") -> Any:
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
            "actor_id": "bench",
            "channel": "web",
            "status": status,
        },
    )


def main() -> None:
    import logging
    import os

    from infra.local.queues import QueuePoller
    from infra.local.stack import LocalStack
    from tests.conftest import TEST_LIMITS

    logging.disable(logging.INFO)
    for name, value in TEST_LIMITS.items():  # ten filings from one client within the hour
        os.environ.setdefault(name, value)
    stack = LocalStack(port=0)
    stack.start_aws()
    from chalice.test import Client

    from infra.local import demo
    from tests.conftest import ticket_body
    from ventanilla.integrations import eventbus

    demo.seed_catalog()
    app = stack.functions["ApiFunction"].load()
    numbers = []
    with Client(app) as client:
        for i in range(10):
            body = ticket_body(
                type="consulta",
                subtype="general",
                form={},
                requester={"email": f"b{i}@example.cl", "channels": ["email"]},
            )
            answer = client.http.post(
                "/api/v1/tickets", body=json.dumps(body), headers={"Content-Type": "application/json"}
            )
            numbers.append(answer.json_body["number"])
    fn = stack.functions["NotifierFunction"]
    poller = QueuePoller(fn, fn.events["Notifications"])
    eventbus.publish([_event(n, "assigned") for n in numbers])  # warm-up: cold start, caches
    poller.drain()

    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    rates, per_notice_calls = [], Counter[str]()
    for _ in range(BATCHES):
        events = [_event(n) for n in numbers]
        eventbus.publish(events)
        # One batch of 10 messages, one invocation: the time Lambda would bill.
        messages = poller.sqs.receive_message(
            QueueUrl=poller.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], WaitTimeSeconds=0
        )["Messages"]
        while len(messages) < 10:
            messages += poller.sqs.receive_message(
                QueueUrl=poller.queue_url, MaxNumberOfMessages=10 - len(messages), AttributeNames=["All"]
            ).get("Messages", [])
        records = [poller._record(m) for m in messages]
        CALLS.clear()
        started = time.perf_counter()
        answer = fn.invoke({"Records": records})
        elapsed = time.perf_counter() - started
        per_notice_calls.update(CALLS)
        assert not answer["batchItemFailures"], answer
        poller.sqs.delete_message_batch(
            QueueUrl=poller.queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(records)],
        )
        rates.append(10 / elapsed)
    # Duplicates: the same 10 events again, nothing sent.
    eventbus.publish(events)
    messages = []
    while len(messages) < 10:
        messages += poller.sqs.receive_message(
            QueueUrl=poller.queue_url, MaxNumberOfMessages=10 - len(messages), AttributeNames=["All"]
        ).get("Messages", [])
    CALLS.clear()
    started = time.perf_counter()
    fn.invoke({"Records": [poller._record(m) for m in messages]})
    duplicate_ms = (time.perf_counter() - started) / 10 * 1000
    duplicate_calls = sum(CALLS.values()) / 10
    BaseClient._make_api_call = _original  # type: ignore[method-assign]

    total = BATCHES * 10
    print(f"notifier, batches of 10 SQS messages, 1 email each, {BATCHES} batches, in-process vs moto")
    print(
        f"  throughput: median {statistics.median(rates):.1f} notices/s per batch (min {min(rates):.1f}, max {max(rates):.1f})"
    )
    print(f"  per notice: {statistics.median([10 / r for r in rates]) / 10 * 1000:.0f} ms")
    print(
        "  AWS calls per notice: "
        + ", ".join(f"{k} {v / total:.1f}" for k, v in sorted(per_notice_calls.items()))
    )
    print(f"  a duplicate (already sent): {duplicate_ms:.0f} ms, {duplicate_calls:.1f} calls, nothing sent")
    assert stack.moto is not None
    stack.moto.stop()
