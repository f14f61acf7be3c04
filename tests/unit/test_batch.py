"""Partial batch answers of the SQS and stream functions (ventanilla.batch)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ventanilla.batch import BatchFailed, SqsRecord, process_sqs, process_stream, receive_count, stream_image


def _sqs(message_id: str, body: str, count: str | None = None) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": "h",
        "body": body,
        "attributes": {"ApproximateReceiveCount": count} if count else {},
    }


def _fail_on_boom(record: SqsRecord) -> None:
    if record["body"] == "boom":
        raise RuntimeError("boom")


def test_sqs_names_only_the_records_that_raised() -> None:
    event = {"Records": [_sqs("1", "ok"), _sqs("2", "boom"), _sqs("3", "ok")]}
    assert process_sqs(event, _fail_on_boom) == {"batchItemFailures": [{"itemIdentifier": "2"}]}


def test_sqs_answers_a_batch_where_every_record_failed_and_an_empty_one() -> None:
    event = {"Records": [_sqs("1", "boom"), _sqs("2", "boom")]}
    assert process_sqs(event, _fail_on_boom)["batchItemFailures"] == [
        {"itemIdentifier": "1"},
        {"itemIdentifier": "2"},
    ]
    assert process_sqs({}, _fail_on_boom) == {"batchItemFailures": []}


def test_receive_count_is_one_without_the_attribute() -> None:
    assert receive_count(_sqs("1", "x", "3")) == 3  # type: ignore[arg-type]
    assert receive_count(_sqs("1", "x")) == 1  # type: ignore[arg-type]


def _stream(seq: str, number: str | None) -> dict[str, Any]:
    image = (
        {"PK": {"S": f"TICKET#{number}"}, "version": {"N": "2"}, "blob": {"B": b"\x00"}} if number else None
    )
    data: dict[str, Any] = {"SequenceNumber": seq, "Keys": {"PK": {"S": f"TICKET#{number}"}}}
    if image:
        data["NewImage"] = image
    return {"eventName": "MODIFY", "dynamodb": data}


def test_stream_images_in_python_types_and_none_without_dynamodb() -> None:
    record = _stream("10", "2026-000001")
    assert stream_image(record, "NewImage") == {
        "PK": "TICKET#2026-000001",
        "version": Decimal(2),
        "blob": b"\x00",
    }
    assert stream_image(record, "OldImage") == {}
    assert stream_image({"eventName": "REMOVE"}, "Keys") is None


def test_stream_names_failures_by_sequence_number_and_raises_when_all_failed() -> None:
    def handle(record: dict[str, Any]) -> None:
        if not stream_image(record, "NewImage"):
            raise ValueError("no image")

    event = {"Records": [_stream("10", "2026-000001"), _stream("11", None)]}
    assert process_stream(event, handle) == {"batchItemFailures": [{"itemIdentifier": "11"}]}
    with pytest.raises(BatchFailed) as failed:
        process_stream({"Records": [_stream("12", None)]}, handle)
    assert isinstance(failed.value.__cause__, ValueError)
    assert process_stream({"Records": []}, handle) == {"batchItemFailures": []}
