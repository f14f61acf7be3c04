"""The local stream poller keeps Lambda's promises: every record reaches the consumer once it
succeeds, in order, binary attributes as base64 text (a batch holding one was once dropped whole,
with the hundred records around it, and nothing logged); a failed batch is retried, not skipped;
records outside the event's FilterCriteria are never delivered."""

from __future__ import annotations

import base64
import io
import logging
import uuid
from pathlib import Path
from typing import Any

import boto3
import boto3.dynamodb.types

from infra.local.functions import LocalFunction
from infra.local.streams import StreamPoller
from tests.conftest import Aws


class Recorder:
    """A stream consumer that keeps what it is handed and fails as told (by sequence number)."""

    def __init__(self, fail_once: set[str] | None = None, raise_once: bool = False) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.fail_once = set(fail_once or ())
        self.raise_once = raise_once

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        records = event["Records"]
        self.batches.append(records)
        if self.raise_once:
            self.raise_once = False
            raise RuntimeError("timed out")
        failed = [
            r["dynamodb"]["SequenceNumber"]
            for r in records
            if r["dynamodb"]["Keys"]["SK"]["S"] in self.fail_once
        ]
        if failed:
            self.fail_once.clear()
            return {"batchItemFailures": [{"itemIdentifier": failed[0]}]}
        return {"batchItemFailures": []}

    def keys(self) -> list[str]:
        """The sort keys of the records handled, each once, in the order first handed."""
        seen: list[str] = []
        for batch in self.batches:
            for record in batch:
                if record["dynamodb"]["Keys"]["SK"]["S"] not in seen:
                    seen.append(record["dynamodb"]["Keys"]["SK"]["S"])
        return seen


def _poller(aws: Aws, recorder: Recorder, **props: Any) -> StreamPoller:
    stream = aws.stack.functions["StreamFunction"].events["TableStream"]["Properties"]["Stream"]
    function = LocalFunction("Recorder", Path("."), "none.handler", {}, {}, _callable=recorder)
    event = {
        "Properties": {
            "Stream": stream,
            "BatchSize": 4,
            "MaximumRetryAttempts": 3,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            **props,
        }
    }
    return StreamPoller(
        function, event, interval=0.02, starting_position="LATEST", moto=aws.stack.moto
    ).prime()


def _write(aws: Aws, pk: str, count: int, binary_at: set[int]) -> list[str]:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    keys = []
    for i in range(count):
        item: dict[str, Any] = {"PK": pk, "SK": f"R{i:03d}", "entity": "poller-test"}
        if i in binary_at:
            item["blob"] = b"\x00\xffzipped " + bytes([i])
        table.put_item(Item=item)
        keys.append(f"R{i:03d}")
    return keys


def _mine(recorder: Recorder, pk: str) -> Recorder:
    recorder.batches = [[r for r in b if r["dynamodb"]["Keys"]["PK"]["S"] == pk] for b in recorder.batches]
    return recorder


def test_every_record_arrives_binary_ones_as_base64_and_failed_batches_are_retried(aws: Aws) -> None:
    pk = f"POLLERTEST#{uuid.uuid4().hex[:8]}"
    recorder = Recorder(fail_once={"R005"}, raise_once=True)
    poller = _poller(aws, recorder)
    keys = _write(aws, pk, 14, binary_at={2, 9})
    poller.start()
    try:
        assert poller.wait_idle(30)
    finally:
        poller.stop()
    assert _mine(recorder, pk).keys() == keys
    assert poller.failed_batches == 0
    blobs = {
        r["dynamodb"]["Keys"]["SK"]["S"]: r["dynamodb"]["NewImage"]["blob"]["B"]
        for b in recorder.batches
        for r in b
        if "blob" in r["dynamodb"]["NewImage"]
    }
    assert {k: base64.b64decode(v) for k, v in blobs.items()} == {
        "R002": b"\x00\xffzipped \x02",
        "R009": b"\x00\xffzipped \x09",
    }
    # the batch that raised came back whole; the one that failed at R005 came back from R005 on
    firsts = [b[0]["dynamodb"]["Keys"]["SK"]["S"] for b in recorder.batches if b]
    assert firsts[:2] == ["R000", "R000"]
    assert "R005" in firsts


