"""An outage alert to 10,000 local subscribers: the fan-out through the proactive queue (one audience
page per message, one batch of 100 recipients per message, their markers claimed 25 a
TransactWriteItems), against moto's server running in this process (HTTP on loopback). Prints the
time, the AWS calls per recipient and the peak memory (the process's maximum resident size, moto's
included since it runs in this process, and how much the fan-out added to it).

Where the time goes (cProfile, 200 recipients, a 2-core machine at load 15): one SES SendEmail per
recipient is most of it (SES v2 has no bulk send without templates, which moto lacks); the
per-recipient conditional PutItem of the marker was the next (now 1 call per 25 recipients); the
MIME message built for each recipient (its own unsubscribe and management links) costs ~9 ms.

The subscribers are written straight into the audience index (``AUD#<sector>#<topic>``) as
confirmation leaves them; the send rate is lifted so SQS delays do not pace a local run (in AWS
PROACTIVE_SEND_RATE paces the pages)."""

from __future__ import annotations

import os
import resource
import time
import warnings
from collections import Counter
from typing import Any

from botocore.client import BaseClient

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS") or size(10_000, 50))
"""BENCH_SUBSCRIBERS=1000 runs a smaller audience (the local moto answers a few hundred calls a second)."""
CALLS: Counter[str] = Counter()
_original = BaseClient._make_api_call


def _counting(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    CALLS[f"{self.meta.service_model.service_name}:{operation}"] += 1
    return _original(self, operation, params)


def main() -> None:
    import logging

    from infra.local import outbox
    from infra.local.queues import QueuePoller
    from infra.local.stack import LocalStack

    logging.disable(logging.INFO)
    stack = LocalStack(port=0)
    stack.start_aws()
    outbox.install()
    from ventanilla.auth import Principal
    from ventanilla.models.proactive import AreaUpload, ServiceAlertIn, SubscriptionTopicIn
    from ventanilla.services import areas, service_alerts, subscriptions
    from ventanilla.settings import get_settings
    from ventanilla.storage.table import table

    admin = Principal(sub="bench", username="bench", groups=frozenset({"admin", "supervisor"}))
    ring = [[-70.7, -33.5], [-70.6, -33.5], [-70.6, -33.4], [-70.7, -33.4], [-70.7, -33.5]]
    feature = {
        "type": "Feature",
        "properties": {"code": "centro", "name": "Centro"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    areas.upload(admin, AreaUpload.model_validate({"type": "FeatureCollection", "features": [feature]}))
    subscriptions.put_topic(admin, "cortes-agua", SubscriptionTopicIn(name="Cortes de agua"))
    with table().batch_writer() as batch:
        for i in range(SUBSCRIBERS):
            batch.put_item(
                Item={
                    "PK": "AUD#centro#cortes-agua",
                    "SK": f"SUB#b{i:06d}",
                    "entity": "sub_audience",
                    "sub_id": f"b{i:06d}",
                    "lang": "es" if i % 5 else "en",
                    "email": f"s{i}@example.cl",
                }
            )
    get_settings().proactive_send_rate = 10_000
    fn = stack.functions["ProactiveFunction"]
    poller = QueuePoller(fn, fn.events["FanOut"])
    from collections import deque

    outbox.OUTBOX = deque(maxlen=SUBSCRIBERS + 1000)  # the local outbox keeps the last 2,000 only
    sent_before = len(outbox.entries())
    body = ServiceAlertIn.model_validate(
        {
            "title": {"es": "Corte de agua", "en": "Water cut"},
            "text": {"es": "Sin agua hasta las 18:00.", "en": "No water until 18:00."},
            "sectors": ["centro"],
            "topics": ["cortes-agua"],
        }
    )
    BaseClient._make_api_call = _counting  # type: ignore[method-assign]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    alert = service_alerts.publish(admin, body)
    published = time.perf_counter() - started
    messages = poller.drain(timeout=3600)
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    BaseClient._make_api_call = _original  # type: ignore[method-assign]
    sent = len(outbox.entries()) - sent_before
    recipients = len({e["to"] for e in outbox.entries() if e.get("channel") == "email"})
    figures = service_alerts.get(alert.id).figures
    total = sum(CALLS.values())
    print(f"alert fan-out to {SUBSCRIBERS} confirmed email subscribers, moto server in this process")
    print(f"  publish (API side): {published:.2f} s")
    print(f"  time: {elapsed:.1f} s ({SUBSCRIBERS / elapsed:.0f} recipients/s), {messages} queue messages")
    print(
        f"  emails in the outbox: {sent}; figures: audience {figures.audience if figures else '?'}, sent {figures.sent if figures else '?'}"
    )
    print(
        f"  AWS calls per recipient: {total / SUBSCRIBERS:.2f} ("
        + ", ".join(f"{k} {v / SUBSCRIBERS:.2f}" for k, v in sorted(CALLS.items()))
        + ")"
    )
    print(
        f"  peak memory (process maxrss, moto included): {rss_after / 1024:.0f} MB, "
        f"{(rss_after - rss_before) / 1024:.0f} MB more than before the alert"
    )
    assert sent == SUBSCRIBERS == recipients, (sent, recipients, SUBSCRIBERS)  # each one once


if __name__ == "__main__":
    main()
