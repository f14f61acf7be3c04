"""``POST /dev/sms-in``: an inbound SMS, with the JSON End User Messaging publishes
(``originationNumber``, ``destinationNumber``, ``messageBody``, ``inboundMessageId``...), published on
the stack's inbound SMS topic: moto's SNS delivers it to the queue SmsInFunction reads, as in AWS."""

from __future__ import annotations

import json
import os
import uuid

import boto3

MAX_BODY = 16_000


def publish(body: bytes) -> tuple[int, str, bytes]:
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return 400, "application/json", b'{"error": "JSON body expected"}'
    if not isinstance(message, dict) or not message.get("originationNumber") or "messageBody" not in message:
        return 422, "application/json", b'{"error": "originationNumber and messageBody are required"}'
    message.setdefault("inboundMessageId", str(uuid.uuid4()))
    message.setdefault("destinationNumber", "+56200000000")
    topic = os.environ.get("SMS_INBOUND_TOPIC_ARN", "")
    boto3.client("sns").publish(TopicArn=topic, Message=json.dumps(message))
    answer = {"published": True, "inboundMessageId": message["inboundMessageId"]}
    return 202, "application/json", json.dumps(answer).encode()
