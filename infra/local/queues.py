"""Delivers SQS queues to the functions template.yaml wires to them (``Type: SQS`` events), as
Lambda's event source mapping does.

Lambda semantics kept: up to BatchSize messages per invocation, received with the queue's own
visibility timeout; with ReportBatchItemFailures only the messages the function reports stay on the
queue (the others are deleted); an invocation that raises leaves the whole batch. A message left
there comes back when its visibility timeout ends (the function may shorten it for backoff), and
moto moves it to the dead-letter queue once its receive count passes the redrive policy's
maxReceiveCount, as SQS does.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import boto3

from infra.local.functions import LocalFunction
from infra.local.idle import PollCounter, poll_until_stopped

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger("ventanilla.local.queues")


class QueuePoller(threading.Thread):
    def __init__(
        self, function: LocalFunction, event: dict[str, Any], interval: float = 0.2, moto: Any = None
    ) -> None:
        """``moto``: the stack's in-process moto server. The poller looks in its memory (under the
        server's lock) for a visible message before it calls ReceiveMessage: a dozen idle queues
        polled over HTTP five times a second kept a core busy per stack."""
        props = event["Properties"]
        super().__init__(daemon=True, name=f"sqs-{function.logical}")
        self.function = function
        self.queue_arn: str = props["Queue"]
        self.batch_size = min(int(props.get("BatchSize", 10)), 10)
        self.partial = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
        self.interval = interval
        self.sqs = boto3.client("sqs")
        self.queue_url = self.sqs.get_queue_url(QueueName=self.queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        self.moto = moto
        self._stop = threading.Event()
        self._counter = PollCounter()
        self.invocations = 0
        self.deleted = 0
        self.failed = 0

    def stop(self) -> None:
        self._stop.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once a poll that BEGAN after this call found the queue empty (a poll already under
        way may have looked before the latest messages arrived; retries pending are not waited)."""
        return self._counter.wait_idle(timeout)

    def run(self) -> None:
        poll_until_stopped(
            self._stop,
            self.poll_once,
            self._counter,
            lambda: self._stop.wait(self.interval),
            f"queue delivery to {self.function.logical}",
        )

    def _nothing_visible(self) -> bool:
        """True when moto's copy of the queue holds no message a receive would return now."""
        if self.moto is None:
            return False
        import os

        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sqs.models import sqs_backends

        _, _, _, region, account, name = self.queue_arn.split(":", 5)
        backend = sqs_backends[account or os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)][region]
        with self.moto.lock:
            queue = backend.queues.get(name)
            return queue is not None and not queue.messages

    def _record(self, message: MessageTypeDef) -> dict[str, Any]:
        """One message in the shape Lambda gives an SQS-triggered function."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes") or {}),
            "messageAttributes": dict(message.get("MessageAttributes") or {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.queue_arn.split(":")[3],
        }

    def poll_once(self) -> int:
        """Receive one batch, invoke the function, delete what succeeded; returns messages received."""
        if self._nothing_visible():
            return 0
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            return 0
        records = [self._record(m) for m in messages]
        self.invocations += 1
        try:
            answer = self.function.invoke({"Records": records})
        except Exception:
            log.exception("%s raised; the batch returns to the queue", self.function.logical)
            self.failed += len(records)
            return len(records)
        failed = (
            {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
            if self.partial
            else set()
        )
        done = [r for r in records if r["messageId"] not in failed]
        self.failed += len(failed)
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(chunk)],
            )
        self.deleted += len(done)
        return len(records)

    def drain(self, timeout: float = 30.0, settle: float = 0.0) -> int:
        """Poll until the queue is empty (for tests and scripts); ``settle`` waits that long for
        messages whose visibility timeout is about to end. Returns messages received."""
        total, deadline = 0, time.monotonic() + timeout
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            got = self.poll_once()
            total += got
            if got:
                quiet_since = None
                continue
            now = time.monotonic()
            quiet_since = quiet_since or now
            if now - quiet_since >= settle:
                break
            time.sleep(0.05)
        return total


def start_queue_pollers(stack: Any) -> list[QueuePoller]:
    """One poller per SQS event of every function in the template."""
    pollers = []
    for fn in stack.functions.values():
        for event in fn.events.values():
            if event.get("Type") == "SQS":
                poller = QueuePoller(fn, event, moto=getattr(stack, "moto", None))
                poller.start()
                pollers.append(poller)
    return pollers
