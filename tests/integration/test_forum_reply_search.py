"""Replies in the forum's search (issue 15 item 4): a question answered in a reply is found by the
answer's words, the topic named once; a hidden reply leaves the index with one stream delivery
(the reply item's stream record -> the dispatcher's bus event -> one indexer delivery)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.conftest import Aws, post
from tests.integration.test_forum import demo_forum, mod, new_citizen, put, topic_body

__all__ = ["demo_forum"]


def _deliver(aws: Aws, tid: str, post_id: str, event_name: str = "MODIFY") -> None:
    """The post's stream record -> the bus event -> one indexer delivery, as Lambda makes them."""
    from infra.local.functions import LambdaContext
    from ventanilla.integrations import eventbus
    from ventanilla.services import dispatch
    from ventanilla.storage import forum as store

    image = store.get_post(tid, post_id, consistent=True)
    sk = "TOPIC" if post_id == "topic" else f"R#{post_id}"
    events: list[Any] = []
    original = eventbus.publish
    eventbus.publish = lambda batch: events.extend(batch)  # type: ignore[assignment]
    try:
        dispatch.dispatch(event_name, {"PK": f"FTOPIC#{tid}", "SK": sk}, None, image)
    finally:
        eventbus.publish = original  # type: ignore[assignment]
    assert [e.detail_type for e in events] == ["ForumTopicChanged"]
    assert events[0].detail == ({"topic": tid} if post_id == "topic" else {"topic": tid, "reply": post_id})
    record = {
        "messageId": str(uuid.uuid4()),
        "body": json.dumps(
            {"source": events[0].source, "detail-type": events[0].detail_type, "detail": events[0].detail}
        ),
        "receiptHandle": "x",
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
        "awsRegion": "us-east-1",
    }
    answer = aws.stack.functions["IndexerFunction"].load()(
        {"Records": [record]}, LambdaContext("IndexerFunction")
    )
    assert answer == {"batchItemFailures": []}


def _community(api: Any, text: str) -> list[dict[str, Any]]:
    found = api.get(f"/api/v1/forum/search?q={text}")
    assert found.status_code == 200, found.body
    return list(found.json_body["groups"][1]["items"])


def _in_index(word: str) -> set[str]:
    from ventanilla.services import forum_search

    return {h.slug for h in forum_search.engine().search(word, lang="es", limit=20).hits}


