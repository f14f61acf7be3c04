"""The forum's figures (issue 15 item 6) in the supervisors' dashboard and in open data: counted by
the forum's own writes (topics, replies, accepted answers by staff or by the community, reports,
moderation), read for the dashboard's period, published as monthly aggregates with small counts
suppressed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from tests.conftest import Aws, post
from tests.integration.test_forum import MOD, demo_forum, listing, mod, new_citizen, put, topic_body

__all__ = ["demo_forum"]  # the module fixture, shared
SUPERVISOR = "carla.supervisora"


def _forum(api: Any, aws: Aws, query: str = "") -> dict[str, Any]:
    answer = api.get(f"/api/v1/stats/dashboard{query}", headers=aws.auth(SUPERVISOR))
    assert answer.status_code == 200, answer.body
    return dict(answer.json_body["forum"])


def _past_day(days_back: int) -> date:
    from ventanilla.services.due_dates import institution_today

    return institution_today() - timedelta(days=days_back)


def _count(day: date, counters: dict[str, int]) -> None:
    """The day's counters as the forum's writes leave them (one shard each call)."""
    from ventanilla.storage import forum as store

    store.write([store.count(day.isoformat(), counters)])


def test_the_dashboard_counts_the_forums_writes_and_who_answered(api: Any, aws: Aws, demo_forum: Any) -> None:
    before = _forum(api, aws)
    author, helper = new_citizen(api, aws), new_citizen(api, aws)
    community = post(
        api, "/api/v1/forum/topics", topic_body(title="¿Dónde pago el permiso?"), author["headers"]
    )
    t1 = community.json_body["topic_id"]
    r1 = post(api, f"/api/v1/forum/topics/{t1}/replies", {"body": "En la caja municipal."}, helper["headers"])
    assert (
        put(
            api,
            f"/api/v1/forum/topics/{t1}/accepted",
            {"post_id": r1.json_body["post_id"]},
            author["headers"],
        ).status_code
        == 200
    )
    t2 = post(
        api, "/api/v1/forum/topics", topic_body(title="¿Horario de la oficina?"), author["headers"]
    ).json_body["topic_id"]
    r2 = post(api, f"/api/v1/forum/topics/{t2}/replies", {"body": "De 8:30 a 14:00."}, aws.auth("ana.l1"))
    assert r2.status_code == 201, r2.body
    assert (
        put(
            api,
            f"/api/v1/forum/topics/{t2}/accepted",
            {"post_id": r2.json_body["post_id"]},
            author["headers"],
        ).status_code
        == 200
    )
    assert (
        post(
            api, f"/api/v1/forum/topics/{t2}/posts/topic/report", {"reason": "spam"}, helper["headers"]
        ).status_code
        == 202
    )
    assert mod(api, aws, f"topics/{t2}/lock", {"reason": "Resuelto"}).status_code == 200

    after = _forum(api, aws)
    delta = {
        k: after[k] - before[k]
        for k in (
            "topics",
            "replies",
            "replies_by_staff",
            "answered",
            "answered_by_staff",
            "answered_by_community",
            "reports",
            "moderation_actions",
        )
    }
    assert delta == {
        "topics": 2,
        "replies": 2,
        "replies_by_staff": 1,
        "answered": 2,
        "answered_by_staff": 1,
        "answered_by_community": 1,
        "reports": 1,
        "moderation_actions": 1,
    }
    assert after["answered_by_community_pct"] == round(
        100 * after["answered_by_community"] / after["answered"], 1
    )
    assert after["mean_first_reply_minutes"] is not None and after["mean_accepted_minutes"] is not None
    # the same figures for moderators through their own route; agents and citizens see none
    assert api.get("/api/v1/stats/forum?days=1", headers=aws.auth(MOD)).json_body["topics"] >= 2
    assert api.get("/api/v1/stats/dashboard", headers=aws.auth("ana.l1")).status_code == 403
    assert api.get("/api/v1/stats/forum", headers=author["headers"]).status_code in (401, 403)


def test_an_empty_period_and_the_staff_community_share_of_a_chosen_period(api: Any, aws: Aws) -> None:
    day = _past_day(400)
    _count(
        day, {"topics": 3, "replies": 5, "replies_by_staff": 1, "first_replies": 3, "first_reply_minutes": 90}
    )
    _count(day, {"answered": 1, "answered_by_staff": 1, "accepted_minutes": 120})
    _count(
        day + timedelta(days=1),
        {"answered": 3, "answered_by_community": 3, "accepted_minutes": 480, "reports": 2, "moderation": 4},
    )
    period = f"?from={day.isoformat()}&to={(day + timedelta(days=6)).isoformat()}"
    forum = _forum(api, aws, period)
    assert forum == {
        "days": 7,
        "start": day.isoformat(),
        "end": (day + timedelta(days=6)).isoformat(),
        "topics": 3,
        "replies": 5,
        "replies_by_staff": 1,
        "answered": 4,
        "answered_by_staff": 1,
        "answered_by_community": 3,
        "answered_by_community_pct": 75.0,
        "answered_by_staff_pct": 25.0,
        "mean_first_reply_minutes": 30.0,
        "mean_accepted_minutes": 150.0,
        "reports": 2,
        "moderation_actions": 4,
    }
    empty = (day - timedelta(days=30)).isoformat()
    nothing = _forum(api, aws, f"?from={empty}&to={(day - timedelta(days=1)).isoformat()}")
    assert {k: v for k, v in nothing.items() if k not in ("days", "start", "end")} == {
        "topics": 0,
        "replies": 0,
        "replies_by_staff": 0,
        "answered": 0,
        "answered_by_staff": 0,
        "answered_by_community": 0,
        "answered_by_community_pct": None,
        "answered_by_staff_pct": None,
        "mean_first_reply_minutes": None,
        "mean_accepted_minutes": None,
        "reports": 0,
        "moderation_actions": 0,
    }
    # the card's data as CSV, same period; a filter does not change the forum's figures
    chart = api.get(f"/api/v1/stats/charts/forum{period}", headers=aws.auth(SUPERVISOR))
    assert chart.status_code == 200, chart.body
    rows = dict(
        list(csv.reader(io.StringIO(chart.body.decode() if isinstance(chart.body, bytes) else chart.body)))[
            1:
        ]
    )
    assert rows["answered_by_community_pct"] == "75.0" and rows["mean_first_reply_minutes"] == "30.0"
    assert _forum(api, aws, period + "&channel=web")["topics"] == 3


def test_open_data_publishes_the_forums_months_with_small_counts_suppressed(api: Any, aws: Aws) -> None:
    from ventanilla.stats.open_data import FORUM_COLUMNS, SUPPRESS_BELOW

    day = _past_day(0).replace(day=1) - timedelta(days=150)  # a month within the last twelve
    month = day.strftime("%Y-%m")
    _count(
        day, {"topics": 7, "replies": 3, "answered": 5, "answered_by_community": 4, "answered_by_staff": 1}
    )
    _count(
        day,
        {
            "first_replies": 2,
            "first_reply_minutes": 100,
            "accepted_minutes": 600,
            "reports": 1,
            "moderation": 6,
        },
    )
    answer = api.get("/api/v1/public/stats")
    assert answer.status_code == 200
    data = answer.json_body
    [row] = [m for m in data["forum"] if m["month"] == month]
    assert row == {
        "month": month,
        "topics": 7,
        "replies": None,  # 3 < 5
        "answered": 5,
        "answered_by_community_pct": 80.0,
        "mean_first_reply_hours": None,  # on 2 first replies
        "mean_accepted_hours": 2.0,
        "reports": None,
        "moderation_actions": 6,
    }
    assert SUPPRESS_BELOW == data["suppressed_below"] == 5
    assert all(set(m) == set(FORUM_COLUMNS) for m in data["forum"])  # aggregates only: no names, no ids
    assert all(
        m["month"] >= (_past_day(0).replace(day=1) - timedelta(days=340)).strftime("%Y-%m")
        for m in data["forum"]
    )
    table = api.get("/api/v1/public/stats?format=csv&table=forum")
    assert table.status_code == 200 and table.headers["Content-Type"].startswith("text/csv")
    text = table.body.decode() if isinstance(table.body, bytes) else table.body
    lines = list(csv.reader(io.StringIO(text)))
    assert tuple(lines[0]) == FORUM_COLUMNS
    assert [month, "7", "", "5", "80.0", "", "2.0", "", "6"] in lines
    bad = api.get("/api/v1/public/stats?format=csv&table=foro")
    assert bad.status_code == 400
    assert bad.json_body["errors"][0]["field"] == "table"


def test_a_held_post_counts_bumps_and_is_announced_once_when_first_approved(
    api: Any, aws: Aws, demo_forum: Any
) -> None:
    """A new account's first posts wait for a moderator: approving one publishes it as if it had
    been published then; an edit held again and approved is not a new reply."""
    moderator = aws.auth(MOD)
    rules = api.get("/api/v1/admin/forum/rules", headers=moderator).json_body
    assert (
        put(api, "/api/v1/admin/forum/rules", {**rules, "link_policy": "hold"}, moderator).status_code == 200
    )
    try:
        author, newcomer = new_citizen(api, aws), new_citizen(api, aws, veteran=False)
        tid = post(api, "/api/v1/forum/topics", topic_body(), author["headers"]).json_body["topic_id"]
        assert put(api, f"/api/v1/forum/topics/{tid}/follow", {}, author["headers"]).status_code == 200
        created = api.get(f"/api/v1/forum/topics/{tid}").json_body
        before = _forum(api, aws)
        held = post(
            api, f"/api/v1/forum/topics/{tid}/replies", {"body": "Pasa los martes."}, newcomer["headers"]
        )
        rid = held.json_body["post_id"]
        assert held.json_body["status"] == "held"
        own = post(api, "/api/v1/forum/topics", topic_body(title="Mi primer tema"), newcomer["headers"])
        assert own.json_body["status"] == "held"
        assert _forum(api, aws)["replies"] == before["replies"]

        def notices() -> list[dict[str, Any]]:
            listed = api.get("/api/v1/forum/me", headers=author["headers"]).json_body["notices"]
            return [n for n in listed if n["topic_id"] == tid and n["action"] == "reply"]

        assert notices() == []
        assert mod(api, aws, f"topics/{tid}/posts/{rid}/approve").status_code == 200
        assert mod(api, aws, f"topics/{own.json_body['topic_id']}/posts/topic/approve").status_code == 200
        topic = api.get(f"/api/v1/forum/topics/{tid}").json_body
        assert topic["replies"] == 1 and topic["last_activity_at"] > created["last_activity_at"]
        assert listing(api)[0] == tid  # the approved reply is the topic's latest activity
        after = _forum(api, aws)
        assert (after["topics"] - before["topics"], after["replies"] - before["replies"]) == (1, 1)
        assert len(notices()) == 1

        # Past the hold now, the newcomer edits in a link: held again, no longer shown, then approved.
        path = f"/api/v1/forum/topics/{tid}/posts/{rid}"
        edited = put(api, path, {"body": "Pasa los martes: https://spam.example.com/x"}, newcomer["headers"])
        assert edited.status_code == 200 and edited.json_body["status"] == "held", edited.body
        assert api.get(f"/api/v1/forum/topics/{tid}").json_body["replies"] == 0
        assert mod(api, aws, f"topics/{tid}/posts/{rid}/approve").status_code == 200
        assert api.get(f"/api/v1/forum/topics/{tid}").json_body["replies"] == 1
        assert _forum(api, aws)["replies"] - before["replies"] == 1 and len(notices()) == 1
    finally:
        put(api, "/api/v1/admin/forum/rules", rules, moderator)
