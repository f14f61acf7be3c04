"""Help article events (the indexer's SQS queue, fed by a bus rule) -> the help search index.

Each message names an article (slug, language); the batch's articles are re-read from the table
in one consistent read and reach the engine in one call (one tantivy commit, one OpenSearch bulk
request; the OpenSearch index is created on the first write if missing; a published tantivy index
is uploaded to S3 after the commit, conditioned on the version it started from). Whatever the order or the
number of deliveries, the last state in the table wins, so replays are harmless. A message that
names no article is reported alone (partial batch failure, then the dead-letter queue); if the
table or the engine fails, every message of the batch comes back.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ventanilla import observability as obs
from ventanilla.batch import BatchResponse, SqsRecord, process_sqs
from ventanilla.function_tools import function_tools
from ventanilla.help.indexing import ArticleRef, ref_of, refresh
from ventanilla.help.search.published import publish
from ventanilla.help.search.shared import shared_engine
from ventanilla.services import forum_search

logger, metrics, tracer = function_tools("indexer")


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> BatchResponse:
    pending: list[tuple[str, ArticleRef]] = []
    topics: list[tuple[str, str]] = []

    def record_handler(record: SqsRecord) -> None:
        envelope = json.loads(record["body"])
        topic = forum_search.topic_of(envelope)  # the forum's index shares this queue
        if topic is not None:
            topics.append((record["messageId"], topic))
        else:
            pending.append((record["messageId"], ref_of(envelope)))

    response = process_sqs(event, record_handler)
    if topics:
        try:
            forum_search.refresh([t for _, t in topics])
        except Exception:
            logger.exception("forum topics not brought to the index", extra={"topics": len(topics)})
            response["batchItemFailures"] += [{"itemIdentifier": m} for m, _ in topics]
    if not pending:
        return response
    try:
        engine = shared_engine()
        done = refresh(engine, [ref for _, ref in pending])
        publish(engine)  # tantivy in AWS: the API containers pick the new version up within a minute
    except Exception:
        logger.exception("articles not brought to the index", extra={"articles": len(pending)})
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        response["batchItemFailures"] += [{"itemIdentifier": m} for m, _ in pending if m not in failed]
        return response
    metrics.add_metric(name=obs.HELP_ARTICLES_INDEXED, unit=MetricUnit.Count, value=done.indexed)
    metrics.add_metric(name=obs.HELP_ARTICLES_REMOVED, unit=MetricUnit.Count, value=done.removed)
    return response
