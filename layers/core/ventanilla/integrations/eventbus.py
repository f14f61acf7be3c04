"""Publishes domain events on the EventBridge bus."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import boto3

from ventanilla.domain_events import DomainEvent
from ventanilla.settings import get_settings


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("events", region_name=get_settings().region)


class PublishFailed(Exception):
    """Some entries were refused; the stream consumer reports the record as failed and retries."""


def publish(events: Sequence[DomainEvent]) -> None:
    bus = get_settings().event_bus_name
    for start in range(0, len(events), 10):  # PutEvents takes at most 10 entries
        batch = events[start : start + 10]
        entries = [
            {
                "Source": e.source,
                "DetailType": e.detail_type,
                "Detail": json.dumps(e.detail),
                "EventBusName": bus,
            }
            for e in batch
        ]
        response = _client().put_events(Entries=entries)
        if response.get("FailedEntryCount"):
            raise PublishFailed(f"{response['FailedEntryCount']} of {len(entries)} entries failed")
