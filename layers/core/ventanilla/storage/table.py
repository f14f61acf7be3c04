"""Single-table design: one DynamoDB table, every access pattern a GetItem or a bounded Query.

Keys (generic attribute names, so entities can share the indexes):

    entity         PK                  SK              indexes
    ticket         TICKET#<number>     TICKET          GSI1 QUEUE#<team>#<status> / <rank>#<due>#<number>
                                                       GSI2 CITIZEN#<id> / <created>#<number>
                                                       GSI3 ASSIGNEE#<sub> / <status>#<due>#<number>
    history event  TICKET#<number>     EV#<at>#<pos>#<id>
    counter        COUNTER#TICKET      YEAR#<yyyy>
    request type   CATALOG             TYPE#<code>
    team           TEAMS               TEAM#<code>
    staff profile  STAFF#<sub>         PROFILE
    citizen        CITIZEN#<id>        PROFILE
    contact index  CONTACT#<sha256>    CONTACT
    idempotency    IDEMPOTENCY#<fn>    <hash>          (Powertools; expires through TTL)
    delivery       NOTICE#<event id>   <recipient>#<channel>   one notice: claim, outcome (TTL 90 days)
    device         TICKET#<n> | STAFF#<sub>   DEVICE#<sha256>  push endpoint of a token
    receipt        TICKET#<n>          RECEIPT         access code sealed for the receipt (TTL 14 days)
    notice prefs   CITIZEN#<id> | STAFF#<sub>  NOTICES     channels opted out by signed link
    suppression    SUPPRESSION         <sha256 of address>     bounced or complained address (masked)
    template       TEMPLATES           <kind>#<channel>#<lang>  admin-edited notice template

Access patterns:
- ticket by number: GetItem ``TICKET#n / TICKET`` (the number is the ticket's id: immutable, unique);
  with its history: one Query on ``PK = TICKET#n`` (history capped per page).
- team queue by status, most urgent first: Query GSI1 ``QUEUE#team#status``, ascending, with Limit.
- a citizen's tickets, newest first: Query GSI2 ``CITIZEN#id``, descending.
- an agent's tickets by status then due date: Query GSI3 ``ASSIGNEE#sub``.
- the catalog: Query ``CATALOG`` (its size is the catalog's, not the tickets').
- next request number: GetItem counter, then one transaction that moves the counter from n to n+1
  (conditional) and puts the ticket ``TICKET#yyyy-(n+1)`` (attribute_not_exists): two concurrent
  creates cannot both win the same number.
- a ticket change: one transaction: Put of the ticket conditioned on its ``version`` (optimistic
  locking) plus a conditional Put of each new history event (append-only).
- notices (:mod:`ventanilla.storage.notices`): the notifier reads the ticket's partition once
  (ticket, history, devices, receipt: one Query), the recipient's NOTICES item and, for email, the
  suppression item (GetItems); it claims each delivery with a conditional UpdateItem and closes it
  together with its history event in one transaction, so a redelivered event sends nothing twice.
  Suppressions and templates are listed with one Query of their partition, with a Limit.
TTL attribute: ``ttl`` (idempotency records, deliveries, receipts). Streams carry new and old images to
the consumers.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import boto3
from pydantic import BaseModel

from ventanilla.settings import get_settings

KEY_ATTRS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "entity", "ttl")


_local = threading.local()
_lock = threading.Lock()
_session: Any = None


def table() -> Any:
    """The boto3 Table; its client takes native Python values in transactions too.

    boto3 resources are not thread-safe, so each thread (a threaded local server, a test's thread
    pool) gets its own, made under a lock from one shared session whose loaded service models
    make that cheap; a Lambda process has one thread and so one Table.
    """
    global _session
    cached = getattr(_local, "table", None)
    if cached is None:
        settings = get_settings()
        with _lock:
            if _session is None:
                _session = boto3.session.Session(region_name=settings.region)
            cached = _local.table = _session.resource("dynamodb").Table(settings.table_name)
    return cached


def client() -> Any:
    return table().meta.client


def to_item(model: BaseModel, **keys: Any) -> dict[str, Any]:
    """A model as a DynamoDB item: JSON types, floats as Decimal, None values left out."""
    data = json.loads(model.model_dump_json(exclude_none=True), parse_float=Decimal)
    data.update({k: v for k, v in keys.items() if v is not None})
    return dict(data)


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item without its key attributes, Decimals back to int/float, ready for model_validate."""
    return {k: _plain(v) for k, v in item.items() if k not in KEY_ATTRS}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def cancellation_codes(error: Exception) -> list[str]:
    """The per-item reasons of a TransactionCanceledException, '' where an item was fine."""
    response = getattr(error, "response", {}) or {}
    reasons = response.get("CancellationReasons") or []
    return [r.get("Code", "") or "" for r in reasons]


def is_error(error: Exception, code: str) -> bool:
    response = getattr(error, "response", {}) or {}
    return bool(response.get("Error", {}).get("Code") == code)
