"""SQS calls of the proactive fan-out: one message per step (see ventanilla.services.service_alerts)."""

from __future__ import annotations

import threading
from typing import Any

import boto3

from ventanilla.settings import get_settings

_local = threading.local()


def _sqs() -> Any:
    client = getattr(_local, "sqs", None)
    if client is None:
        client = _local.sqs = boto3.client("sqs", region_name=get_settings().region)
    return client


def send(body: str, delay: int = 0) -> None:
    url = get_settings().proactive_queue_url
    if not url:
        raise RuntimeError("PROACTIVE_QUEUE_URL is not set")
    _sqs().send_message(QueueUrl=url, MessageBody=body, DelaySeconds=max(0, min(900, delay)))
