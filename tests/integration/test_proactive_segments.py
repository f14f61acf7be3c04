"""Campaign segments (issue 16, item 4): subscribers with a citizen account whose segment data match
(comuna, age band...) and who filed a request of given types lately; the preview tells the size and
the send reaches exactly them. Resolved per audience page by key (account, "types filed" summary
kept by the stream), never a Scan."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.conftest import JSON, Aws, post, ticket_body
from tests.integration.test_accounts import bearer, new_email, sign_up


def _drain(aws: Aws) -> int:
    from infra.local.queues import QueuePoller

    fn = aws.stack.functions["ProactiveFunction"]
    return int(QueuePoller(fn, fn.events["FanOut"]).drain(timeout=120))


def _stream_ticket(number: str) -> None:
    """What the table's stream does with a new ticket item (the local tests call it directly)."""
    from ventanilla.services.dispatch import dispatch
    from ventanilla.storage.table import _plain, table

    keys = {"PK": f"TICKET#{number}", "SK": "TICKET"}
    item = _plain(dict(table().get_item(Key=keys)["Item"]))
    dispatch("INSERT", keys, None, item)
    dispatch("INSERT", keys, None, item)  # a replayed record changes nothing


@pytest.fixture(scope="module")
def people(aws: Aws, app: Any) -> dict[str, Any]:
    from chalice.test import Client

    with Client(app) as client:
        return _people(aws, client.http)


def _people(aws: Aws, api: Any) -> dict[str, Any]:
    admin = {**aws.auth("elena.admin"), **JSON}
    topic = f"vecinos-{uuid.uuid4().hex[:6]}"
    put = api.put(
        f"/api/v1/admin/subscription-topics/{topic}",
        body=json.dumps({"name": "Vecinos", "name_en": "Neighbours"}),
        headers=admin,
    )
    assert put.status_code == 200, put.body
    found: dict[str, Any] = {"topic": topic}
    for who, segment in {
        "joven-quilpue": {"comuna": "Quilpué", "age_band": "30-44"},
        "mayor-quilpue": {"comuna": "quilpue", "age_band": "60-74"},
        "limache": {"comuna": "Limache", "age_band": "30-44"},
    }.items():
        email = new_email()
        headers = bearer(sign_up(aws, email))
        me = api.get("/api/v1/me", headers=headers).json_body
        body = {"name": who, "language": "es", "notice_channels": ["email"], "segment": segment}
        saved = api.put(
            "/api/v1/me", headers={**JSON, **headers}, body=json.dumps({**body, "version": me["version"]})
        )
        assert saved.status_code == 200, saved.body
        sub = post(
            api,
            "/api/v1/subscriptions",
            {"consent": True, "email": email, "topics": [topic], "sectors": ["*"]},
            headers,
        )
        assert sub.status_code == 201 and sub.json_body["next_steps"] == [], sub.body  # the account's email
        found[who] = {"email": email, "headers": headers}
    # an anonymous subscriber, confirmed, with no account: in no segment
    anonymous = new_email()
    assert (
        post(
            api,
            "/api/v1/subscriptions",
            {"consent": True, "email": anonymous, "topics": [topic], "sectors": ["*"]},
        ).status_code
        == 201
    )
    from infra.local import outbox
    from ventanilla.storage import subscriptions as sub_store

    mail = outbox.entries(anonymous)[0]
    token = mail["text"].split("token=")[1].split()[0]
    assert post(api, "/api/v1/subscriptions/confirm", {"token": token}).status_code == 200
    assert sub_store.audience_count("*", topic) == 4
    found["anonymous"] = {"email": anonymous}
    # the young one of Quilpué filed a "reclamo"; the one of Limache too
    for who in ("joven-quilpue", "limache"):
        mine = {"email": found[who]["email"], "phone": None, "channels": ["email"]}
        filed = post(api, "/api/v1/tickets", ticket_body(requester=mine), found[who]["headers"])
        assert filed.status_code == 201, filed.body
        _stream_ticket(filed.json_body["number"])
    return found


def _campaign(topic: str, segment: dict[str, Any] | None, name: str = "Segmento") -> dict[str, Any]:
    return {
        "name": name,
        "subject": {"es": f"Aviso {name}"},
        "body": {"es": "Hola."},
        "topics": [topic],
        **({"segment": segment} if segment is not None else {}),
    }