def test_records_outside_the_filter_criteria_are_not_delivered(aws: Aws) -> None:
    pk = f"POLLERTEST#{uuid.uuid4().hex[:8]}"
    recorder = Recorder()
    pattern = '{"eventName": ["INSERT"], "dynamodb": {"Keys": {"SK": {"S": [{"prefix": "R00"}]}}}}'
    poller = _poller(aws, recorder, FilterCriteria={"Filters": [{"Pattern": pattern}]})
    keys = _write(aws, pk, 12, binary_at=set())
    boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"]).put_item(Item={"PK": pk, "SK": "R001", "v": 2})
    poller.start()
    try:
        assert poller.wait_idle(30)
    finally:
        poller.stop()
    assert _mine(recorder, pk).keys() == keys[:10]  # R010, R011 and the MODIFY of R001 dropped
    assert sum(len(b) for b in recorder.batches) == 10


def test_an_identifier_naming_no_record_retries_the_whole_batch(aws: Aws) -> None:
    pk = f"POLLERTEST#{uuid.uuid4().hex[:8]}"
    calls: list[list[str]] = []

    def consumer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        mine = [
            r["dynamodb"]["Keys"]["SK"]["S"]
            for r in event["Records"]
            if r["dynamodb"]["Keys"]["PK"]["S"] == pk
        ]
        calls.append(mine)
        return {"batchItemFailures": [{"itemIdentifier": "no-such-record"}] if len(calls) == 1 else []}

    recorder = Recorder()
    poller = _poller(aws, recorder)
    poller.function._callable = consumer
    keys = _write(aws, pk, 3, binary_at=set())
    poller.start()
    try:
        assert poller.wait_idle(30)
    finally:
        poller.stop()
    assert calls[0] == calls[1] == keys


def test_the_pollers_errors_reach_the_log_beside_a_functions_powertools_logger(tmp_path: Path) -> None:
    """Powertools guards the root handlers against its own service's records by substring: the
    ``stream`` function's guard hid ``ventanilla.local.streams``. Locally the guard goes by name."""
    service = f"strm{uuid.uuid4().hex[:6]}"
    (tmp_path / "guarded.py").write_text(
        "from aws_lambda_powertools import Logger\n"
        f"logger = Logger(service={service!r})\n"
        "def handler(event, context):\n"
        "    logger.info('own record')\n"
        "    return event\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    root_handler = logging.StreamHandler(out)
    logging.root.addHandler(root_handler)
    try:
        LocalFunction("Guarded", tmp_path, "guarded.handler", {}, {}).load()
        logging.getLogger(f"ventanilla.local.{service}s").error("poller error")
        logging.getLogger(f"{service}.child").error("own child record")
    finally:
        logging.root.removeHandler(root_handler)
    assert "poller error" in out.getvalue()
    assert "own child record" not in out.getvalue()  # still kept off the root handler, as before


def test_the_statistics_consumer_falls_quiet_after_counting_through_the_real_stream(aws: Aws) -> None:
    """The template's StatsStream (its filters) and the statistics function, through the stream:
    the journal, the counter updates and the lease are records too; the consumer counts the
    tickets once and then stops being invoked (it once invoked itself without end)."""
    from tests.integration.test_stats_journal import _batch, _figures

    fn = aws.stack.functions["StatsFunction"]
    invocations: list[int] = []
    handler = fn.load()

    def counting(event: dict[str, Any], context: Any) -> Any:
        invocations.append(len(event["Records"]))
        return handler(event, context)

    function = LocalFunction(
        "StatsFunction", fn.code_dir, fn.handler, fn.events, fn.environment, _callable=counting
    )
    poller = StreamPoller(
        function, fn.events["StatsStream"], interval=0.02, starting_position="LATEST", moto=aws.stack.moto
    ).prime()
    records, code = _batch("stream", tickets=2)
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    deserializer = boto3.dynamodb.types.TypeDeserializer()
    for record in records:
        image = {k: deserializer.deserialize(v) for k, v in record["dynamodb"]["NewImage"].items()}
        table.put_item(Item=image)
    poller.start()
    try:
        assert poller.wait_idle(60)
        settled = len(invocations)
        assert poller.wait_idle(5)
    finally:
        poller.stop()
    assert _figures(aws, code) == (2, 2, 2, 2)
    assert len(invocations) == settled
    assert poller.filtered > 0  # the journal's, the counters' and the lease's records
