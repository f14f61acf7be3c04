"""The calendar's "when would this be due?" calculator: on the saved calendar or on one being
edited, business hours or days, bad input named by field, supervisors and admins only."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Aws, post

PATH = "/api/v1/admin/calendar/due"


def test_due_on_the_saved_calendar_and_on_an_edited_one(api: Any, aws: Aws) -> None:
    carla = aws.auth("carla.supervisora")
    saved = api.get("/api/v1/admin/calendar", headers=carla).json_body
    # Friday 2026-12-04 16:00 Santiago (UTC-3): one business day later is the next business day
    friday = "2026-12-04T19:00:00Z"
    answer = post(api, PATH, {"start": friday, "days": 1}, carla)
    assert answer.status_code == 200, answer.body
    assert answer.json_body["timezone"] == saved["timezone"]
    assert answer.json_body["due_local"][:10] >= "2026-12-07"
    # The same with Saturday morning added to the edited calendar: due sooner (not yet saved)
    edited = {**saved, "working_hours": {**saved["working_hours"], "6": [["09:00:00", "13:00:00"]]}}
    sooner = post(api, PATH, {"start": friday, "hours": 4, "calendar": edited}, carla).json_body
    later = post(api, PATH, {"start": friday, "hours": 4}, carla).json_body
    assert sooner["due"] < later["due"]
    assert api.get("/api/v1/admin/calendar", headers=carla).json_body == saved  # nothing saved


def test_bad_input_is_named_and_roles_are_checked(api: Any, aws: Aws) -> None:
    carla = aws.auth("carla.supervisora")
    cases = [
        ({"start": "2026-12-04T19:00:00Z"}, "body"),
        ({"start": "2026-12-04T19:00:00Z", "days": 1, "hours": 2}, "body"),
        ({"start": "2026-12-04T19:00:00", "days": 1}, "start"),
        ({"start": "2026-12-04T19:00:00Z", "days": 0}, "days"),
        (
            {"start": "2026-12-04T19:00:00Z", "days": 1, "calendar": {"timezone": "Marte/Olympus"}},
            "calendar.timezone",
        ),
    ]
    for body, field in cases:
        answer = post(api, PATH, body, carla)
        assert answer.status_code == 422, (body, answer.body)
        assert field in [e["field"] for e in json.loads(answer.body)["errors"]], (field, answer.body)
    assert (
        post(api, PATH, {"start": "2026-12-04T19:00:00Z", "days": 1}, aws.auth("ana.l1")).status_code == 403
    )


HOLIDAYS = "/api/v1/admin/calendar/holidays"


def test_the_year_holidays_and_closures_of_a_calendar(api: Any, aws: Aws) -> None:
    carla = aws.auth("carla.supervisora")
    saved = api.get("/api/v1/admin/calendar", headers=carla).json_body
    answer = post(api, HOLIDAYS, {"year": 2026}, carla)
    assert answer.status_code == 200, answer.body
    days = {x["day"]: x for x in answer.json_body["items"]}
    assert answer.json_body["country"] == "CL"
    assert days["2026-09-18"] == {"day": "2026-09-18", "name": "Día de la Independencia", "kind": "holiday"}
    english = api.post(
        HOLIDAYS,
        body=json.dumps({"year": 2026}),
        headers={**carla, "Content-Type": "application/json", "Accept-Language": "en"},
    ).json_body
    assert {x["day"]: x["name"] for x in english["items"]}["2026-09-18"] == "Independence Day"
    assert list(days) == sorted(days)
    # the edited calendar: a local closure, and Arica's regional holiday (7 June) once AP is chosen
    edited = {**saved, "subdivision": "AP", "closures": ["2026-12-24", "2027-01-02"]}
    out = post(api, HOLIDAYS, {"year": 2026, "calendar": edited}, carla).json_body
    kinds = {x["day"]: x["kind"] for x in out["items"]}
    assert kinds["2026-12-24"] == "closure" and "2027-01-02" not in kinds
    assert kinds["2026-06-07"] == "holiday" and "2026-06-07" not in days
    assert api.get("/api/v1/admin/calendar", headers=carla).json_body == saved  # nothing saved
    for body, field in (
        ({"year": 1800}, "year"),
        ({}, "year"),
        ({"year": 2026, "calendar": {"country": "XX"}}, "calendar.country"),
    ):
        bad = post(api, HOLIDAYS, body, carla)
        assert bad.status_code == 422 and field in {e["field"] for e in bad.json_body["errors"]}, bad.body
    assert post(api, HOLIDAYS, {"year": 2026}, aws.auth("ana.l1")).status_code == 403
