"""Pure parts of places and Open311: sectors by point, the wire formats, the status mapping."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from ventanilla.models.places import LocationIn
from ventanilla.open311.listing import open311_status, parse_w3c, period
from ventanilla.open311.wire import Open311Error, render_errors, render_list, split_resource, w3c
from ventanilla.rules.routing import Actions, Conditions, RoutingRule, RoutingRules, Sample, evaluate
from ventanilla.rules.sectors import Sector, sector_of
from ventanilla.rules.state_machine import Status

CENTRO = Sector("centro", ((-33.0, -71.0), (-33.0, -70.0), (-34.0, -70.0), (-34.0, -71.0)))
NORTE = Sector("norte", ((-32.0, -71.0), (-32.0, -70.0), (-33.0, -70.5)))


def test_sector_of_a_point() -> None:
    assert sector_of(-33.5, -70.5, [NORTE, CENTRO]) == "centro"
    assert sector_of(-32.2, -70.5, [NORTE, CENTRO]) == "norte"
    assert sector_of(-20.0, -70.5, [NORTE, CENTRO]) is None
    assert sector_of(-33.5, -70.5, []) is None
    assert sector_of(-33.5, -70.5, [Sector("line", ((0, 0), (1, 1)))]) is None


def test_routing_by_sector() -> None:
    rules = RoutingRules(
        rules=[
            RoutingRule(
                name="centro", conditions=Conditions(sectors=["centro"]), actions=Actions(team="tecnico")
            )
        ]
    )
    hit = evaluate(rules, Sample(type="reclamo", subtype="servicio", sector="centro"))
    assert hit.matched == "centro"
    assert evaluate(rules, Sample(type="reclamo", subtype="servicio", sector="norte")).matched is None
    assert evaluate(rules, Sample(type="reclamo", subtype="servicio")).matched is None


@pytest.mark.parametrize(
    "data",
    [{"lat": 1}, {"long": 1}, {}, {"lat": 91, "long": 0}, {"lat": 0, "long": -181}, {"address": "x"}],
)
def test_a_location_needs_a_whole_point_or_an_address(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        LocationIn.model_validate(data)


def test_w3c_has_seconds_no_fraction_and_utc() -> None:
    at = datetime(2026, 5, 4, 9, 15, 30, 123456, tzinfo=timezone(timedelta(hours=-4)))
    assert w3c(at) == "2026-05-04T13:15:30Z"
    assert w3c(None) is None


def test_suffix_picks_the_format() -> None:
    assert split_resource("services.json") == ("services", "json")
    assert split_resource("2026-000001.xml") == ("2026-000001", "xml")
    assert split_resource("services") is None and split_resource("services.html") is None
    assert split_resource(".xml") is None


def test_xml_lists_and_errors_escape_and_declare_utf8() -> None:
    text = render_list(
        "xml", "service_requests", "request", [{"description": "<b>&", "lat": None, "ok": True}]
    )
    assert isinstance(text, str) and text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode())
    assert root.findtext("request/description") == "<b>&" and root.findtext("request/ok") == "true"
    assert root.findtext("request/lat") == ""
    assert render_errors("json", Open311Error(403, "no key").errors()) == [
        {"code": 403, "description": "no key"}
    ]


def test_status_maps_to_open_or_closed() -> None:
    assert {s: open311_status(s) for s in Status} == {
        Status.RECEIVED: "open",
        Status.ASSIGNED: "open",
        Status.IN_PROGRESS: "open",
        Status.WAITING_CITIZEN: "open",
        Status.RESOLVED: "closed",
        Status.CLOSED: "closed",
        Status.REOPENED: "open",
    }


def test_period_defaults_and_limits() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert period(None, None, now) == (now - timedelta(days=90), now)
    start = parse_w3c("start_date", "2026-01-01")
    assert period("2026-01-01", None, now) == (start, start + timedelta(days=90))
    assert parse_w3c("x", "2026-01-01T00:00:00-03:00") == datetime(2026, 1, 1, 3, tzinfo=UTC)
    with pytest.raises(Open311Error):
        period("2026-01-01T00:00:00Z", "2026-04-02T00:00:00Z", now)
