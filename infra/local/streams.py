"""Delivers a DynamoDB stream to the functions template.yaml wires to it, as Lambda would.

Lambda semantics kept: batches of BatchSize records in order; records that match none of the
event's FilterCriteria patterns are dropped unseen (as Lambda drops them; a consumer that writes
items it would not want back relies on it); binary attributes arrive as base64 text; with
ReportBatchItemFailures the batch is retried from the first failed record; after
MaximumRetryAttempts the batch is given up, logged, and a failure record goes to the on-failure
destination (an SQS queue). No record is skipped otherwise.

Given the stack's in-process moto server, the poller reads the stream's records from moto's memory
under the server's lock instead of through GetRecords: the records carry whole old and new images,
and serialising them over HTTP and parsing them back with botocore cost more than everything else
the local stack did under load (a statistics item's images are tens of kilobytes).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.events.models import EventPattern

from infra.local.functions import LocalFunction
from infra.local.idle import PollCounter, poll_until_stopped

log = logging.getLogger("ventanilla.local.streams")


def _as_lambda_json(value: Any) -> Any:
    """What Lambda's event holds for the values JSON lacks: ApproximateCreationDateTime as a number
    of seconds, a Binary attribute (``B``, ``BS``) as base64 text."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).timestamp()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"not JSON: {type(value).__name__}")


def _event_records(records: list[Any]) -> list[dict[str, Any]]:
    """Records as the function's event carries them (a JSON copy: the function gets its own)."""
    return [json.loads(json.dumps(r, default=_as_lambda_json)) for r in records]


class StreamPoller(threading.Thread):
    def __init__(
        self,
        function: LocalFunction,
        event: dict[str, Any],
        interval: float = 0.1,
        starting_position: str | None = None,
        moto: Any = None,
    ) -> None:
        """``starting_position`` overrides the event's (``LATEST``: only what is written from now);
        ``moto``: the in-process moto server to read the records from (else GetRecords)."""
        super().__init__(daemon=True, name=f"stream-{function.logical}")
        props = event["Properties"]
        self.starting_position = starting_position or str(props.get("StartingPosition", "TRIM_HORIZON"))
        self.function = function
        self.stream_arn: str = props["Stream"]
        self.batch_size = int(props.get("BatchSize", 100))
        self.max_retries = int(props.get("MaximumRetryAttempts", 3))
        self.partial = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        self.dlq_arn: str | None = destination
        filters = (props.get("FilterCriteria") or {}).get("Filters") or []
        self.patterns = [EventPattern.load(f["Pattern"]) for f in filters if f.get("Pattern")]
        self.interval = interval
        self.streams = boto3.client("dynamodbstreams")
        self._stop = threading.Event()
        self._counter = PollCounter()
        self._iterators: dict[str, str] = {}
        self.moto = moto
        self._position: int | None = None  # next sequence number, when reading moto's memory
        self.delivered = 0
        self.filtered = 0
        self.failed_batches = 0

    def stop(self) -> None:
        self._stop.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every record written so far has been delivered (for tests and demos): a poll
        that began after this call found nothing left."""
        return self._counter.wait_idle(timeout)

    def _shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=self.starting_position
                )["ShardIterator"]

    def prime(self) -> StreamPoller:
        """Take the shard iterators now, so ``LATEST`` means "from this call", not "from start()"."""
        if self.moto is not None:
            self._read_in_process(0)
        else:
            self._shards()
        return self

    def _read_in_process(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` records from the position on, as GetRecords would return them."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        _, _, _, region, account, resource = self.stream_arn.split(":", 5)
        backend = dynamodb_backends[account or os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)][region]
        with self.moto.lock:
            shard = backend.get_table(resource.split("/")[1]).stream_shard
            if shard is None:
                return []
            if self._position is None:
                ahead = len(shard.items) if self.starting_position == "LATEST" else 0
                self._position = shard.starting_sequence_number + ahead
            start = self._position - shard.starting_sequence_number
            chunk = [r.to_json() for r in shard.items[start : start + limit]]
        # Records are not changed once written, so they are copied outside the lock. The position
        # moves only once the batch is in hand: a record that cannot be read is tried again (and
        # logged each time), never skipped with the rest of its batch.
        records = _event_records(chunk)
        self._position += len(chunk)
        return records

    def run(self) -> None:
        poll_until_stopped(
            self._stop,
            self._poll_once,
            self._counter,
            lambda: time.sleep(self.interval),
            f"stream delivery to {self.function.logical}",
        )

    def _poll_once(self) -> int:
        if self.moto is not None:
            records = self._read_in_process(self.batch_size)
            self._deliver_matching(records)
            return len(records)
        self._shards()
        total = 0
        for shard_id, iterator in list(self._iterators.items()):
            response = self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
            records = _event_records(response.get("Records", []))
            self._iterators[shard_id] = response.get("NextShardIterator") or iterator
            self._deliver_matching(records)
            total += len(records)
        return total

    def _deliver_matching(self, records: list[dict[str, Any]]) -> None:
        if self.patterns:
            # moto's EventBridge matcher (types an event as its TypedDict; a stream record is a dict)
            kept = [r for r in records if any(p.matches_event(r) for p in self.patterns)]  # type: ignore[arg-type]
            self.filtered += len(records) - len(kept)
            records = kept
        if records:
            self._deliver(records)

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        pending = [{**r, "eventSourceARN": self.stream_arn} for r in records]
        attempts = 0
        while pending:
            try:
                result = self.function.invoke({"Records": pending})
                failures = (
                    [f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])]
                    if self.partial
                    else []
                )
            except Exception:
                log.exception("%s raised", self.function.logical)
                failures = [pending[0]["dynamodb"]["SequenceNumber"]]
            if not failures:
                self.delivered += len(pending)
                return
            # Lambda takes an identifier that names no record of the batch as the whole batch failing
            first = next((i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] in failures), 0)
            self.delivered += first
            pending = pending[first:]
            attempts += 1
            if attempts > self.max_retries:
                self._give_up(pending)
                return
            time.sleep(min(2.0, 0.05 * 2**attempts))

    def _give_up(self, records: list[dict[str, Any]]) -> None:
        self.failed_batches += 1
        log.error("%s: gave up a batch of %d records", self.function.logical, len(records))
        if not self.dlq_arn:
            return
        sqs = boto3.client("sqs")
        name = self.dlq_arn.rsplit(":", 1)[-1]
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        body = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "functionArn": self.function.logical},
            "DDBStreamBatchInfo": {
                "streamArn": self.stream_arn,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(records),
            },
        }
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
