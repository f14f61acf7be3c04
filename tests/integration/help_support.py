"""Fixtures of the help centre tests: the demo articles seeded as ``make dev`` seeds them, and the
index fed as in AWS: the table's real stream -> the stream dispatcher -> the bus -> the indexer's
queue (moto delivers the rule) -> the indexer function (the local runner's queue poller)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import Aws

Sync = Callable[[], None]
JSON = {"Content-Type": "application/json"}
DEMO_SLUG = "patente-comercial-requisitos"


class ArticleRecordsOnly:
    """The stream dispatcher given only the records of article items, as a stream filter would:
    the tickets other tests write are theirs to follow (their timers, their notices)."""

    def __init__(self, function: Any, sort_key: str = "ARTICLE") -> None:
        self.function, self.logical, self.sort_key = function, function.logical, sort_key

    def invoke(self, event: dict[str, Any]) -> Any:
        records = [r for r in event["Records"] if r["dynamodb"]["Keys"]["SK"]["S"] == self.sort_key]
        return self.function.invoke({"Records": records}) if records else {"batchItemFailures": []}


_feed: tuple[Any, Any] | None = None
_feed_lock = threading.Lock()


def _article_feed(aws: Aws) -> tuple[Any, Any]:
    """The stream dispatcher and the indexer's queue poller, one pair per test process. Every
    module that imports :func:`sync` gets a session fixture of its own from pytest: with one pair
    each, two pollers shared the indexer's queue, and one's wait could find the queue empty while
    the other still indexed the message it had taken (a search right after ``sync()`` was stale)."""
    global _feed
    from infra.local.queues import QueuePoller
    from infra.local.streams import StreamPoller

    with _feed_lock:
        if _feed is None:
            stream = aws.stack.functions["StreamFunction"]
            # From now on: what other tests wrote before this process's first help test is not articles.
            dispatcher = StreamPoller(
                ArticleRecordsOnly(stream),
                stream.events["TableStream"],
                interval=0.05,
                starting_position="LATEST",
            ).prime()
            indexer = aws.stack.functions["IndexerFunction"]
            queue = QueuePoller(indexer, indexer.events["ArticleEvents"], interval=0.05)
            dispatcher.start()
            queue.start()
            _feed = (dispatcher, queue)
        return _feed


@pytest.fixture(scope="session")
def sync(aws: Aws) -> Iterator[Sync]:
    """Blocks until the index has followed every article written so far."""
    dispatcher, queue = _article_feed(aws)

    def wait() -> None:
        assert dispatcher.wait_idle(60), "the stream dispatcher did not catch up"
        assert queue.wait_idle(60), "the indexer did not catch up"

    yield wait


@pytest.fixture(scope="session")
def demo_help(aws: Aws, sync: Sync) -> int:
    """The demo articles in the table and the index (once per test process)."""
    from infra.local import demo
    from ventanilla.storage import help_articles

    if help_articles.get(DEMO_SLUG, "es") is None:
        demo.seed_help()
    sync()
    from infra.local.template import ROOT
    from ventanilla.help.articles import load_jsonl

    return sum(1 for a in load_jsonl(ROOT / "infra" / "seed" / "help_articles.jsonl") if a.lang == "es")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def unique_word(prefix: str) -> str:
    """A word no article has, of letters only: a run of digits in a search is redacted before it is
    logged (``[numero]``), so a hex suffix that happened to be all digits changed the logged query."""
    return prefix + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:8])


def article_body(slug: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": slug,
        "lang": "es",
        "title": "Cómo inscribir una mascota en el registro comunal",
        "summary": "Pasos para inscribir a su perro o gato y obtener la placa de identificación.",
        "body_md": "## Pasos\n\n1. Lleve a su mascota al operativo de **microchip**.\n2. Pida la placa.",
        "section_path": ["mascotas", "registro-de-mascotas"],
        "section_titles": ["Mascotas", "Registro de mascotas"],
        "stage": "registro",
        "tags": ["mascota", "perro"],
        "request_types": ["consulta/tramite"],
    }
    body.update(overrides)
    return body


def send(api: Any, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(api, method)(path, body=raw, headers={**JSON, **headers})


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.body)
    assert response.headers["Content-Type"] == "application/problem+json"
    return dict(json.loads(response.body))


def search_slugs(api: Any, q: str, **params: str) -> list[str]:
    from urllib.parse import urlencode

    response = api.get("/api/v1/help/search?" + urlencode({"q": q, "limit": "20", **params}))
    assert response.status_code == 200, response.body
    return [h["slug"] for h in response.json_body["hits"]]


class SearchRanking:
    """The statistics function following the search log from the table's stream (``SEARCH`` items
    only, as its stream filter would take them) from the moment it is made, until stopped."""

    def __init__(self, aws: Aws) -> None:
        from infra.local.streams import StreamPoller

        stats = aws.stack.functions["StatsFunction"]
        self.poller = StreamPoller(
            ArticleRecordsOnly(stats, "SEARCH"),
            stats.events["StatsStream"],
            interval=0.05,
            starting_position="LATEST",
        ).prime()

    def catch_up(self) -> None:
        self.poller.start()
        assert self.poller.wait_idle(60), "the statistics function did not catch up"
        self.poller.stop()
