"""Monitoring systems open requests (seed 002) through the signed webhook: one open request per
fingerprint, repeats counted, resolved noted and resolved, replays once, bad input refused."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.conftest import Aws, table_items
from ventanilla.services.alerts import register_asset_lookup, signature

SECRET = "demo-monitor-secret"


@pytest.fixture(scope="module", autouse=True)
def source(aws: Aws) -> None:
    from infra.local import demo

    demo.seed_alert_source()


def send(
    api: Any,
    payload: dict[str, Any],
    secret: str = SECRET,
    source: str = "demo-monitor",
    sig: str | None = None,
) -> Any:
    raw = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Ventanilla-Signature": sig or signature(secret, raw)}
    return api.post(f"/api/v1/integrations/alerts/{source}", body=raw, headers=headers)


def staff_ticket(api: Any, aws: Aws, number: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("carla.supervisora"))
    assert response.status_code == 200, response.body
    return dict(response.json_body)


def test_one_request_per_fingerprint_repeats_counted_resolved_resolves(api: Any, aws: Aws) -> None:
    fp = f"disk-{uuid.uuid4().hex[:8]}"
    alert = {
        "fingerprint": fp,
        "status": "firing",
        "summary": "Disco lleno en srv-web-01",
        "details": "98 %",
        "severity": "critical",
        "host": "srv-web-01",
    }
    first = send(api, alert)
    assert first.status_code == 202, first.body
    [outcome] = first.json_body["results"]
    assert outcome["action"] == "created"
    number = outcome["number"]
    t = staff_ticket(api, aws, number)
    assert t["ticket"]["channel"] == "monitoring" and t["ticket"]["requester"]["kind"] == "internal"
    assert t["ticket"]["team"] == "tecnico" and "Disco lleno" in t["ticket"]["subject"]
    assert t["ticket"]["requester"]["channels"] == []  # a machine gets no receipts
    again = send(api, {**alert, "id": "delivery-2"})
    assert again.json_body["results"][0] == {
        "fingerprint": fp,
        "action": "repeated",
        "number": number,
        "count": 2,
    }
    notes = [h for h in staff_ticket(api, aws, number)["history"] if h["action"] == "note"]
    assert any("vez n.º 2" in n["body"] for n in notes)
    resolved = send(api, {**alert, "status": "resolved"})
    assert resolved.json_body["results"][0]["action"] == "resolved"
    assert staff_ticket(api, aws, number)["ticket"]["status"] == "resolved"
    # Firing again after it was resolved opens a new request.
    reopened = send(api, {**alert, "id": "delivery-4"})
    assert reopened.json_body["results"][0]["action"] == "created"
    assert reopened.json_body["results"][0]["number"] != number


def test_alertmanager_webhook_is_accepted(api: Any, aws: Aws) -> None:
    fp = uuid.uuid4().hex[:16]
    payload = {
        "version": "4",
        "groupKey": '{}:{alertname="HighLatency"}',
        "status": "firing",
        "receiver": "ventanilla",
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": "HighLatency",
                    "instance": "portal.vallverde.example:443",
                    "severity": "warning",
                },
                "annotations": {"summary": "Latencia alta del portal", "description": "p95 > 2 s"},
                "startsAt": "2026-12-02T10:00:00Z",
                "fingerprint": fp,
            }
        ],
    }
    answer = send(api, payload)
    assert answer.status_code == 202, answer.body
    [outcome] = answer.json_body["results"]
    t = staff_ticket(api, aws, outcome["number"])
    assert "portal.vallverde.example" in t["ticket"]["description"]


def test_the_asset_hook_links_an_alert_to_an_asset(api: Any, aws: Aws) -> None:
    register_asset_lookup(lambda host: "ACT-0042" if host == "srv-db-02" else None)
    try:
        answer = send(
            api,
            {"fingerprint": uuid.uuid4().hex, "status": "firing", "summary": "BD caída", "host": "srv-db-02"},
        )
    finally:
        register_asset_lookup(None)
    number = answer.json_body["results"][0]["number"]
    notes = [h for h in staff_ticket(api, aws, number)["history"] if h["action"] == "note"]
    assert notes[0]["data"]["asset"] == "ACT-0042" and notes[0]["data"]["host"] == "srv-db-02"


def test_replays_bad_signatures_unknown_sources_and_bad_bodies(api: Any, aws: Aws) -> None:
    alert = {
        "id": f"d-{uuid.uuid4().hex}",
        "fingerprint": uuid.uuid4().hex,
        "status": "firing",
        "summary": "CPU",
    }
    first = send(api, alert)
    assert first.json_body["results"][0]["action"] == "created"
    before = table_items(aws)
    replay = send(api, alert)
    assert replay.status_code == 202 and replay.json_body == {"replay": True, "results": []}
    assert send(api, alert, secret="otra-clave-de-16-caracteres").status_code == 401
    assert send(api, alert, sig="sha256=" + "0" * 64).status_code == 401
    raw = json.dumps(alert).encode()
    unsigned = api.post(
        "/api/v1/integrations/alerts/demo-monitor", body=raw, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401 and "X-Ventanilla-Signature" in unsigned.body.decode()
    assert send(api, alert, source="no-such-monitor").status_code == 404
    # Without an id, the same payload again is a repeat, not a replay.
    plain = {"fingerprint": uuid.uuid4().hex, "status": "firing", "summary": "Memoria"}
    assert send(api, plain).json_body["results"][0]["action"] == "created"
    assert send(api, plain).json_body["results"][0]["action"] == "repeated"
    before = table_items(aws)
    bad = send(api, {"fingerprint": "x", "status": "exploded", "summary": "?"})
    assert bad.status_code == 422 and "status" in bad.body.decode()
    assert send(api, {"status": "firing"}).status_code == 422
    assert table_items(aws) == before


def test_only_admins_manage_sources_and_secrets_are_never_answered(api: Any, aws: Aws) -> None:
    body = {
        "name": "Zabbix",
        "contact_email": "zabbix@vallverde.example",
        "type": "soporte-interno",
        "subtype": "sistemas",
        "form": {"sistema": "Zabbix"},
        "secret": "zabbix-secret-0123456789",
    }
    put = api.put(
        "/api/v1/admin/alert-sources/zabbix",
        body=json.dumps(body),
        headers={**aws.auth("elena.admin"), "Content-Type": "application/json"},
    )
    assert put.status_code == 200, put.body
    assert put.json_body["secret_set"] is True and "zabbix-secret" not in put.body.decode()
    listed = api.get("/api/v1/admin/alert-sources", headers=aws.auth("elena.admin"))
    assert (
        "zabbix" in {s["source"] for s in listed.json_body["items"]} and 'secret"' not in listed.body.decode()
    )
    assert api.get("/api/v1/admin/alert-sources", headers=aws.auth("ana.l1")).status_code == 403
    no_secret = api.put(
        "/api/v1/admin/alert-sources/nagios",
        body=json.dumps({**body, "secret": None}),
        headers={**aws.auth("elena.admin"), "Content-Type": "application/json"},
    )
    assert no_secret.status_code == 422 and "secret" in no_secret.body.decode()
    answer = send(
        api,
        {"fingerprint": uuid.uuid4().hex, "status": "firing", "summary": "Zabbix"},
        secret="zabbix-secret-0123456789",
        source="zabbix",
    )
    assert answer.json_body["results"][0]["action"] == "created"


def test_an_alert_naming_an_inventoried_host_links_its_asset(api: Any, aws: Aws) -> None:
    """With no other lookup registered, the asset inventory answers: the alert's request appears in
    the asset's incident history (Alertmanager's ``host:port`` instance included)."""
    number = f"SRV-{uuid.uuid4().hex[:6].upper()}"
    host = f"srv-{uuid.uuid4().hex[:6]}"
    asset = {
        "inventory_number": number,
        "type": "servidor",
        "name": "Servidor de prueba",
        "status": "in_use",
        "hostname": host,
        "team": "tecnico",
    }
    made = api.post(
        "/api/v1/assets",
        body=json.dumps(asset),
        headers={**aws.auth("elena.admin"), "Content-Type": "application/json"},
    )
    assert made.status_code == 201, made.body
    answer = send(
        api,
        {
            "fingerprint": uuid.uuid4().hex,
            "status": "firing",
            "summary": "Disco lleno",
            "host": f"{host}:9100",
        },
    )
    request = answer.json_body["results"][0]["number"]
    notes = [h for h in staff_ticket(api, aws, request)["history"] if h["action"] == "note"]
    assert notes[0]["data"]["asset"] == number
    page = api.get(f"/api/v1/assets/{number}", headers=aws.auth("elena.admin")).json_body
    assert request in json.dumps(page)
    stranger = send(
        api,
        {"fingerprint": uuid.uuid4().hex, "status": "firing", "summary": "Otro", "host": "sin-inventario"},
    )
    other = stranger.json_body["results"][0]["number"]
    notes = [h for h in staff_ticket(api, aws, other)["history"] if h["action"] == "note"]
    assert notes[0]["data"].get("asset") is None
