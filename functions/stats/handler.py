"""Table stream -> statistics aggregates. Batch processing reports partial failures; each record
is applied once (a per-ticket version guard, a per-event marker), so a duplicated or replayed
record changes nothing. The batch's tickets' facts are read ahead in one BatchGetItem; their
versions' deltas are merged into one journal per batch and applied as one update per counter item
(:func:`ventanilla.stats.consume.journal_tickets`); a version that cannot go that way (its
ticket's facts moved meanwhile, or an unreadable record and those after it) is counted alone, in
one transaction with its facts.

Help searches (the search log's ``HELPSEARCH#<id>`` items) are counted per query here, off the
request path, once per batch (:func:`ventanilla.stats.help_figures.aggregate_searches`); only the
searches before a failed ticket record are counted, since the rest come back with it."""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla import emf
from ventanilla.batch import BatchResponse, process_stream, stream_image
from ventanilla.settings import get_settings
from ventanilla.stats import consume
from ventanilla.stats.help_figures import aggregate_searches
from ventanilla.tracing import make_tracer

get_settings()  # validate the environment at cold start
logger = Logger(service="stats")
metrics = emf.metrics("stats", namespace="Ventanilla")
tracer = make_tracer("stats")

_journaled = threading.local()
"""The records of the current batch counted through its journal (by identity; per thread, as the
local stack may run a stream poller's invocation beside a test's)."""


@tracer.capture_method
def record_handler(record: dict[str, Any]) -> None:
    if id(record) in getattr(_journaled, "ids", ()):
        return
    keys = stream_image(record, "Keys")
    image = stream_image(record, "NewImage")
    if not keys or not image:  # removals (TTL of other items) carry nothing to count
        return
    pk, sk = str(keys.get("PK", "")), str(keys.get("SK", ""))
    if not pk.startswith("TICKET#"):
        return
    number = pk.removeprefix("TICKET#")
    logger.set_correlation_id(number)
    if sk == "TICKET":
        applied = consume.apply_ticket(number, image)
        if image.get("version") == 1 and applied:
            metrics.add_metric(name="TicketsCounted", unit=MetricUnit.Count, value=1)
    elif sk.startswith("EV#"):
        applied = consume.apply_event(pk, sk, image)
    else:
        return
    if not applied:
        metrics.add_metric(name="StatsRecordsSkipped", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    consume.read_ahead(_ticket_numbers(event))
    try:
        _journal(event.get("Records") or [])
        response: BatchResponse = process_stream(event, record_handler)
    finally:
        consume.forget()
        _journaled.ids = set()
    # a stream batch names failed records by sequence number (a string; Kafka's are objects)
    failures = response.get("batchItemFailures", [])
    failed = {f["itemIdentifier"] for f in failures if isinstance(f["itemIdentifier"], str)}
    counted = aggregate_searches(_search_logs(event.get("Records") or [], failed))
    if counted:
        metrics.add_metric(name="HelpSearchesRanked", unit=MetricUnit.Count, value=counted)
    return response


def _journal(records: list[dict[str, Any]]) -> None:
    """Count the batch's ticket versions through one journal, then apply the pending journals."""
    versions: list[tuple[str, dict[str, Any]]] = []
    raws: list[dict[str, Any]] = []
    for raw in records:
        keys = stream_image(raw, "Keys") or {}
        pk, sk = str(keys.get("PK", "")), str(keys.get("SK", ""))
        image = stream_image(raw, "NewImage")
        if not (pk.startswith("TICKET#") and sk == "TICKET" and image):
            continue
        versions.append((pk.removeprefix("TICKET#"), image))
        raws.append(raw)
    if versions:
        done = consume.journal_tickets(versions)
        counted = sum(1 for p in done if versions[p][1].get("version") == 1)
        if counted:
            metrics.add_metric(name="TicketsCounted", unit=MetricUnit.Count, value=counted)
        _journaled.ids = {id(raws[p]) for p in done}
    consume.apply_journals()


def _search_logs(records: list[dict[str, Any]], failed: set[str]) -> list[dict[str, Any]]:
    """The search log items the batch inserted, up to its first failed record (Lambda hands that
    record and every later one back)."""
    out = []
    for record in records:
        data = record.get("dynamodb") or {}
        if data.get("SequenceNumber") in failed:
            break
        keys = data.get("Keys") or {}
        pk, sk = (keys.get("PK") or {}).get("S", ""), (keys.get("SK") or {}).get("S", "")
        image = data.get("NewImage") or {}
        if record.get("eventName") == "INSERT" and pk.startswith("HELPSEARCH#") and sk == "SEARCH":
            out.append({k: (image.get(k) or {}).get("S", "") for k in ("query", "at")})
    return out


def _ticket_numbers(event: dict[str, Any]) -> list[str]:
    """The tickets whose versions the batch carries (their facts are read in one call)."""
    out = []
    for record in event.get("Records") or []:
        keys = (record.get("dynamodb") or {}).get("Keys") or {}
        pk, sk = (keys.get("PK") or {}).get("S", ""), (keys.get("SK") or {}).get("S", "")
        if pk.startswith("TICKET#") and sk == "TICKET" and (record.get("dynamodb") or {}).get("NewImage"):
            out.append(pk.removeprefix("TICKET#"))
    return out