def test_preview_counts_the_segment(api: Any, aws: Aws, people: dict[str, Any]) -> None:
    carla = {**aws.auth("carla.supervisora"), **JSON}
    topic = people["topic"]

    def size(segment: dict[str, Any] | None) -> Any:
        answer = api.post(
            "/api/v1/admin/campaigns/preview", body=json.dumps(_campaign(topic, segment)), headers=carla
        )
        assert answer.status_code == 200, answer.body
        assert answer.json_body["estimated"] is False
        return answer.json_body["audience"]

    assert size(None) == 4
    assert size({}) == 4  # an empty segment is no segment
    assert size({"comunas": ["QUILPUÉ"]}) == 2  # however it is written
    assert size({"comunas": ["Quilpué"], "age_bands": ["60-74"]}) == 1
    assert size({"filed_types": ["reclamo"]}) == 2
    assert size({"filed_types": ["consulta"]}) == 0
    assert size({"comunas": ["Quilpué"], "filed_types": ["reclamo"], "filed_within_months": 6}) == 1
    bad = api.post(
        "/api/v1/admin/campaigns/preview",
        body=json.dumps(_campaign(topic, {"age_bands": ["viejo"], "filed_within_months": 99})),
        headers=carla,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json_body["errors"]} == {
        "segment.age_bands.0",
        "segment.filed_within_months",
    }


def test_a_segmented_campaign_reaches_exactly_its_segment(api: Any, aws: Aws, people: dict[str, Any]) -> None:
    from infra.local import outbox

    carla = {**aws.auth("carla.supervisora"), **JSON}
    name = f"reclamantes-{uuid.uuid4().hex[:6]}"
    body = _campaign(people["topic"], {"comunas": ["Quilpué"], "filed_types": ["reclamo"]}, name)
    created = api.post("/api/v1/admin/campaigns", body=json.dumps(body), headers=carla)
    assert created.status_code == 201, created.body
    assert created.json_body["segment"]["filed_types"] == ["reclamo"]
    _drain(aws)
    reached = {
        who
        for who in ("joven-quilpue", "mayor-quilpue", "limache", "anonymous")
        if any(m["subject"] == f"Aviso {name}" for m in outbox.entries(people[who]["email"]))
    }
    assert reached == {"joven-quilpue"}
    figures = api.get(f"/api/v1/admin/campaigns/{created.json_body['id']}", headers=carla).json_body[
        "figures"
    ]
    assert figures["sent"] == 1


def test_a_withdrawn_campaigns_consent_stops_campaigns_not_alerts(
    api: Any, aws: Aws, people: dict[str, Any]
) -> None:
    """An account that withdrew its "campaigns" consent (Mis consentimientos) gets no campaign,
    segmented or not; giving it again brings them back. A subscription without an account is its
    own consent (its link unsubscribes)."""
    from infra.local import outbox

    carla = {**aws.auth("carla.supervisora"), **JSON}
    limache = people["limache"]

    def consent(given: bool) -> None:
        answer = post(
            api, "/api/v1/me/consents", {"purpose": "campaigns", "given": given}, limache["headers"]
        )
        assert answer.status_code == 201, answer.body

    def send(name: str) -> set[str]:
        created = api.post(
            "/api/v1/admin/campaigns", body=json.dumps(_campaign(people["topic"], None, name)), headers=carla
        )
        assert created.status_code == 201, created.body
        _drain(aws)
        return {
            who
            for who in ("joven-quilpue", "mayor-quilpue", "limache", "anonymous")
            if any(m["subject"] == f"Aviso {name}" for m in outbox.entries(people[who]["email"]))
        }

    consent(False)
    assert send(f"sin-limache-{uuid.uuid4().hex[:6]}") == {"joven-quilpue", "mayor-quilpue", "anonymous"}
    consent(False)  # withdrawn twice: still one flag, no conflict
    consent(True)
    assert send(f"con-limache-{uuid.uuid4().hex[:6]}") == {
        "joven-quilpue",
        "mayor-quilpue",
        "limache",
        "anonymous",
    }
