"""A request's place: filed on the portal with a point and/or an address, shown to its citizen and
to agents, refused when half a point or out of range, and routed by sector when sectors exist."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Aws, post, table_items, ticket_body


def test_place_is_kept_and_shown_to_the_citizen_and_the_agent(api: Any, aws: Aws) -> None:
    place = {"lat": -33.45, "long": -70.66, "address": "Av. Los Aromos 123, Valle Verde"}
    created = post(api, "/api/v1/tickets", ticket_body(location=place))
    assert created.status_code == 201, created.body
    number, code = created.json_body["number"], created.json_body["access_code"]
    mine = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": code}).json_body
    assert mine["location"] == {**place, "sector": None}
    staff = api.get(f"/api/v1/agent/tickets/{number}", headers=aws.auth("bruno.l2")).json_body
    assert staff["ticket"]["location"] == {**place, "sector": None}
    only_address = post(api, "/api/v1/tickets", ticket_body(location={"address": "Plaza de Armas"}))
    assert only_address.status_code == 201
    without = post(api, "/api/v1/tickets", ticket_body())
    number = without.json_body["number"]
    view = api.get(f"/api/v1/tickets/{number}", headers={"X-Access-Code": without.json_body["access_code"]})
    assert view.json_body["location"] is None


@pytest.mark.parametrize(
    ("place", "field"),
    [
        ({"lat": -33.4}, "location"),
        ({"address": "x"}, "location.address"),
        ({}, "location"),
        ({"lat": 91, "long": 0}, "location.lat"),
        ({"lat": 0, "long": 180.5}, "location.long"),
        ({"lat": "norte", "long": 0}, "location.lat"),
        ({"address": "a" * 401}, "location.address"),
        ({"address": "Calle 1", "zona": "x"}, "location.zona"),
    ],
)
def test_bad_places_are_422_naming_the_field_and_write_nothing(
    api: Any, aws: Aws, place: dict[str, Any], field: str
) -> None:
    before = table_items(aws)
    response = post(api, "/api/v1/tickets", ticket_body(location=place))
    assert response.status_code == 422, response.body
    assert field in [e["field"] for e in response.json_body["errors"]]
    assert table_items(aws) == before


def test_a_rule_by_sector_routes_requests_whose_point_is_inside(
    api: Any, aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ventanilla.rules.sectors import Sector
    from ventanilla.services import places

    monkeypatch.setattr(
        places,
        "sectors",
        lambda: [Sector("centro", ((-33.0, -71.0), (-33.0, -70.0), (-34.0, -70.0), (-34.0, -71.0)))],
    )
    carla = aws.auth("carla.supervisora")
    rule = {
        "name": "sector-centro",
        "conditions": {"sectors": ["centro"]},
        "actions": {"team": "transparencia", "tags": ["centro"]},
    }
    path = "/api/v1/admin/routing/rules"
    saved = api.put(
        path, body=json.dumps({"rules": [rule]}), headers={**carla, "Content-Type": "application/json"}
    )
    assert saved.status_code == 200, saved.body
    try:
        inside = post(api, "/api/v1/tickets", ticket_body(location={"lat": -33.5, "long": -70.5}))
        outside = post(api, "/api/v1/tickets", ticket_body(location={"lat": -20.0, "long": -70.5}))
        bruno = aws.auth("bruno.l2")
        got_in = api.get(f"/api/v1/agent/tickets/{inside.json_body['number']}", headers=bruno).json_body[
            "ticket"
        ]
        got_out = api.get(f"/api/v1/agent/tickets/{outside.json_body['number']}", headers=bruno).json_body[
            "ticket"
        ]
        assert got_in["location"]["sector"] == "centro" and got_in["team"] == "transparencia"
        assert got_in["routed_by"] == "sector-centro" and got_in["tags"] == ["centro"]
        assert got_out["location"]["sector"] is None and got_out["team"] != "transparencia"
        dry = post(
            api,
            "/api/v1/admin/routing/dry-run",
            {"type": "reclamo", "subtype": "servicio", "sector": "centro"},
            carla,
        )
        assert dry.json_body["matched"] == "sector-centro"
    finally:
        api.put(path, body=json.dumps({"rules": []}), headers={**carla, "Content-Type": "application/json"})
