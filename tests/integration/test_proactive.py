"""Proactive service (issue 16): sectors from GeoJSON, double opt-in subscriptions, unsubscribe, an
alert reaching exactly the confirmed subscribers of its sectors and topics (outbox), never twice on
a retried step, and a request filed in an alert's sector linked to it."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items, ticket_body


def square(code: str, lat: float, long: float, size: float = 0.05, name: str | None = None) -> dict[str, Any]:
    ring = [[long, lat], [long + size, lat], [long + size, lat + size], [long, lat + size], [long, lat]]
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name or code.title()},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def sent(to: str, channel: str | None = None) -> list[dict[str, Any]]:
    from infra.local import outbox

    return [e for e in outbox.entries(to) if channel is None or e["channel"] == channel]


def drain(aws: Aws) -> int:
    from infra.local.queues import QueuePoller

    fn = aws.stack.functions["ProactiveFunction"]
    return int(QueuePoller(fn, fn.events["FanOut"]).drain(timeout=120))


@pytest.fixture(scope="module")
def world(aws: Aws, app: Any) -> dict[str, str]:
    """Two sectors side by side (one unique per run), two topics."""
    from chalice.test import Client

    tag = uuid.uuid4().hex[:6]
    north, south = f"norte-{tag}", f"sur-{tag}"
    base_lat = -10.0 - (int(tag, 16) % 500) * 0.1
    with Client(app) as client:
        admin = {**aws.auth("elena.admin"), "Content-Type": "application/json"}
        up = client.http.post(
            "/api/v1/admin/areas",
            body=json.dumps(
                collection(square(north, base_lat + 0.05, -70.0), square(south, base_lat, -70.0))
            ),
            headers=admin,
        )
        assert up.status_code == 201, up.body
        for code in ("cortes-agua", "eventos"):
            put = client.http.put(
                f"/api/v1/admin/subscription-topics/{code}",
                body=json.dumps({"name": code.replace("-", " ").title(), "name_en": code}),
                headers=admin,
            )
            assert put.status_code == 200, put.body
    return {"north": north, "south": south, "lat": str(base_lat)}


def subscribe(api: Any, **body: Any) -> dict[str, Any]:
    response = post(api, "/api/v1/subscriptions", {"consent": True, **body})
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def confirm_by_email(api: Any, email: str) -> dict[str, Any]:
    mail = sent(email, "email")[0]
    token = re.search(r"token=([A-Za-z0-9_-]+)", mail["text"])
    assert token, mail["text"]
    done = post(api, "/api/v1/subscriptions/confirm", {"token": token.group(1)})
    assert done.status_code == 200, done.body
    return dict(done.json_body)


def test_point_matching_and_bad_geojson(api: Any, aws: Aws, world: dict[str, str]) -> None:
    lat = float(world["lat"])
    inside = api.get(f"/api/v1/areas/match?lat={lat + 0.07}&long=-69.98")
    assert inside.status_code == 200 and inside.json_body["sector"] == world["north"]
    assert api.get(f"/api/v1/areas/match?lat={lat + 0.01}&long=-69.98").json_body["sector"] == world["south"]
    nowhere = api.get(f"/api/v1/areas/match?lat={lat}&long=-60.0")
    assert nowhere.status_code == 404 and nowhere.json_body["code"] == "area_no_sector"
    admin = {**aws.auth("elena.admin"), "Content-Type": "application/json"}
    before = table_items(aws)
    bowtie = square("corbata", 5.0, 5.0)
    bowtie["geometry"]["coordinates"] = [[[5, 5], [5.1, 5.1], [5.1, 5], [5, 5.1], [5, 5]]]
    bad = api.post(
        "/api/v1/admin/areas", body=json.dumps(collection(square("ok-one", 6.0, 6.0), bowtie)), headers=admin
    )
    assert bad.status_code == 422, bad.body
    assert [e["field"] for e in bad.json_body["errors"]] == ["features.1.geometry"]
    assert "Self-intersection" in bad.json_body["errors"][0]["message"]
    point = square("punto", 5.0, 5.0)
    point["geometry"] = {"type": "Point", "coordinates": [5, 5]}
    assert (
        api.post("/api/v1/admin/areas", body=json.dumps(collection(point)), headers=admin).status_code == 422
    )
    overlapping = square("encima", lat + 0.02, -69.99)
    clash = api.post("/api/v1/admin/areas", body=json.dumps(collection(overlapping)), headers=admin)
    assert clash.status_code == 422, clash.body
    assert clash.json_body["code"] == "area_overlap"
    assert (
        world["north"] in clash.json_body["errors"][0]["message"]
        or world["south"] in clash.json_body["errors"][0]["message"]
    )
    assert table_items(aws) == before
    agent = api.post(
        "/api/v1/admin/areas",
        body=json.dumps(collection(square("x", 1, 1))),
        headers={**aws.auth("ana.l1"), "Content-Type": "application/json"},
    )
    assert agent.status_code == 403


def test_double_opt_in_then_unsubscribe(api: Any, aws: Aws, world: dict[str, str]) -> None:
    email = f"vecino-{uuid.uuid4().hex[:8]}@example.cl"
    created = subscribe(api, email=email, topics=["cortes-agua"], sectors=[world["north"]])
    assert created["email_state"] == "pending" and created["next_steps"] == ["email_link"]
    assert not created["confirmed"]
    from ventanilla.storage import subscriptions as store

    assert store.audience_page(world["north"], "cortes-agua", 1000, None)[0] == [] or all(
        i["sub_id"] != created["id"]
        for i in store.audience_page(world["north"], "cortes-agua", 1000, None)[0]
    )
    mail = sent(email, "email")[0]
    assert "/unsubscribe?t=" in mail["unsubscribe"]
    wrong = post(api, "/api/v1/subscriptions/confirm", {"token": "x" * 32})
    assert wrong.status_code == 404 and wrong.json_body["code"] == "sub_token_invalid"
    confirmed = confirm_by_email(api, email)
    assert confirmed["confirmed"] and confirmed["email_state"] == "confirmed"
    listed = [i["sub_id"] for i in store.audience_page(world["north"], "cortes-agua", 1000, None)[0]]
    assert created["id"] in listed
    again = post(
        api,
        "/api/v1/subscriptions/confirm",
        {"token": re.search(r"token=([A-Za-z0-9_-]+)", mail["text"]).group(1)},
    )  # type: ignore[union-attr]
    assert again.status_code == 404
    # one-click (RFC 8058): a form POST with the link's signature
    link = mail["unsubscribe"].strip("<>").split("/api/v1", 1)[1]
    forged = api.post(
        re.sub(r"t=[0-9a-f]+", "t=" + "0" * 32, "/api/v1" + link),
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status_code == 404
    # A management link with a token no one made (a non-ASCII one too) is a 404, never a 500.
    sub = created["id"]
    for token in ("0" * 32, "%C3%A1%F1%BE%AE%88"):
        stranger = api.get(f"/api/v1/subscriptions/{sub}?t={token}")
        assert stranger.status_code == 404, (token, stranger.body)
    assert api.get("/api/v1/subscriptions/%1F%F1%BE%AE%88%5BQ3?t=%C3%A1").status_code == 404
    gone = api.post(
        "/api/v1" + link,
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert gone.status_code == 200, gone.body
    assert gone.json_body["email_state"] == "unsubscribed"
    listed = [i["sub_id"] for i in store.audience_page(world["north"], "cortes-agua", 1000, None)[0]]
    assert created["id"] not in listed
    actions = [e["action"] for e in store.ledger(created["id"])]
    assert actions == ["subscribed", "confirmed", "unsubscribed"]


def test_sms_code_and_per_topic_unsubscribe(api: Any, aws: Aws, world: dict[str, str]) -> None:
    phone = f"+5699{uuid.uuid4().int % 10**7:07d}"
    created = subscribe(
        api, phone=phone, topics=["cortes-agua", "eventos"], sectors=[world["south"]], language="en"
    )
    sms = sent(phone, "sms")[0]["text"]
    code = re.search(r"(\d{6})", sms).group(1)  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    bad = post(api, f"/api/v1/subscriptions/{created['id']}/confirm-sms", {"code": wrong})
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "code"
    ok = post(api, f"/api/v1/subscriptions/{created['id']}/confirm-sms", {"code": code})
    assert ok.status_code == 200 and ok.json_body["sms_state"] == "confirmed"
    from ventanilla.services.subscriptions import manage_token

    token = manage_token(created["id"])
    one = api.post(f"/api/v1/subscriptions/{created['id']}/unsubscribe?t={token}&topic=eventos", body="")
    assert one.status_code == 200 and one.json_body["topics"] == ["cortes-agua"]
    shown = api.get(f"/api/v1/subscriptions/{created['id']}?t={token}")
    assert shown.status_code == 200 and shown.json_body["sms_state"] == "confirmed"
    assert api.get(f"/api/v1/subscriptions/{created['id']}?t={'0' * 32}").status_code == 404


def test_bad_subscriptions_are_422_and_write_nothing(api: Any, aws: Aws, world: dict[str, str]) -> None:
    before = table_items(aws)
    cases = [
        ({"topics": ["cortes-agua"]}, "body"),
        ({"email": "a@example.cl", "topics": ["no-existe"]}, "topics.0"),
        ({"email": "a@example.cl", "topics": ["eventos"], "sectors": ["nada"]}, "sectors.0"),
        ({"email": "a@example.cl", "topics": ["eventos"], "lat": 0.5, "long": 0.5}, "lat"),
        ({"email": "no-es-correo", "topics": ["eventos"]}, "email"),
        ({"phone": "12345", "topics": ["eventos"]}, "phone"),
    ]
    for body, field in cases:
        response = post(api, "/api/v1/subscriptions", {"consent": True, **body})
        assert response.status_code == 422, (body, response.body)
        assert field in [e["field"] for e in response.json_body["errors"]], (body, response.body)
    assert table_items(aws) == before


def test_alert_reaches_exactly_the_confirmed_subscribers_once(
    api: Any, aws: Aws, world: dict[str, str]
) -> None:
    run = uuid.uuid4().hex[:6]
    lat = float(world["lat"])
    people = {
        "norte-agua": dict(topics=["cortes-agua"], sectors=[world["north"]]),
        "punto-agua": dict(topics=["cortes-agua"], lat=lat + 0.07, long=-69.97),  # matched to north
        "todo-agua": dict(topics=["cortes-agua"], sectors=["*"]),
        "norte-eventos": dict(topics=["eventos"], sectors=[world["north"]]),
        "sur-agua": dict(topics=["cortes-agua"], sectors=[world["south"]]),
        "sin-confirmar": dict(topics=["cortes-agua"], sectors=[world["north"]]),
        "baja": dict(topics=["cortes-agua", "eventos"], sectors=[world["north"]]),
    }
    ids = {}
    for who, follows in people.items():
        email = f"{who}-{run}@example.cl"
        ids[who] = subscribe(api, email=email, **follows)["id"]
        if who != "sin-confirmar":
            confirm_by_email(api, email)
    from ventanilla.services.subscriptions import manage_token

    api.post(f"/api/v1/subscriptions/{ids['baja']}/unsubscribe?t={manage_token(ids['baja'])}", body="")
    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    body = {
        "title": {"es": "Corte de agua programado", "en": "Planned water cut"},
        "text": {"es": "Sin agua hasta las 18:00 por reparación de matriz.", "en": "No water until 18:00."},
        "sectors": [world["north"]],
        "topics": ["cortes-agua"],
        "service": "reclamo",
        "severity": "warning",
    }
    assert (
        api.post(
            "/api/v1/admin/alerts",
            body=json.dumps(body),
            headers={**aws.auth("ana.l1"), "Content-Type": "application/json"},
        ).status_code
        == 403
    )
    bad = api.post("/api/v1/admin/alerts", body=json.dumps({**body, "sectors": ["marte"]}), headers=carla)
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "sectors.0"
    published = api.post("/api/v1/admin/alerts", body=json.dumps(body), headers=carla)
    assert published.status_code == 201, published.body
    alert = published.json_body
    drain(aws)
    reached = {
        who
        for who in people
        if sent(f"{who}-{run}@example.cl", "email")
        and any("Corte de agua" in m["subject"] for m in sent(f"{who}-{run}@example.cl", "email"))
    }
    assert reached == {"norte-agua", "punto-agua", "todo-agua"}
    mail = next(m for m in sent(f"norte-agua-{run}@example.cl", "email") if "Corte" in m["subject"])
    assert "/unsubscribe?t=" in mail["unsubscribe"] and "#/suscripcion/" in mail["text"]
    # a retried step sends nothing twice
    from ventanilla.services import service_alerts

    service_alerts.start_fanout(service_alerts.get(alert["id"]), 0)
    drain(aws)
    assert len([m for m in sent(f"norte-agua-{run}@example.cl", "email") if "Corte" in m["subject"]]) == 1
    figures = api.get(f"/api/v1/admin/alerts/{alert['id']}", headers=carla).json_body["figures"]
    assert figures["audience"] == 3 and figures["sent"] == 3 and figures["by_channel"] == {"email": 3}
    # the portal's banner
    banner = api.get("/api/v1/alerts").json_body["items"]
    assert any(b["id"] == alert["id"] and b["title"] == "Corte de agua programado" for b in banner)
    # a request filed in the sector about that service is linked and told so
    filer, filer_phone = f"afectada-{run}@example.cl", f"+5698{uuid.uuid4().int % 10**7:07d}"
    filed = post(
        api,
        "/api/v1/tickets",
        ticket_body(
            location={"lat": lat + 0.06, "long": -69.99},
            requester={"email": filer, "phone": filer_phone},
        ),
    )
    assert filed.status_code == 201, filed.body
    assert filed.json_body["service_alert"]["id"] == alert["id"]
    # ... and the receipt says so too, by email and by SMS
    from tests.integration.test_notifications import drain as drain_notices
    from tests.integration.test_notifications import publish_history

    publish_history(filed.json_body["number"])
    drain_notices(aws)
    receipt = sent(filer, "email")[0]
    assert "«Corte de agua programado»" in receipt["text"] and "vinculada" in receipt["text"]
    assert "Corte de agua programado" in receipt["html"]
    sms = sent(filer_phone, "sms")[0]["text"]
    assert "vinculada al aviso" in sms and filed.json_body["number"] in sms, sms
    elsewhere = post(api, "/api/v1/tickets", ticket_body(location={"lat": lat + 0.01, "long": -69.99}))
    assert elsewhere.json_body["service_alert"] is None
    # restored: the same audience hears it, the banner goes, new requests are not linked
    restored = api.post(
        f"/api/v1/admin/alerts/{alert['id']}/updates",
        body=json.dumps({"kind": "restored", "text": {"es": "Servicio restablecido."}}),
        headers=carla,
    )
    assert restored.status_code == 201, restored.body
    drain(aws)
    heard = {
        who
        for who in people
        if any("Restablecido" in m["subject"] for m in sent(f"{who}-{run}@example.cl", "email"))
    }
    assert heard == {"norte-agua", "punto-agua", "todo-agua"}
    assert all(b["id"] != alert["id"] for b in api.get("/api/v1/alerts").json_body["items"])
    after = post(api, "/api/v1/tickets", ticket_body(location={"lat": lat + 0.06, "long": -69.99}))
    assert after.json_body["service_alert"] is None
    closed = api.post(
        f"/api/v1/admin/alerts/{alert['id']}/updates", body=json.dumps({"text": {"es": "x"}}), headers=carla
    )
    assert closed.status_code == 409


def test_scheduled_newsletter_fired_by_the_local_scheduler(api: Any, aws: Aws, world: dict[str, str]) -> None:
    import os
    from datetime import UTC, timedelta

    from infra.local.scheduler import LocalScheduler
    from ventanilla import clock

    run = uuid.uuid4().hex[:6]
    readers = {
        "lector-es": dict(topics=["eventos"], sectors=[world["south"]]),
        "lector-en": dict(topics=["eventos"], sectors=[world["south"]], language="en"),
        "lector-sin": dict(topics=["eventos"], sectors=[world["south"]]),
        "lector-otro": dict(topics=["cortes-agua"], sectors=[world["south"]]),
    }
    for who, follows in readers.items():
        email = f"{who}-{run}@example.cl"
        subscribe(api, email=email, **follows)
        if who != "lector-sin":
            confirm_by_email(api, email)
    from ventanilla.storage import notices

    notices.suppress(f"lector-otro-{run}@example.cl", "l•••", "bounce", "email", "2026-01-01T00:00:00Z")
    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    when = clock.now().astimezone(UTC) + timedelta(hours=2)
    body = {
        "name": f"Boletín {run}",
        "subject": {"es": "Boletín municipal", "en": "Town newsletter"},
        "body": {"es": "Hola vecinos.\n\nEste mes: feria.", "en": "Hello neighbours.\n\nThis month: fair."},
        "topics": ["eventos"],
        "sectors": [world["south"]],
        "send_at": when.isoformat(),
        "every_days": 7,
    }
    preview = api.post("/api/v1/admin/campaigns/preview", body=json.dumps(body), headers=carla)
    assert preview.status_code == 200, preview.body
    assert preview.json_body["audience"] >= 2 and "<p>Este mes: feria.</p>" in preview.json_body["html"]
    bad = api.post("/api/v1/admin/campaigns", body=json.dumps({**body, "topics": ["nada"]}), headers=carla)
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "topics.0"
    created = api.post("/api/v1/admin/campaigns", body=json.dumps(body), headers=carla)
    assert created.status_code == 201, created.body
    campaign = created.json_body
    scheduler = LocalScheduler(aws.stack.functions, os.environ["CAMPAIGN_SCHEDULE_GROUP"], aws.stack.moto)

    def newsletters(who: str) -> list[dict[str, Any]]:
        return [
            m
            for m in sent(f"{who}-{run}@example.cl", "email")
            if m["subject"] in ("Boletín municipal", "Town newsletter")
        ]

    assert scheduler.fire_due() == []  # not yet
    drain(aws)
    assert newsletters("lector-es") == []
    before = clock.offset()
    clock.advance(timedelta(hours=3))
    try:
        assert len(scheduler.fire_due()) == 1
        assert scheduler.fire_due() == []  # once
        drain(aws)
        assert len(newsletters("lector-es")) == 1
        assert [m["subject"] for m in newsletters("lector-en")] == ["Town newsletter"]
        assert newsletters("lector-sin") == [] and newsletters("lector-otro") == []
        shown = api.get(f"/api/v1/admin/campaigns/{campaign['id']}", headers=carla).json_body
        assert shown["runs"] == 1 and shown["status"] == "scheduled"
        assert shown["figures"]["sent"] >= 2
        # the next week's run was scheduled by this one
        clock.advance(timedelta(days=7))
        assert len(scheduler.fire_due()) == 1
        drain(aws)
        assert len(newsletters("lector-es")) == 2
        shown = api.get(f"/api/v1/admin/campaigns/{campaign['id']}", headers=carla).json_body
        assert shown["runs"] == 2 and shown["next_run_at"] is not None
        cancelled = api.post(f"/api/v1/admin/campaigns/{campaign['id']}/cancel", body="", headers=carla)
        assert cancelled.status_code == 200 and cancelled.json_body["status"] == "cancelled"
        assert cancelled.json_body["next_run_at"] is None  # a cancelled newsletter has no next send
        again = api.post(f"/api/v1/admin/campaigns/{campaign['id']}/cancel", body="", headers=carla)
        assert again.status_code == 200 and again.json_body["status"] == "cancelled"
        clock.advance(timedelta(days=7))
        assert scheduler.fire_due() == []
    finally:
        clock.reset()
        if before:
            clock.advance(before)


def test_one_address_subscribed_twice_hears_an_alert_once(api: Any, aws: Aws, world: dict[str, str]) -> None:
    """People fill the form twice (once for their sector, once for every sector): two confirmed
    subscriptions of one address, one message for each alert."""
    email = f"dos-veces-{uuid.uuid4().hex[:6]}@example.cl"
    subscribe(api, email=email, topics=["cortes-agua"], sectors=[world["north"]])
    subscribe(api, email=email.upper(), topics=["cortes-agua"], sectors=["*"])
    found = (re.search(r"token=([A-Za-z0-9_-]+)", m["text"]) for m in sent(email, "email"))
    tokens = {match.group(1) for match in found if match}
    assert len(tokens) == 2
    for token in tokens:
        assert post(api, "/api/v1/subscriptions/confirm", {"token": token}).status_code == 200
    carla = {**aws.auth("carla.supervisora"), "Content-Type": "application/json"}
    body = {
        "title": {"es": "Corte de agua en el norte", "en": "Water cut"},
        "text": {"es": "Sin agua hasta las 20:00.", "en": "No water until 20:00."},
        "sectors": [world["north"]],
        "topics": ["cortes-agua"],
    }
    published = api.post("/api/v1/admin/alerts", body=json.dumps(body), headers=carla)
    assert published.status_code == 201, published.body
    drain(aws)
    assert len([m for m in sent(email, "email") if "Corte de agua en el norte" in m["subject"]]) == 1
    figures = api.get(f"/api/v1/admin/alerts/{published.json_body['id']}", headers=carla).json_body["figures"]
    assert figures["sent"] == figures["by_channel"]["email"] >= 1
