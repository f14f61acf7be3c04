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
