"""The forum's search index, beside the help centre's and built by the same engine (same Spanish
analysers, synonyms and typo handling): each listed topic is indexed as a document of its own
index (title, first post, tags; the category as its section), and each published reply as another
(``<topic>-<reply>``: the topic's title, the reply's text), so a question answered in a reply is
found by the answer's words. A hit on a reply stands for its topic: results name each topic once.

A topic or reply item's stream record becomes a ``ForumTopicChanged`` event on the bus (a reply's
names it in ``reply``); the help indexer's queue receives it with the article events, re-reads the
post and upserts or removes its document, then publishes the forum index (tantivy published to S3,
``help-index/forum-tantivy.tar.gz``). So a hidden, held or merged topic, or a hidden reply, leaves
search within one stream delivery. The search route also drops any hit the table no longer lists
(one BatchGetItem of the page's topics and replies), which covers the minute an API container may
keep an older copy of the published index, and the replies of a topic hidden as a whole.
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
HITS_PER_TOPIC = 4
"""Hits asked of the engine per topic wanted: a topic's replies may fill several, results name it once."""
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


SEARCHED = ("status", "body")
"""What a reply's document depends on: a vote or a report changes the item, not the index."""


def topic_event(
    event_name: str,
    keys: Mapping[str, Any] | None,
    new_image: Mapping[str, Any] | None,
    old_image: Mapping[str, Any] | None = None,
) -> DomainEvent | None:
    """The event of a stream record of a topic or reply item; None for any other item, and for a
    reply whose text and visibility did not change (given both images)."""
    if not keys or not str(keys.get("PK", "")).startswith("FTOPIC#"):
        return None
    sk = str(keys.get("SK", ""))
    detail = {"topic": str(keys["PK"])[7:]}
    if sk.startswith("R#"):
        if old_image and new_image and all(old_image.get(k) == new_image.get(k) for k in SEARCHED):
            return None
        detail["reply"] = sk[2:]
    elif sk != "TOPIC":
        return None  # revisions
    return DomainEvent(source=SOURCE, detail_type=TOPIC_CHANGED, detail=detail)


def topic_of(envelope: Mapping[str, Any]) -> str | None:
    """The post a bus event names (``<topic>`` or ``<topic>-<reply>``, its document's id), or
    None when it is not a forum event."""
    detail = envelope.get("detail")
    if envelope.get("detail-type") != TOPIC_CHANGED or not isinstance(detail, Mapping):
        return None
    topic = detail.get("topic")
    if not isinstance(topic, str) or not topic:
        raise ValueError(f"{TOPIC_CHANGED} without topic")
    reply = detail.get("reply")
    if reply is not None and (not isinstance(reply, str) or not reply):
        raise ValueError(f"{TOPIC_CHANGED} with an empty reply")
    return f"{topic}-{reply}" if reply else topic


def _split(doc_id: str) -> tuple[str, str]:
    """(topic, post id) of a document id: ``topic`` for the topic's own document."""
    tid, _, rid = doc_id.partition("-")
    return tid, rid or "topic"


def listed(topic: Mapping[str, Any]) -> bool:
    return topic.get("status") == "published" and not topic.get("merged_into")


def _document(topic: Mapping[str, Any], reply: Mapping[str, Any] | None = None) -> Any:
    from ventanilla.help.articles import Article, plain_text

    post = reply or topic
    text = plain_text(post["body"]) or topic["title"]
    return Article(
        slug=topic["id"] if reply is None else f"{topic['id']}-{reply['id']}",
        title=topic["title"][:200],
        summary=text[:280],
        body_md=post["body"],
        lang="es",
        section_path=[topic["category"]],
        section_titles=[topic["category"]],
        stage="informacion",
        tags=list(topic.get("tags", []))[:20],
        status="published",
    )


