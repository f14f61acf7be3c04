"""Subscriber counts per sector and topic (issue 16, counters): exact through subscribe, confirm,
change, unsubscribe and erasure, unmoved by retries; the offline recount puts wrong counters
right; the SUBREF# backfill lets an erasure find a subscription written before those items."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.conftest import Aws, post
from tests.integration import test_proactive
from tests.integration.test_accounts import bearer, sign_up
from tests.integration.test_proactive import sent, subscribe

proactive_world = test_proactive.world  # the module's sectors and topics (a fixture)


def staff(aws: Aws, who: str = "carla.supervisora") -> dict[str, str]:
    return {**aws.auth(who), "Content-Type": "application/json"}


def counts(api: Any, aws: Aws) -> dict[str, int]:
    """The console's figures: each sector's subscribers, ``*`` those of every sector, and
    ``topic:<code>`` each topic's."""
    areas = api.get("/api/v1/admin/areas", headers=staff(aws))
    assert areas.status_code == 200, areas.body
    topics = api.get("/api/v1/admin/subscription-topics", headers=staff(aws))
    assert topics.status_code == 200, topics.body
    found = {i["code"]: i["subscribers"] for i in areas.json_body["items"]}
    found["*"] = areas.json_body["everywhere"]
    found.update({f"topic:{t['code']}": t["subscribers"] for t in topics.json_body["items"]})
    return found


def moved(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        k: after.get(k, 0) - before.get(k, 0)
        for k in set(before) | set(after)
        if after.get(k, 0) != before.get(k, 0)
    }


def token_of(email: str) -> str:
    found = re.search(r"token=([A-Za-z0-9_-]+)", sent(email, "email")[0]["text"])
    assert found
    return found.group(1)


def manage(sub_id: str) -> str:
    from ventanilla.services.subscriptions import manage_token

    return manage_token(sub_id)


def test_counts_follow_each_change_exactly_and_retries_move_nothing(
    api: Any, aws: Aws, proactive_world: dict[str, str]
) -> None:
    from ventanilla.storage import subscriptions as store

    north, south = proactive_world["north"], proactive_world["south"]
    start = counts(api, aws)
    assert start[north] == 0 and start[south] == 0
    email = f"cuenta-{uuid.uuid4().hex[:8]}@example.cl"
    made = subscribe(api, email=email, topics=["cortes-agua", "eventos"], sectors=[north])
    assert moved(start, counts(api, aws)) == {}  # pending: nothing is sent to it, nothing counted
    confirmed = post(api, "/api/v1/subscriptions/confirm", {"token": token_of(email)})
    assert confirmed.status_code == 200, confirmed.body
    assert moved(start, counts(api, aws)) == {north: 1, "topic:cortes-agua": 1, "topic:eventos": 1}
    # The link used twice (a retried request): the second finds the token gone, counts stay.
    assert post(api, "/api/v1/subscriptions/confirm", {"token": token_of(email)}).status_code == 404
    assert moved(start, counts(api, aws)) == {north: 1, "topic:cortes-agua": 1, "topic:eventos": 1}
    sub_id = made["id"]
    # A change of sectors and topics moves the counters from the old ones to the new.
    changed = api.put(
        f"/api/v1/subscriptions/{sub_id}?t={manage(sub_id)}",
        body=json.dumps({"topics": ["cortes-agua"], "sectors": [south]}),
        headers={"Content-Type": "application/json"},
    )
    assert changed.status_code == 200, changed.body
    assert moved(start, counts(api, aws)) == {south: 1, "topic:cortes-agua": 1}
    # A transaction replayed from a stale read (a retry after the first went through) is refused
    # whole: the counters do not move a second time.
    now = store.get(sub_id)
    assert now is not None
    stale = now.model_copy(update={"version": now.version - 1, "sectors": [north]})
    with pytest.raises(store.StaleSubscription):
        store.save(stale, now.model_copy(update={"version": now.version}), "changed", {})
    assert moved(start, counts(api, aws)) == {south: 1, "topic:cortes-agua": 1}
    # A bad change is a 422 that moves nothing.
    bad = api.put(
        f"/api/v1/subscriptions/{sub_id}?t={manage(sub_id)}",
        body=json.dumps({"topics": ["no-existe"], "sectors": [south]}),
        headers={"Content-Type": "application/json"},
    )
    assert bad.status_code == 422 and bad.json_body["errors"][0]["field"] == "topics.0"
    assert moved(start, counts(api, aws)) == {south: 1, "topic:cortes-agua": 1}
    # Unsubscribing from everything takes it out; the one-click link used twice counts once.
    for _ in range(2):
        gone = api.post(f"/api/v1/subscriptions/{sub_id}/unsubscribe?t={manage(sub_id)}", body="")
        assert gone.status_code == 200 and gone.json_body["email_state"] == "unsubscribed"
    assert moved(start, counts(api, aws)) == {}


