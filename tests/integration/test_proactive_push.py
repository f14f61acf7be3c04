"""Alerts by Web Push (issue 21 item 3): a browser joins a subscription through its management link,
a citizen account's own browsers get its subscription's alerts, the fan-out encrypts with pywebpush
to the push service on this machine (tests/push_service.py decrypts as a browser would), a rerun
pushes nothing twice, 410 takes the browser off, bad input is a 4xx that writes nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Aws, post
from tests.integration import test_proactive
from tests.integration.test_accounts import bearer, sign_up
from tests.integration.test_proactive import confirm_by_email, drain, sent, subscribe
from tests.push_service import PushService

proactive_world = test_proactive.world  # the module's sectors and topics (a fixture)


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


def manage(sub_id: str) -> str:
    from ventanilla.services.subscriptions import manage_token

    return manage_token(sub_id)


def add_push(api: Any, sub_id: str, subscription: dict[str, Any], token: str | None = None) -> Any:
    t = manage(sub_id) if token is None else token
    return post(api, f"/api/v1/subscriptions/{sub_id}/devices?t={t}", {"subscription": subscription})


def record(sub_id: str) -> Any:
    from ventanilla.storage import subscriptions

    return subscriptions.get(sub_id)


def audience_pushes(sector: str, topic: str, sub_id: str) -> list[dict[str, Any]]:
    from ventanilla.storage import subscriptions

    items, _ = subscriptions.audience_page(sector, topic, 100, None)
    return [dict(w) for i in items if i["sub_id"] == sub_id for w in i.get("webpush", [])]


def alert_body(world: dict[str, str], title: str) -> dict[str, Any]:
    return {
        "title": {"es": title, "en": "Planned water cut"},
        "text": {"es": "Sin agua hasta las 18:00 por reparación de matriz.", "en": "No water until 18:00."},
        "sectors": [world["north"]],
        "topics": ["cortes-agua"],
        "service": "reclamo",
        "severity": "warning",
    }


def test_an_alert_reaches_each_browser_once_and_a_gone_one_leaves(
    api: Any, aws: Aws, proactive_world: dict[str, str], push_service: PushService
) -> None:
    world = proactive_world
    run = uuid.uuid4().hex[:6]
    north = world["north"]
    follows = {"topics": ["cortes-agua"], "sectors": [north]}
    # A: confirmed by email, then a browser; B: never confirmed the email, pressed the push button.
    a_mail, b_mail = f"push-a-{run}@example.cl", f"push-b-{run}@example.cl"
    made = subscribe(api, email=a_mail, **follows)
    a = made["id"]
    assert made["manage_path"] is None  # whoever typed the address gets no management link
    # The confirmation proved the address: its answer leads to the management page (push button).
    assert confirm_by_email(api, a_mail)["manage_path"] == f"#/suscripcion/{a}?t={manage(a)}"
    b = subscribe(api, email=b_mail, **follows)["id"]
    a_phone, b_phone = push_service.subscribe(), push_service.subscribe()
    added = add_push(api, a, a_phone.to_json())
    assert added.status_code == 200, added.body
    assert added.json_body["push_devices"] == 1 and "endpoint" not in json.dumps(added.json_body)
    # The page reloads and subscribes again: one browser, one consent entry.
    assert add_push(api, a, a_phone.to_json()).json_body["push_devices"] == 1
    assert add_push(api, b, b_phone.to_json()).status_code == 200
    from ventanilla.storage import subscriptions as sub_store

    pushes = [e for e in sub_store.ledger(a) if e.get("channel") == "webpush"]
    assert [(e["action"], e["by"]) for e in pushes] == [("confirmed", "browser_permission")]
    assert [w["endpoint"] for w in audience_pushes(north, "cortes-agua", a)] == [a_phone.endpoint]
    assert [w["endpoint"] for w in audience_pushes(north, "cortes-agua", b)] == [b_phone.endpoint]

    # C: a citizen account that subscribed (its verified email: confirmed at once) and whose own
    # browser was registered for its requests (POST /devices with the account's token).
    c_mail = f"push-c-{run}@example.cl"
    c_headers = bearer(sign_up(aws, c_mail))
    assert api.get("/api/v1/me", headers=c_headers).status_code == 200
    c_sub = post(api, "/api/v1/subscriptions", {"consent": True, "email": c_mail, **follows}, c_headers)
    assert c_sub.status_code == 201 and c_sub.json_body["email_state"] == "confirmed", c_sub.body
    c_phone = push_service.subscribe()
    device = post(
        api, "/api/v1/devices", {"platform": "webpush", "subscription": c_phone.to_json()}, c_headers
    )
    assert device.status_code == 201 and device.json_body["owner"] == "citizen", device.body

    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    published = api.post(
        "/api/v1/admin/alerts", body=json.dumps(alert_body(world, f"Corte {run}")), headers=carla
    )
    assert published.status_code == 201, published.body
    alert = published.json_body
    drain(aws)
    for phone in (a_phone, b_phone, c_phone):
        [payload] = push_service.wait_for(phone)
        assert payload == {
            "v": 1,
            "kind": "service_alert",
            "title": f"Corte {run}",
            "body": "Sin agua hasta las 18:00 por reparación de matriz.",
            "url": payload["url"],
            "lang": "es",
        }
        assert payload["url"].endswith("/#/")  # the portal's home, where the banner is
    assert not push_service.refused
    assert not any("@" in json.dumps(p) for p in (a_phone.received, c_phone.received))
    # Email still goes to the confirmed; the unconfirmed one got only the push.
    assert any(f"Corte {run}" in m["subject"] for m in sent(a_mail, "email"))
    assert not any(f"Corte {run}" in m["subject"] for m in sent(b_mail, "email"))
    # The outbox shows the push as the phone does.
    assert any(e["title"] == f"Corte {run}" for e in sent(a_phone.endpoint[:40], "webpush"))

    # A retried fan-out pushes nothing twice.
    from ventanilla.services import service_alerts

    service_alerts.start_fanout(service_alerts.get(alert["id"]), 0)
    drain(aws)
    assert [len(p.received) for p in (a_phone, b_phone, c_phone)] == [1, 1, 1]
    figures = api.get(f"/api/v1/admin/alerts/{alert['id']}", headers=carla).json_body["figures"]
    # Email figures count every address the alert reached: A, C and any city-wide subscriber to
    # the topic that another test left (the outbox is the independent count).
    emailed = {m["to"] for m in sent("", "email") if f"Corte {run}" in m["subject"]}
    assert {a_mail, c_mail} <= emailed and b_mail not in emailed
    assert figures["by_channel"]["webpush"] == 3 and figures["by_channel"]["email"] == len(emailed)

    # A's browser revoked the permission: 410 takes it off the subscription and the audience; the
    # email still goes; the ledger says why.
    a_phone.gone = True
    update = api.post(
        f"/api/v1/admin/alerts/{alert['id']}/updates",
        body=json.dumps({"kind": "update", "text": {"es": "Se extiende hasta las 20:00."}}),
        headers=carla,
    )
    assert update.status_code == 201, update.body
    drain(aws)
    assert record(a).webpush == [] and audience_pushes(north, "cortes-agua", a) == []
    assert ("push_removed", "subscription_gone") in {
        (e["action"], e.get("reason")) for e in sub_store.ledger(a)
    }
    assert len([m for m in sent(a_mail, "email") if f"Corte {run}" in m["subject"]]) == 2
    [_, second] = push_service.wait_for(b_phone, 2)
    assert second["title"] == f"Actualización: Corte {run}" and len(a_phone.received) == 1

    # Unsubscribing from everything takes B's browser too: B is out of the audience.
    post(api, f"/api/v1/subscriptions/{b}/unsubscribe?t={manage(b)}", {})
    assert record(b).webpush == []
    from ventanilla.storage import subscriptions

    items, _ = subscriptions.audience_page(north, "cortes-agua", 100, None)
    assert b not in {i["sub_id"] for i in items}


def test_bad_push_devices_are_refused_and_write_nothing(
    api: Any, aws: Aws, proactive_world: dict[str, str], push_service: PushService
) -> None:
    mail = f"push-bad-{uuid.uuid4().hex[:6]}@example.cl"
    north = proactive_world["north"]
    sub_id = subscribe(api, email=mail, topics=["cortes-agua"], sectors=[north])["id"]
    good = push_service.subscribe().to_json()

    def field(answer: Any, status: int = 422) -> str:
        assert answer.status_code == status, answer.body
        body = answer.json_body
        return str(body["errors"][0]["field"]) if status == 422 else str(body.get("code", ""))

    assert field(add_push(api, sub_id, good, token="0" * 32), 404) == "subscription_not_found"
    assert field(add_push(api, "nadie", good), 404) == "subscription_not_found"
    metadata = {**good, "endpoint": "https://169.254.169.254/latest/meta-data"}
    assert field(add_push(api, sub_id, metadata)) == "subscription.endpoint"
    short = {**good, "keys": {"p256dh": "abc", "auth": good["keys"]["auth"]}}
    assert field(add_push(api, sub_id, short)).startswith("subscription.keys")
    missing = post(api, f"/api/v1/subscriptions/{sub_id}/devices?t={manage(sub_id)}", {})
    assert field(missing) == "subscription"
    assert record(sub_id).webpush == []
    from ventanilla.models.proactive import SUBSCRIPTION_MAX_PUSH

    for _ in range(SUBSCRIPTION_MAX_PUSH):
        assert add_push(api, sub_id, push_service.subscribe().to_json()).status_code == 200
    assert field(add_push(api, sub_id, push_service.subscribe().to_json()), 409) == "sub_push_too_many"
    assert len(record(sub_id).webpush) == SUBSCRIPTION_MAX_PUSH


def _partition(pk: str) -> list[str]:
    from boto3.dynamodb.conditions import Key

    from ventanilla.storage.table import table

    return [str(i["SK"]) for i in table().query(KeyConditionExpression=Key("PK").eq(pk))["Items"]]


def _stream_ticket(number: str, old_citizen: str | None = None) -> None:
    """What the table's stream does with a ticket item (the local tests call it directly)."""
    from ventanilla.services.dispatch import dispatch
    from ventanilla.storage.table import _plain, table

    keys = {"PK": f"TICKET#{number}", "SK": "TICKET"}
    item = _plain(dict(table().get_item(Key=keys)["Item"]))
    dispatch("INSERT", keys, None, {**item, "citizen_id": old_citizen or item["citizen_id"]})


