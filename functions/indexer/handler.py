"""Table stream -> help search index: published articles indexed, archived or deleted ones removed.

Each record is parsed on its own, so a bad one is reported alone (partial batch failure); the
valid changes then reach the engine in one call (one tantivy commit, one OpenSearch bulk request).
If that call fails every article record of the batch is reported, and the retry applies them
again: the last change of each article wins, so replaying is harmless.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla.help.indexing import Change, apply, change_of
from ventanilla.help.search.shared import shared_engine
from ventanilla.settings import get_settings

get_settings()  # validate the environment at cold start
logger = Logger(service="indexer")
metrics = Metrics(service="indexer")  # namespace: POWERTOOLS_METRICS_NAMESPACE
tracer = Tracer(service="indexer")
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    pending: list[tuple[str, Change]] = []

    def record_handler(record: DynamoDBRecord) -> None:
        data = record.dynamodb
        event_name = str(record.event_name.name if record.event_name else "")
        change = change_of(event_name, data.keys if data else None, data.new_image if data else None)
        if change is not None:
            pending.append((str(data.sequence_number if data else ""), change))

    with processor(records=event.get("Records", []), handler=record_handler, lambda_context=context):
        processor.process()
    response: dict[str, Any] = processor.response()
    if not pending:
        return response
    try:
        apply(shared_engine(), [c for _, c in pending])
    except Exception:
        logger.exception("search engine rejected a batch", extra={"articles": len(pending)})
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        response["batchItemFailures"] += [{"itemIdentifier": s} for s, _ in pending if s not in failed]
        return response
    indexed = sum(1 for _, c in pending if c.outcome == "indexed")
    metrics.add_metric(name="HelpArticlesIndexed", unit=MetricUnit.Count, value=indexed)
    metrics.add_metric(name="HelpArticlesRemoved", unit=MetricUnit.Count, value=len(pending) - indexed)
    return response