def test_an_erased_account_leaves_the_counts_once(
    api: Any, aws: Aws, proactive_world: dict[str, str]
) -> None:
    from ventanilla.storage import subscriptions as store

    north = proactive_world["north"]
    start = counts(api, aws)
    mail = f"borra-cuenta-{uuid.uuid4().hex[:6]}@example.cl"
    headers = bearer(sign_up(aws, mail))
    made = post(
        api,
        "/api/v1/subscriptions",
        {"consent": True, "email": mail, "topics": ["eventos"], "sectors": [north]},
        headers,
    )
    assert made.status_code == 201 and made.json_body["confirmed"], made.body  # the account proved it
    assert moved(start, counts(api, aws)) == {north: 1, "topic:eventos": 1}
    assert api.delete("/api/v1/me", headers=headers).status_code == 200
    assert moved(start, counts(api, aws)) == {}
    # Erasing the subscription again (a retried erasure) finds nothing to take out.
    store.delete_subscription(made.json_body["id"])
    assert moved(start, counts(api, aws)) == {}


def test_only_staff_see_the_counts(api: Any, aws: Aws, proactive_world: dict[str, str]) -> None:
    assert api.get("/api/v1/admin/areas", headers=staff(aws, "ana.l1")).status_code == 403
    assert api.get("/api/v1/admin/areas").status_code == 401
    public = api.get("/api/v1/areas")
    assert public.status_code == 200
    assert all(i.get("subscribers") is None for i in public.json_body["items"])
    assert public.json_body.get("everywhere") is None
    topics = api.get("/api/v1/subscription-topics").json_body["items"]
    assert topics and all(t.get("subscribers") is None for t in topics)