def test_an_erased_account_leaves_no_browser_subscription_or_segment_data_and_gets_no_alert(
    api: Any, aws: Aws, proactive_world: dict[str, str], push_service: PushService
) -> None:
    from tests.conftest import ticket_body

    world = proactive_world
    run = uuid.uuid4().hex[:6]
    follows = {"topics": ["cortes-agua"], "sectors": [world["north"]]}
    mail = f"borrar-{run}@example.cl"
    headers = bearer(sign_up(aws, mail))
    me = api.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    citizen_id = me.json_body["citizen_id"]
    # The account subscribes, adds a browser to the subscription and registers its own browser.
    made = post(api, "/api/v1/subscriptions", {"consent": True, "email": mail, **follows}, headers)
    assert made.status_code == 201, made.body
    sub_id = made.json_body["id"]
    sub_phone, own_phone = push_service.subscribe(), push_service.subscribe()
    assert add_push(api, sub_id, sub_phone.to_json()).status_code == 200
    device = post(
        api, "/api/v1/devices", {"platform": "webpush", "subscription": own_phone.to_json()}, headers
    )
    assert device.status_code == 201, device.body
    phone_app = post(
        api, "/api/v1/devices", {"token": f"fcm-{run}-{uuid.uuid4().hex}", "platform": "fcm"}, headers
    )
    assert phone_app.status_code == 201 and phone_app.json_body["owner"] == "citizen", phone_app.body
    from ventanilla.storage import notices

    arns = [
        str(d["endpoint_arn"]) for d in notices.devices(f"CITIZEN#{citizen_id}") if d["platform"] == "fcm"
    ]
    assert len(arns) == 1
    # A request filed signed in: the "types filed" item campaign segments read.
    mine = {"email": mail, "phone": None, "channels": ["email"]}
    filed = post(api, "/api/v1/tickets", ticket_body(requester=mine), headers)
    assert filed.status_code == 201, filed.body
    number = str(filed.json_body["number"])
    _stream_ticket(number)
    keys = _partition(f"CITIZEN#{citizen_id}")
    assert {"ACCOUNT", f"SUBREF#{sub_id}"} <= set(keys), keys
    assert any(k.startswith("FILED#") for k in keys) and any(k.startswith("DEVICE#") for k in keys), keys
    assert [w["endpoint"] for w in audience_pushes(world["north"], "cortes-agua", sub_id)] == [
        sub_phone.endpoint
    ]
    # Someone else follows the same sector: the alert does go out.
    other = subscribe(api, email=f"queda-{run}@example.cl", **follows)["id"]
    other_phone = push_service.subscribe()
    assert add_push(api, other, other_phone.to_json()).status_code == 200

    erased = api.delete("/api/v1/me", headers=headers)
    assert erased.status_code == 200, erased.body
    assert any("suscripciones" in d for d in erased.json_body["deleted"])
    # The stream may bring the filing after the erasure: it writes nothing for an erased account.
    _stream_ticket(number, old_citizen="someone-before")
    assert _partition(f"CITIZEN#{citizen_id}") == ["ERASED"]
    assert _partition(f"SUB#{sub_id}") == [] and record(sub_id) is None
    assert audience_pushes(world["north"], "cortes-agua", sub_id) == []
    import boto3

    sns = boto3.client("sns")
    with pytest.raises(sns.exceptions.NotFoundException):  # the phone's endpoint is gone from SNS too
        sns.get_endpoint_attributes(EndpointArn=arns[0])

    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    published = api.post(
        "/api/v1/admin/alerts", body=json.dumps(alert_body(world, f"Tras borrar {run}")), headers=carla
    )
    assert published.status_code == 201, published.body
    drain(aws)
    [payload] = push_service.wait_for(other_phone)
    assert payload["title"] == f"Tras borrar {run}"
    assert sub_phone.received == [] and own_phone.received == []
    assert not any(f"Tras borrar {run}" in m["subject"] for m in sent(mail, "email"))


def test_a_filing_without_an_account_writes_no_segment_item() -> None:
    from ventanilla.storage import citizen_facts

    nobody = f"anon-{uuid.uuid4().hex}"
    assert citizen_facts.note_filed(nobody, "reclamo", "2026-01-01T00:00:00+00:00") is False
    assert _partition(f"CITIZEN#{nobody}") == []