def test_a_question_answered_in_a_reply_is_found_and_a_hidden_reply_leaves(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    author, helper = new_citizen(api, aws), new_citizen(api, aws)
    word = f"formulario{uuid.uuid4().hex[:5]}"
    tid = post(
        api,
        "/api/v1/forum/topics",
        topic_body(title="¿Cómo renuevo mi permiso de circulación?", body="No sé qué papel llevar."),
        author["headers"],
    ).json_body["topic_id"]
    rid = post(
        api,
        f"/api/v1/forum/topics/{tid}/replies",
        {"body": f"Pide el {word} en el mesón de tránsito."},
        helper["headers"],
    ).json_body["post_id"]
    other = post(
        api,
        f"/api/v1/forum/topics/{tid}/replies",
        {"body": f"Yo también llevé el {word} firmado."},
        author["headers"],
    ).json_body["post_id"]
    _deliver(aws, tid, "topic", "INSERT")
    assert _community(api, word) == []  # only the topic's own words are indexed so far
    _deliver(aws, tid, rid, "INSERT")
    _deliver(aws, tid, other, "INSERT")
    assert _in_index(word) == {f"{tid}-{rid}", f"{tid}-{other}"}
    [item] = _community(api, word)  # two replies match: the topic once
    assert item["id"] == tid and item["title"] == "¿Cómo renuevo mi permiso de circulación?"
    assert item["reply_id"] in (rid, other) and word in item["snippet"] + item["summary"]
    # the accepted answer in a reply reaches the contact flow's suggestions by the reply's words
    assert (
        put(api, f"/api/v1/forum/topics/{tid}/accepted", {"post_id": rid}, author["headers"]).status_code
        == 200
    )
    ask = f"/api/v1/help/suggest?type=cuenta&subtype=acceso-portal&text={word}"
    assert [c["topic_id"] for c in api.get(ask).json_body["community"]] == [tid]

    # hidden: the search route drops it at once (the table says hidden), the index with one delivery
    assert (
        mod(api, aws, f"topics/{tid}/posts/{rid}/hide", {"reason": "Datos de otra persona"}).status_code
        == 200
    )
    assert [i["reply_id"] for i in _community(api, word)] == [other]
    _deliver(aws, tid, rid)
    assert _in_index(word) == {f"{tid}-{other}"}
    assert mod(api, aws, f"topics/{tid}/posts/{other}/hide", {"reason": "Prueba"}).status_code == 200
    _deliver(aws, tid, other)
    assert _in_index(word) == set() and _community(api, word) == []
    # restored: back with one delivery
    assert mod(api, aws, f"topics/{tid}/posts/{other}/restore", {"reason": "Revisado"}).status_code == 200
    _deliver(aws, tid, other)
    assert [i["reply_id"] for i in _community(api, word)] == [other]
    # a topic hidden as a whole takes its replies out of the results with it
    assert mod(api, aws, f"topics/{tid}/posts/topic/hide", {"reason": "Prueba"}).status_code == 200
    assert _community(api, word) == []


def test_a_held_reply_is_not_indexed_until_approved(api: Any, aws: Aws, demo_forum: Any) -> None:
    author = new_citizen(api, aws)
    newcomer = new_citizen(api, aws, veteran=False)
    word = f"timbre{uuid.uuid4().hex[:5]}"
    tid = post(
        api, "/api/v1/forum/topics", topic_body(title="Consulta por certificado"), author["headers"]
    ).json_body["topic_id"]
    written = post(
        api,
        f"/api/v1/forum/topics/{tid}/replies",
        {"body": f"Necesitas el {word} del registro."},
        newcomer["headers"],
    ).json_body
    assert written["status"] == "held"
    rid = written["post_id"]
    _deliver(aws, tid, rid, "INSERT")
    assert _in_index(word) == set()
    assert mod(api, aws, f"topics/{tid}/posts/{rid}/approve", {"reason": "Correcto"}).status_code == 200
    _deliver(aws, tid, rid)
    assert _in_index(word) == {f"{tid}-{rid}"} and [i["id"] for i in _community(api, word)] == [tid]


def test_the_indexer_refuses_a_forum_event_without_its_topic(aws: Aws) -> None:
    from ventanilla.services import forum_search

    assert forum_search.topic_of({"detail-type": "HelpArticleChanged", "detail": {}}) is None
    assert (
        forum_search.topic_of({"detail-type": "ForumTopicChanged", "detail": {"topic": "t1", "reply": "r2"}})
        == "t1-r2"
    )
    for detail in ({}, {"topic": ""}, {"topic": "t1", "reply": ""}):
        try:
            forum_search.topic_of({"detail-type": "ForumTopicChanged", "detail": detail})
        except ValueError:
            continue
        raise AssertionError(detail)
    assert forum_search.topic_event("MODIFY", {"PK": "FTOPIC#t1", "SK": "V#topic#2026"}, {}) is None


def test_a_vote_on_a_reply_does_not_reindex_it_but_an_edit_or_hide_does() -> None:
    from ventanilla.services import forum_search

    keys = {"PK": "FTOPIC#t1", "SK": "R#r1"}
    old = {"status": "published", "body": "Pida el formulario", "score": 0, "open_reports": 0}
    assert forum_search.topic_event("MODIFY", keys, {**old, "score": 1}, old) is None
    assert forum_search.topic_event("MODIFY", keys, {**old, "open_reports": 2}, old) is None
    for change in ({"status": "hidden"}, {"body": "Pida el formulario F-22"}):
        event = forum_search.topic_event("MODIFY", keys, {**old, **change}, old)
        assert event is not None and event.detail == {"topic": "t1", "reply": "r1"}
    assert forum_search.topic_event("INSERT", keys, old, None) is not None
    assert forum_search.topic_event("REMOVE", keys, None, old) is not None
