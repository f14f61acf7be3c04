"""The forum's category page and topic page against the local stack: items DynamoDB reads and AWS
calls per page, with 100 and with 10,000 topics stored in the category (and 40 replies on the topic
read). Topics are written straight to the table in batches, as the storage module writes them
(the same keys, GSI1 included), to reach 10,000 in reasonable time."""

from __future__ import annotations

import statistics
import time
import warnings
from collections import Counter
from typing import Any

from tests.bench.sizes import size

warnings.filterwarnings("ignore")
READ = Counter[str]()


def _hook(parsed: Any, model: Any, **_: Any) -> None:
    READ["calls"] += 1
    if model.name == "GetItem" and "Item" in parsed:
        READ["items"] += 1
    elif model.name == "Query":
        READ["items"] += int(parsed.get("ScannedCount", 0))
    elif model.name == "BatchGetItem":
        READ["items"] += sum(len(v) for v in parsed.get("Responses", {}).values())


def _topic(n: int, at: str) -> dict[str, Any]:
    from ventanilla.storage import forum as store

    tid = f"t{at[:4]}0101000000000{n:06x}"
    topic = {
        "id": tid, "category": "bench", "title": f"Tema {n}", "body": "x", "body_html": "<p>x</p>",
        "tags": [], "author": {"id": "acct-bench", "name": "Banco", "kind": "citizen", "staff_badge": False},
        "status": "published", "pinned": False, "locked": False, "replies": 0, "score": 0,
        "created_at": at, "last_activity_at": at, "version": 1, "edits": 0, "open_reports": 0,
    }  # fmt: skip
    return {
        "PK": store.topic_pk(tid),
        "SK": "TOPIC",
        "entity": "forum_topic",
        **topic,
        **store.listing_keys(topic),
    }


def main() -> None:
    from infra.local.stack import LocalStack

    stack = LocalStack(port=0)
    stack.start_aws()
    from ventanilla.models.common import iso, utcnow
    from ventanilla.models.forum import ForumCategoryIn
    from ventanilla.services import forum
    from ventanilla.storage import forum as store
    from ventanilla.storage.table import table

    forum.put_category(ForumCategoryIn(code="bench", name_es="Banco", name_en="Bench"), "es")
    at = iso(utcnow())
    first = _topic(0, at)
    tid = first["id"]
    with table().batch_writer() as batch:
        for r in range(40):
            rid = f"r{at[:4]}0101000000{r:03d}{r:06x}"
            batch.put_item(Item={"PK": store.topic_pk(tid), "SK": f"R#{rid}", "entity": "forum_reply", "id": rid,
                                 "post_id": rid, "topic_id": tid, "body": "y", "body_html": "<p>y</p>",
                                 "author": first["author"], "status": "published", "created_at": at, "score": 0,
                                 "version": 1, "edits": 0, "open_reports": 0})  # fmt: skip
    table().meta.client.meta.events.register("after-call.dynamodb", _hook)
    print(f"{'topics':>8} {'page':>9} {'p50 ms':>8} {'items read':>11} {'AWS calls':>10}")
    stored = 0
    reads: dict[str, set[int]] = {"category": set(), "topic": set()}
    for target in size((100, 10_000), (25, 50)):
        with table().batch_writer() as batch:
            for n in range(stored, target):
                batch.put_item(Item=_topic(n, at))
        stored = target
        for page, call in (
            ("category", lambda: forum.list_topics("bench", None, None, 20)),
            ("topic", lambda: forum.get_topic(tid, None, None, 20)),
        ):
            samples = []
            for _ in range(size(20, 3)):
                READ.clear()
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            reads[page].add(READ["items"])
            print(
                f"{target:>8,} {page:>9} {statistics.median(samples):>8.1f} {READ['items']:>11} {READ['calls']:>10}"
            )
    assert all(len(v) == 1 for v in reads.values()), f"a page read more items with more topics: {reads}"
    assert stack.moto is not None
    stack.moto.stop()