def test_the_recount_puts_wrong_counters_right(
    api: Any, aws: Aws, proactive_world: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from infra.ops import recount_subscribers
    from ventanilla.storage import subscription_counts
    from ventanilla.storage.table import table

    north = proactive_world["north"]
    email = f"recuento-{uuid.uuid4().hex[:8]}@example.cl"
    subscribe(api, email=email, topics=["cortes-agua"], sectors=[north])
    assert post(api, "/api/v1/subscriptions/confirm", {"token": token_of(email)}).status_code == 200
    right = counts(api, aws)
    # A table from before the counters (none for this sector) and a counter gone wrong.
    for shard in range(subscription_counts.SHARDS):
        table().delete_item(Key={"PK": subscription_counts.shard_pk(shard), "SK": f"SECTOR#{north}"})
    table().update_item(
        Key={"PK": subscription_counts.shard_pk(3), "SK": "TOPIC#cortes-agua"},
        UpdateExpression="ADD subscribers :n",
        ExpressionAttributeValues={":n": 7},
    )
    wrong = counts(api, aws)
    assert wrong[north] == 0 and wrong["topic:cortes-agua"] == right["topic:cortes-agua"] + 7
    assert recount_subscribers.main([]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changed"][f"SECTOR#{north}"] == [0, 1]
    assert report["changed"]["TOPIC#cortes-agua"] == [
        right["topic:cortes-agua"] + 7,
        right["topic:cortes-agua"],
    ]
    assert counts(api, aws) == right
    assert recount_subscribers.main([]) == 0  # again: nothing to change
    assert json.loads(capsys.readouterr().out)["changed"] == {}


def test_the_backfill_lets_erasure_find_an_old_subscription(
    api: Any, aws: Aws, proactive_world: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from infra.ops import backfill_subrefs
    from ventanilla.storage import subscriptions as store
    from ventanilla.storage.table import table

    north = proactive_world["north"]
    start = counts(api, aws)
    mail = f"antigua-{uuid.uuid4().hex[:6]}@example.cl"
    headers = bearer(sign_up(aws, mail))
    citizen_id = api.get("/api/v1/me", headers=headers).json_body["citizen_id"]
    made = post(
        api,
        "/api/v1/subscriptions",
        {"consent": True, "email": mail, "topics": ["eventos"], "sectors": [north]},
        headers,
    )
    assert made.status_code == 201, made.body
    sub_id = made.json_body["id"]
    # Written the old way: no SUBREF# item in the account's partition.
    table().delete_item(Key={"PK": f"CITIZEN#{citizen_id}", "SK": f"SUBREF#{sub_id}"})
    assert store.account_subscription_ids(citizen_id) == []
    # A subscription of an account erased before the backfill: the backfill finishes the erasure.
    late_mail = f"ya-borrada-{uuid.uuid4().hex[:6]}@example.cl"
    late_headers = bearer(sign_up(aws, late_mail))
    late_citizen = api.get("/api/v1/me", headers=late_headers).json_body["citizen_id"]
    late = post(
        api,
        "/api/v1/subscriptions",
        {"consent": True, "email": late_mail, "topics": ["eventos"], "sectors": [north]},
        late_headers,
    ).json_body["id"]
    table().delete_item(Key={"PK": f"CITIZEN#{late_citizen}", "SK": f"SUBREF#{late}"})
    assert api.delete("/api/v1/me", headers=late_headers).status_code == 200
    assert store.get(late) is not None  # what the erasure could not find
    assert moved(start, counts(api, aws)) == {north: 2, "topic:eventos": 2}

    assert backfill_subrefs.main(["--page", "1000"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    total = lines[-1]["total"]
    assert total["refs_added"] >= 1 and total["erased_late"] == 1, total
    assert all("cursor" in line for line in lines[:-1]) and lines[-2]["cursor"] is None
    assert store.account_subscription_ids(citizen_id) == [sub_id]
    assert store.get(late) is None
    assert moved(start, counts(api, aws)) == {north: 1, "topic:eventos": 1}
    # Again: nothing to add (idempotent).
    assert backfill_subrefs.main([]) == 0
    again = json.loads(capsys.readouterr().out.splitlines()[-1])["total"]
    assert again.get("refs_added", 0) == 0 and again.get("erased_late", 0) == 0
    # The erasure now finds it: the subscription, its audience and its count are gone.
    assert api.delete("/api/v1/me", headers=headers).status_code == 200
    assert store.get(sub_id) is None
    assert all(i["sub_id"] != sub_id for i in store.audience_page(north, "eventos", 1000, None)[0])
    assert moved(start, counts(api, aws)) == {}


def test_the_upgrade_runs_once_per_table(api: Any, aws: Aws, proactive_world: dict[str, str]) -> None:
    """What a local stack restored from an older data folder does at startup: backfill and recount
    once (the marker item written), nothing the second time."""
    from ventanilla.services import subscription_upkeep
    from ventanilla.storage import subscription_counts
    from ventanilla.storage.table import table

    table().delete_item(Key={"PK": subscription_counts.UPGRADES_PK, "SK": subscription_upkeep.UPGRADE})
    before = counts(api, aws)
    done = subscription_upkeep.upgrade_once()
    assert done is not None and done["recount"]["changed"] == {}, done  # the counters were exact
    assert subscription_counts.upgrade_done(subscription_upkeep.UPGRADE)
    assert subscription_upkeep.upgrade_once() is None
    assert counts(api, aws) == before


def test_a_change_of_every_sector_and_topic_goes_through_and_counts_right(api: Any, aws: Aws) -> None:
    """5 sectors x 10 topics swapped for 5 others x 10 others: 100 audience items and 30 counters,
    more than one transaction takes; it is done in two and answers 200, never a 500."""
    import random

    from tests.integration.test_proactive import collection, square
    from ventanilla.storage import subscriptions as store

    run = uuid.uuid4().hex[:6]
    lat = -60.0 + random.random() * 5
    sectors = [f"s{n}-{run}" for n in range(10)]
    topics = [f"t{n}-{run}" for n in range(20)]
    admin = staff(aws, "elena.admin")
    up = api.post(
        "/api/v1/admin/areas",
        body=json.dumps(
            collection(*[square(code, lat, 120.0 + n * 0.05, 0.02) for n, code in enumerate(sectors)])
        ),
        headers=admin,
    )
    assert up.status_code == 201, up.body
    for code in topics:
        assert (
            api.put(
                f"/api/v1/admin/subscription-topics/{code}", body=json.dumps({"name": code}), headers=admin
            ).status_code
            == 200
        )
    start = counts(api, aws)
    email = f"todo-{run}@example.cl"
    made = subscribe(api, email=email, topics=topics[:10], sectors=sectors[:5])
    assert post(api, "/api/v1/subscriptions/confirm", {"token": token_of(email)}).status_code == 200
    first = {**{s: 1 for s in sectors[:5]}, **{f"topic:{t}": 1 for t in topics[:10]}}
    assert moved(start, counts(api, aws)) == first
    sub_id = made["id"]
    changed = api.put(
        f"/api/v1/subscriptions/{sub_id}?t={manage(sub_id)}",
        body=json.dumps({"topics": topics[10:], "sectors": sectors[5:]}),
        headers={"Content-Type": "application/json"},
    )
    assert changed.status_code == 200, changed.body
    assert changed.json_body["topics"] == topics[10:] and changed.json_body["sectors"] == sectors[5:]
    second = {**{s: 1 for s in sectors[5:]}, **{f"topic:{t}": 1 for t in topics[10:]}}
    assert moved(start, counts(api, aws)) == second
    assert all(i["sub_id"] != sub_id for i in store.audience_page(sectors[0], topics[0], 100, None)[0])
    assert [i["sub_id"] for i in store.audience_page(sectors[9], topics[19], 100, None)[0]] == [sub_id]
    assert [e["action"] for e in store.ledger(sub_id)].count("changed") == 1
    # And it can change again (the version it ended with is the one stored).
    again = api.put(
        f"/api/v1/subscriptions/{sub_id}?t={manage(sub_id)}",
        body=json.dumps({"topics": topics[10:12], "sectors": sectors[5:6]}),
        headers={"Content-Type": "application/json"},
    )
    assert again.status_code == 200, again.body
    assert moved(start, counts(api, aws)) == {
        sectors[5]: 1,
        f"topic:{topics[10]}": 1,
        f"topic:{topics[11]}": 1,
    }
