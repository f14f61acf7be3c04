"""The forum's search index, beside the help centre's and built by the same engine (same Spanish
analysers, synonyms and typo handling): each listed topic is indexed as a document of its own
index (title, first post, tags; the category as its section).

A topic item's stream record becomes a ``ForumTopicChanged`` event on the bus; the help indexer's
queue receives it with the article events, re-reads the topic and upserts or removes it, then
publishes the forum index (tantivy published to S3, ``help-index/forum-tantivy.tar.gz``). So a
hidden, held or merged topic leaves search within one stream delivery. The search route also
drops any hit the table no longer lists (one BatchGetItem of the page), which covers the minute an
API container may keep an older copy of the published index.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from ventanilla.domain_events import DomainEvent
from ventanilla.help.indexing import SOURCE
from ventanilla.settings import get_settings
from ventanilla.storage import forum as store

TOPIC_CHANGED = "ForumTopicChanged"
KEY = "help-index/forum-tantivy.tar.gz"
_engine: Any = None
_lock = threading.Lock()


def engine() -> Any:
    """The forum's engine: the published copy in S3 when the help index is published, else a
    tantivy index in memory (tests, a single process)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                bucket = get_settings().help_index_bucket
                if bucket:
                    import tempfile
                    from pathlib import Path

                    from ventanilla.help.search.published import PublishedIndex

                    _engine = PublishedIndex(
                        bucket, key=KEY, root=Path(tempfile.gettempdir()) / "forum-index"
                    )
                else:
                    from ventanilla.help.search.factory import make_engine

                    _engine = make_engine("tantivy", path=None)
    return _engine


def topic_event(
    event_name: str, keys: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> DomainEvent | None:
    """The event of a stream record of a topic item; None for any other item."""
    if not keys or keys.get("SK") != "TOPIC" or not str(keys.get("PK", "")).startswith("FTOPIC#"):
        return None
    return DomainEvent(source=SOURCE, detail_type=TOPIC_CHANGED, detail={"topic": str(keys["PK"])[7:]})


def topic_of(envelope: Mapping[str, Any]) -> str | None:
    """The topic a bus event names, or None when it is not a forum event."""
    detail = envelope.get("detail")
    if envelope.get("detail-type") != TOPIC_CHANGED or not isinstance(detail, Mapping):
        return None
    topic = detail.get("topic")
    if not isinstance(topic, str) or not topic:
        raise ValueError(f"{TOPIC_CHANGED} without topic")
    return topic


def listed(topic: Mapping[str, Any]) -> bool:
    return topic.get("status") == "published" and not topic.get("merged_into")


def _document(topic: Mapping[str, Any]) -> Any:
    from ventanilla.help.articles import Article, plain_text

    text = plain_text(topic["body"]) or topic["title"]
    return Article(
        slug=topic["id"],
        title=topic["title"][:200],
        summary=text[:280],
        body_md=topic["body"],
        lang="es",
        section_path=[topic["category"]],
        section_titles=[topic["category"]],
        stage="informacion",
        tags=list(topic.get("tags", []))[:20],
        status="published",
    )


def refresh(tids: Iterable[str]) -> tuple[int, int]:
    """Bring the forum index in step with the table for these topics and publish it."""
    wanted = list(dict.fromkeys(tids))
    topics = store.get_topics(wanted)
    target = engine()
    upserts = [_document(topics[t]) for t in wanted if t in topics and listed(topics[t])]
    if upserts:
        target.index(upserts)
    removed = [t for t in wanted if t not in topics or not listed(topics[t])]
    for tid in removed:
        target.remove(tid, "es")
    from ventanilla.help.search.published import publish

    publish(target)
    return len(upserts), len(removed)


def search(query: str, lang: str, limit: int = 5) -> dict[str, Any]:
    """Results grouped "Ayuda oficial" (the help centre) then "Comunidad" (listed topics only)."""
    from ventanilla.help.search.shared import shared_engine

    official = shared_engine().search(query, lang=lang, limit=limit)
    community = engine().search(query, lang="es", limit=limit)
    tids = [h.slug for h in community.hits]
    live = store.get_topics(tids)
    titles = {"es": ("Ayuda oficial", "Comunidad"), "en": ("Official help", "Community")}[
        lang if lang == "en" else "es"
    ]
    return {
        "query": query,
        "groups": [
            {
                "kind": "help",
                "title": titles[0],
                "items": [
                    {"id": h.slug, "title": h.title, "summary": h.summary, "snippet": h.snippet}
                    for h in (official.hits if official.confident else [])  # no fuzzy guesses
                ],
            },
            {
                "kind": "community",
                "title": titles[1],
                "items": [
                    {
                        "id": h.slug,
                        "title": live[h.slug]["title"],
                        "summary": h.summary,
                        "snippet": h.snippet,
                        "answered": bool(live[h.slug].get("accepted_reply_id")),
                    }
                    for h in community.hits
                    if h.slug in live and listed(live[h.slug])
                ],
            },
        ],
    }


def accepted_answers(query: str, lang: str, limit: int = 3) -> list[dict[str, str]]:
    """Listed topics matching ``query`` that have an accepted answer, with that answer's text: what
    the contact flow shows after the official articles. Reads at most ``2 * limit`` topics and
    ``limit`` replies (two BatchGet-sized reads), whatever the forum's size."""
    from ventanilla.help.articles import plain_text

    found = engine().search(query, lang="es", limit=limit * 2)
    live = store.get_topics([h.slug for h in found.hits])
    label = "Community" if lang == "en" else "Comunidad"
    answers: list[dict[str, str]] = []
    for hit in found.hits:
        topic = live.get(hit.slug)
        if topic is None or not listed(topic) or not topic.get("accepted_reply_id"):
            continue
        reply = store.get_post(hit.slug, str(topic["accepted_reply_id"]))
        if reply is None or reply.get("status") != "published":
            continue
        text = plain_text(str(reply.get("body", "")))
        answers.append(
            {
                "topic_id": hit.slug,
                "title": str(topic["title"]),
                "answer": text if len(text) <= 280 else text[:279].rsplit(" ", 1)[0] + "…",
                "label": label,
            }
        )
        if len(answers) == limit:
            break
    return answers