def refresh(doc_ids: Iterable[str]) -> tuple[int, int]:
    """Bring the forum index in step with the table for these topics and replies (document ids,
    :func:`topic_of`) and publish it: one BatchGetItem of the posts and their topics."""
    wanted = list(dict.fromkeys(doc_ids))
    pairs = [_split(d) for d in wanted]
    posts = store.get_posts(pairs + [(tid, "topic") for tid, _ in pairs])
    target = engine()
    upserts = []
    removed = []
    for doc_id, (tid, post_id) in zip(wanted, pairs, strict=True):
        topic = posts.get((tid, "topic"))
        post = posts.get((tid, post_id))
        if topic is None or post is None or not listed(topic) or post.get("status") != "published":
            removed.append(doc_id)
        else:
            upserts.append(_document(topic, None if post_id == "topic" else post))
    if upserts:
        target.index(upserts)
    for doc_id in removed:
        target.remove(doc_id, "es")
    from ventanilla.help.search.published import publish

    publish(target)
    return len(upserts), len(removed)


def _live_hits(hits: list[Any], limit: int) -> list[tuple[Any, dict[str, Any], dict[str, Any] | None]]:
    """(hit, topic, reply or None) for the first ``limit`` topics the hits name that are still
    listed (a reply: still published), each topic once: one BatchGetItem."""
    pairs = [_split(h.slug) for h in hits]
    posts = store.get_posts(pairs + [(tid, "topic") for tid, _ in pairs])
    out: list[tuple[Any, dict[str, Any], dict[str, Any] | None]] = []
    seen: set[str] = set()
    for hit, (tid, post_id) in zip(hits, pairs, strict=True):
        topic = posts.get((tid, "topic"))
        if tid in seen or topic is None or not listed(topic):
            continue
        reply = None
        if post_id != "topic":
            reply = posts.get((tid, post_id))
            if reply is None or reply.get("status") != "published":
                continue
        seen.add(tid)
        out.append((hit, topic, reply))
        if len(out) == limit:
            break
    return out


def search(query: str, lang: str, limit: int = 5) -> dict[str, Any]:
    """Results grouped "Ayuda oficial" (the help centre) then "Comunidad" (listed topics only)."""
    from ventanilla.help.search.shared import shared_engine

    official = shared_engine().search(query, lang=lang, limit=limit)
    community = engine().search(query, lang="es", limit=limit * HITS_PER_TOPIC)
    live = _live_hits(list(community.hits), limit)
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
                        "id": topic["id"],
                        "title": topic["title"],
                        "summary": h.summary,
                        "snippet": h.snippet,
                        "answered": bool(topic.get("accepted_reply_id")),
                        "reply_id": reply["id"] if reply else None,
                    }
                    for h, topic, reply in live
                ],
            },
        ],
    }


def accepted_answers(query: str, lang: str, limit: int = 3) -> list[dict[str, str]]:
    """Listed topics matching ``query`` that have an accepted answer, with that answer's text: what
    the contact flow shows after the official articles. Reads at most ``2 * limit`` topics and
    ``limit`` replies (a BatchGet of the hits, then one GetItem per answer), whatever the forum's size."""
    from ventanilla.help.articles import plain_text

    found = engine().search(query, lang="es", limit=limit * HITS_PER_TOPIC)
    label = "Community" if lang == "en" else "Comunidad"
    answers: list[dict[str, str]] = []
    for _hit, topic, _ in _live_hits(list(found.hits), limit * 2):
        if not topic.get("accepted_reply_id"):
            continue
        reply = store.get_post(topic["id"], str(topic["accepted_reply_id"]))
        if reply is None or reply.get("status") != "published":
            continue
        text = plain_text(str(reply.get("body", "")))
        answers.append(
            {
                "topic_id": topic["id"],
                "title": str(topic["title"]),
                "answer": text if len(text) <= 280 else text[:279].rsplit(" ", 1)[0] + "…",
                "label": label,
            }
        )
        if len(answers) == limit:
            break
    return answers
