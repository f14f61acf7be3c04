"""The statistics aggregator, fed stream records as Lambda feeds them, against moto.

A property test drives random ticket histories (status moves, reassignments, reclassification of
type, subtype, channel and priority, breaches, escalations, first responses, surveys, a second
survey after a reopen) through the StatsFunction handler, with records duplicated, replayed out of
order and split into random batches, and compares every counter it wrote, in every slice (the
filtered slices' breakdowns and stocks included), with a recount from the raw versions, and the
dashboard's figures, unfiltered and filtered, with figures computed straight from those versions.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeSerializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local.functions import LambdaContext
from tests.conftest import Aws
from ventanilla.rules.state_machine import TRANSITIONS, Status
from ventanilla.sla.calendar import BusinessCalendar
from ventanilla.stats.keys import (
    NOW_SK,
    Dims,
    bucket_of,
    day_of,
    day_sk,
    has_months,
    local_day,
    month_sk,
    slice_views,
    slices_of,
    stats_pk,
)

OPEN = {"received", "assigned", "in_progress", "waiting_citizen", "reopened"}
TEAMS = ("stats-a", "stats-b")
CHANNELS = ("web", "phone")
PRIORITIES = ("low", "high")
_numbers = itertools.count(1)
_types = itertools.count(1)
_serializer = TypeSerializer()


# ---- random histories ----------------------------------------------------------------------------


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@st.composite
def history(draw: Any, types: tuple[str, str]) -> list[dict[str, Any]]:
    """The successive images of one ticket, as the API would have written them."""
    number = f"2026-{900000 + next(_numbers):06d}"
    start = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 120 * 24 * 60 // 10)) * 10
    )
    image: dict[str, Any] = {
        "number": number,
        "version": 1,
        "type_code": draw(st.sampled_from(types)),
        "subtype_code": draw(st.sampled_from(("s1", "s2"))),
        "channel": draw(st.sampled_from(CHANNELS)),
        "team": draw(st.sampled_from(TEAMS)),
        "priority": draw(st.sampled_from(PRIORITIES)),
        "status": "received",
        "created_at": _iso(start),
        "updated_at": _iso(start),
        "breached": [],
        "escalation_level": 0,
        "legal_kind": draw(st.sampled_from((None, "CL/access_to_information"))),
    }
    versions = [dict(image)]
    now = start
    for _ in range(draw(st.integers(0, 7))):
        now += timedelta(minutes=draw(st.integers(1, 6 * 24 * 60)))
        image = {**image, "version": image["version"] + 1, "updated_at": _iso(now)}
        kind = draw(
            st.sampled_from(
                (
                    *("status",) * 4,
                    *("team", "type", "channel", "subtype", "priority"),
                    *("breach", "escalate", "csat", "csat"),
                )
            )
        )
        status = Status(image["status"])
        if kind == "status" and TRANSITIONS[status]:
            target = draw(st.sampled_from(sorted(TRANSITIONS[status])))
            image["status"] = target.value
            if target == Status.IN_PROGRESS and "first_response_at" not in image:
                image["first_response_at"] = _iso(now)
                image["first_response_business_seconds"] = draw(st.integers(0, 1_200 * 3600))
            if target == Status.RESOLVED:
                image["resolution_business_seconds"] = draw(st.integers(0, 1_200 * 3600))
                image["resolved_at"] = _iso(now)
            if target == Status.REOPENED:
                image["resolved_at"] = None
        elif kind == "team":
            image["team"] = draw(st.sampled_from(TEAMS))
        elif kind == "type":
            image["type_code"] = draw(st.sampled_from(types))
            image["priority"] = draw(st.sampled_from(PRIORITIES))
        elif kind == "channel":
            image["channel"] = draw(st.sampled_from(CHANNELS))
        elif kind == "subtype":
            image["subtype_code"] = draw(st.sampled_from(("s1", "s2")))
        elif kind == "priority":
            image["priority"] = draw(st.sampled_from(PRIORITIES))
        elif kind == "breach":
            target_name = draw(st.sampled_from(("first_response", "resolution", "legal")))
            if target_name not in image["breached"]:
                # the timer fires at (or, delivered late, after) the target's due moment
                late = timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
                image[f"{target_name}_due"] = _iso(max(start, now - late))
            image["breached"] = sorted({*image["breached"], target_name})
        elif kind == "escalate":
            image["escalation_level"] += 1
        elif (
            kind == "csat"
            and image["status"] in ("resolved", "closed")
            and image.get("resolved_at")
            and image.get("csat_resolved_at") != image["resolved_at"]
        ):
            # once per resolution, as the survey allows: a reopened and resolved again ticket
            # gets a second answer
            image["csat_score"] = draw(st.integers(1, 5))
            image["csat_at"] = _iso(now)
            image["csat_resolved_at"] = image["resolved_at"]
        versions.append(dict(image))
    return versions


def _record(image: dict[str, Any], seq: int, *, old: dict[str, Any] | None) -> dict[str, Any]:
    keys = {"PK": f"TICKET#{image['number']}", "SK": "TICKET"}
    item = {k: v for k, v in {**keys, **image}.items() if v is not None}
    dynamodb: dict[str, Any] = {
        "Keys": {k: _serializer.serialize(v) for k, v in keys.items()},
        "NewImage": {k: _serializer.serialize(v) for k, v in item.items()},
        "SequenceNumber": str(seq),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        dynamodb["OldImage"] = {k: _serializer.serialize(v) for k, v in old.items() if v is not None}
    return {
        "eventID": f"e{seq}",
        "eventName": "INSERT" if old is None else "MODIFY",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
        "dynamodb": dynamodb,
    }


def _event_record(number: str, at: str, actor: str, seq: int) -> dict[str, Any]:
    keys = {"PK": f"TICKET#{number}", "SK": f"EV#{at}#00#m{seq}"}
    image = {
        **keys,
        "number": number,
        "at": at,
        "action": "message",
        "actor": {"kind": actor},
        "public": True,
    }
    return {
        "eventID": f"v{seq}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
        "dynamodb": {
            "Keys": {k: _serializer.serialize(v) for k, v in keys.items()},
            "NewImage": {k: _serializer.serialize(v) for k, v in image.items()},
            "SequenceNumber": str(seq),
        },
    }


# ---- the recount ------------------------------------------------------------------------------------


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _dims(v: dict[str, Any]) -> Dims:
    return Dims(v["type_code"], v["subtype_code"], v["channel"], v["team"], v["priority"])


def recount(
    histories: list[list[dict[str, Any]]], calendar: BusinessCalendar, events: list[tuple[str, str]]
) -> dict:
    """Every counter, straight from the versions: no facts, no deltas, no storage."""
    zone = calendar.zone
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def label(dims: Dims, name: str) -> str:
        return f"{dims.type}.{dims.subtype}" if name == "subtype" else str(getattr(dims, name))

    def flow(dims: Dims, day: str, attr: str, n: float = 1, breakdown: bool = False) -> None:
        for s, free in slice_views(dims):
            out[(stats_pk(s), day_sk(day))][attr] += round(n)
            if has_months(s):
                out[(stats_pk(s), month_sk(day[:7]))][attr] += round(n)
            for name in free if breakdown else ():
                out[(stats_pk(s), day_sk(day))][f"{attr}@{name}={label(dims, name)}"] += round(n)

    for versions in histories:
        first, last = versions[0], versions[-1]
        created_day = local_day(_when(first["created_at"]), zone)
        flow(_dims(first), created_day, "created", breakdown=True)
        if last["status"] in OPEN:
            # the stocks follow the ticket: all of it under its last dimensions
            for s, free in slice_views(_dims(last)):
                now = out[(stats_pk(s), NOW_SK)]
                now["open"] += 1
                now[f"open#{last['status']}"] += 1
                now[f"age#{created_day}"] += 1
                for name in free:
                    now[f"open@{name}={label(_dims(last), name)}"] += 1
        entered = _when(first["updated_at"])
        seen_breaches: set[str] = set()
        responded = False
        answers: set[str] = set()
        missed: set[str] = set()  # counted as missed when due, the late completion still to come
        for i, v in enumerate(versions):
            day = local_day(_when(v["updated_at"]), zone)
            prev = versions[i - 1] if i else None
            for s in slices_of(_dims(v)) if v["status"] in OPEN else ():
                out[(stats_pk(s), day_sk(day))]["net_open"] += 1
            if prev is not None and prev["status"] in OPEN:
                for s in slices_of(_dims(prev)):
                    out[(stats_pk(s), day_sk(day))]["net_open"] -= 1
            dims = _dims(v)
            if prev is not None and prev["status"] != v["status"]:
                left = _when(v["updated_at"])
                flow(dims, day, f"tis_n#{prev['status']}")
                flow(dims, day, f"tis_s#{prev['status']}", (left - entered).total_seconds())
                flow(dims, day, f"tis_bs#{prev['status']}", calendar.business_seconds_between(entered, left))
                entered = left
                if v["status"] == "resolved":
                    flow(dims, day, "resolved", breakdown=True)
                    bucket = bucket_of(v["resolution_business_seconds"])
                    flow(dims, day, f"resh#{bucket}")
                    if "resolution" in missed:
                        missed.discard("resolution")
                        flow(dims, day, f"resl#{bucket}")
                    else:
                        flow(dims, day, "res_n", breakdown=True)
                        flow(dims, day, "res_met", "resolution" not in v["breached"], breakdown=True)
                    if v["legal_kind"] and "legal" in missed:
                        missed.discard("legal")
                    elif v["legal_kind"]:
                        flow(dims, day, "legal_n", breakdown=True)
                        flow(dims, day, "legal_met", "legal" not in v["breached"], breakdown=True)
                if v["status"] == "reopened":
                    flow(dims, day, "reopened", breakdown=True)
                if v["status"] == "closed":
                    flow(dims, day, "closed")
            if v.get("first_response_at") and not responded:
                responded = True
                bucket = bucket_of(v["first_response_business_seconds"])
                flow(dims, day, f"frh#{bucket}")
                if "first_response" in missed:
                    missed.discard("first_response")
                    flow(dims, day, f"frl#{bucket}")
                else:
                    flow(dims, day, "fr_n", breakdown=True)
                    flow(dims, day, "fr_met", "first_response" not in v["breached"], breakdown=True)
            for target in sorted(set(v["breached"]) - seen_breaches):
                flow(dims, day, "breaches", breakdown=True)
                flow(dims, day, f"breach#{target}")
                done = {
                    "first_response": responded,
                    "resolution": v["status"] in ("resolved", "closed"),
                    "legal": not v["legal_kind"] or v["status"] in ("resolved", "closed"),
                }[target]
                if not done:  # missed from its due moment, on its due day
                    due_day = min(day, local_day(_when(v[f"{target}_due"]), zone))
                    short = {"first_response": "fr", "resolution": "res", "legal": "legal"}[target]
                    flow(dims, due_day, f"{short}_n", breakdown=True)
                    flow(dims, due_day, f"{short}_miss")
                    missed.add(target)
            seen_breaches |= set(v["breached"])
            if prev is not None and v["escalation_level"] > prev["escalation_level"]:
                flow(
                    dims, day, "escalations", v["escalation_level"] - prev["escalation_level"], breakdown=True
                )
            if v.get("csat_score") and v["csat_at"] not in answers:  # every answer, once
                answers.add(v["csat_at"])
                flow(dims, day, "csat_n")
                flow(dims, day, "csat_sum", v["csat_score"])
                flow(dims, day, f"csat#{v['csat_score']}")
    for at, actor in events:
        day = local_day(_when(at), zone)
        for sk in (day_sk(day), month_sk(day[:7])):
            out[(stats_pk("all"), sk)][f"messages@actor={actor}"] += 1
    return {k: {a: n for a, n in attrs.items() if n} for k, attrs in out.items() if any(attrs.values())}


# ---- reading what the aggregator wrote --------------------------------------------------------------


def _snapshot(aws: Aws, pks: set[str]) -> dict[tuple[str, str], dict[str, int]]:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    out: dict[tuple[str, str], dict[str, int]] = {}
    for pk in pks:
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("PK").eq(pk)}
        while True:
            page = table.query(**kwargs)
            for item in page["Items"]:  # a day's parts (totals, breakdowns, histograms) as one day
                row = out.setdefault((pk, day_of(item["SK"])), {})
                for k, v in item.items():
                    if isinstance(v, Decimal) and k not in ("ttl",):
                        row[k] = row.get(k, 0) + int(v)
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return out


def _diff(before: dict, after: dict) -> dict:
    out = {}
    for key, attrs in after.items():
        old = before.get(key, {})
        changed = {a: n - old.get(a, 0) for a, n in attrs.items() if n != old.get(a, 0)}
        if changed:
            out[key] = changed
    return out


def _deliver(aws: Aws, records: list[dict[str, Any]], rng: random.Random) -> None:
    handler = aws.stack.functions["StatsFunction"].load()
    i = 0
    while i < len(records):
        size = rng.randint(1, 25)
        result = handler({"Records": records[i : i + size]}, LambdaContext("StatsFunction"))
        assert result == {"batchItemFailures": []}
        i += size


def _calendar() -> BusinessCalendar:
    from ventanilla.services.due_dates import institution_calendar

    return institution_calendar()


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_aggregates_equal_a_recount_whatever_the_duplicates_and_replays(aws: Aws, data: Any) -> None:
    n = next(_types)
    types = (f"stats-p{n}a", f"stats-p{n}b")
    histories = data.draw(st.lists(history(types), min_size=1, max_size=5), label="histories")
    seed = data.draw(st.integers(0, 2**32), label="delivery")
    rng = random.Random(seed)
    # per ticket in order; tickets interleaved; duplicates right away and replays of older versions later
    queues = [[(h[i], h[i - 1] if i else None) for i in range(len(h))] for h in histories]
    seq = itertools.count(10_000 * n)
    records: list[dict[str, Any]] = []
    delivered: list[dict[str, Any]] = []
    events: list[tuple[str, str]] = []
    while any(queues):
        q = rng.choice([q for q in queues if q])
        image, old = q.pop(0)
        record = _record(image, next(seq), old=old)
        records.append(record)
        delivered.append(record)
        if rng.random() < 0.3:
            records.append(record)  # at-least-once: the same record twice
        if rng.random() < 0.2:
            records.append(rng.choice(delivered))  # a replay of an earlier record
        if rng.random() < 0.2:
            actor = rng.choice(("citizen", "staff"))
            event = _event_record(image["number"], image["updated_at"], actor, next(seq))
            events.append((image["updated_at"], actor))
            records.append(event)
            if rng.random() < 0.5:
                records.append(event)
    dims = {_dims(v) for h in histories for v in h}
    pks = {stats_pk(s) for d in dims for s in slices_of(d)} | {stats_pk("all")}
    before = _snapshot(aws, pks)
    _deliver(aws, records, rng)
    expected = recount(histories, _calendar(), events)
    assert _diff(before, _snapshot(aws, pks)) == expected

    # the dashboard of one example-only type, against figures taken straight from the versions
    from datetime import date

    from ventanilla.stats import dashboard

    mine = types[0]
    start = date(2026, 5, 25)
    end = dashboard.today()
    figures = dashboard.build(start, end, {"type": mine})
    created = sum(1 for h in histories if h[0]["type_code"] == mine)
    open_now = sum(1 for h in histories if h[-1]["type_code"] == mine and h[-1]["status"] in OPEN)
    resolved = sum(
        1
        for h in histories
        for i, v in enumerate(h)
        if i and v["type_code"] == mine and v["status"] == "resolved" and h[i - 1]["status"] != "resolved"
    )
    assert (figures.created, figures.backlog, figures.resolved) == (created, open_now, resolved)
    assert sum(r.created for r in figures.volume_by_day) == created
    responses = sorted(
        next(v for v in h if v.get("first_response_at"))["first_response_business_seconds"]
        for h in histories
        if any(v.get("first_response_at") for v in h)
        and next(v for v in h if v.get("first_response_at"))["type_code"] == mine
    )
    assert figures.first_response.count == len(responses)
    if responses:
        median = responses[(len(responses) + 1) // 2 - 1]  # the lower median: the bucket it falls in
        bucket = bucket_of(median)
        assert figures.first_response.median_hours == (961 if bucket == "inf" else int(bucket))
    else:
        assert figures.first_response.median_hours is None

    # the filtered views have their breakdowns, % met per team and backlog per dimension value
    def resolution_outcomes(h: list[dict[str, Any]]) -> list[tuple[dict[str, Any], bool]]:
        """Each request counted against the resolution target: resolved (met unless breached),
        or due while unresolved (missed; its late resolution then not counted again)."""
        out, pending = [], False
        for i, v in enumerate(h):
            prev = h[i - 1] if i else None
            if prev is not None and v["status"] == "resolved" and prev["status"] != "resolved":
                if not pending:
                    out.append((v, "resolution" not in v["breached"]))
                pending = False
            newly = "resolution" in v["breached"] and not (prev and "resolution" in prev["breached"])
            if newly and v["status"] not in ("resolved", "closed"):
                out.append((v, False))
                pending = True
        return out

    for filters in ({"type": mine}, {"type": mine, "team": TEAMS[0]}, {"type": mine, "channel": CHANNELS[1]}):
        view = dashboard.build(start, end, filters)

        def matches(v: dict[str, Any], filters: dict[str, str] = filters) -> bool:
            names = {"type": "type_code", "team": "team", "channel": "channel"}
            return all(v[names[k]] == want for k, want in filters.items())

        for dim, field in (("team", "team"), ("channel", "channel"), ("priority", "priority")):
            filed: dict[str, int] = defaultdict(int)
            for h in histories:
                if matches(h[0]):
                    filed[h[0][field]] += 1
            got = {
                value: m["created"] for value, m in view.breakdown.get(dim, {}).items() if m.get("created")
            }
            assert got == dict(filed), (filters, dim)
            met: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for h in histories:
                for v, on_time in resolution_outcomes(h):
                    if matches(v):
                        met[v[field]][0] += 1
                        met[v[field]][1] += on_time
            if dim == "team":
                rates = {
                    t: by["resolution"] for t, by in view.met_by["team"].items() if by["resolution"].total
                }
                assert {t: [r.total, r.met] for t, r in rates.items()} == dict(met), filters
            backlog: dict[str, int] = defaultdict(int)
            for h in histories:
                if matches(h[-1]) and h[-1]["status"] in OPEN:
                    backlog[h[-1][field]] += 1
            assert view.backlog_by.get(dim, {}) == dict(backlog), (filters, dim)


def test_a_bad_record_fails_alone_and_the_rest_is_counted_once(aws: Aws) -> None:
    handler = aws.stack.functions["StatsFunction"].load()
    n = next(_types)
    image = {
        "number": f"2026-{800000 + n:06d}",
        "version": 1,
        "type_code": f"stats-bad{n}",
        "subtype_code": "s1",
        "channel": "web",
        "team": "stats-a",
        "priority": "low",
        "status": "received",
        "created_at": "2026-11-02T12:00:00.000Z",
        "updated_at": "2026-11-02T12:00:00.000Z",
        "breached": [],
        "escalation_level": 0,
    }
    good = _record(image, 1, old=None)
    bad = _record({k: v for k, v in image.items() if k != "version"} | {"number": "2026-799999"}, 2, old=None)
    pk = stats_pk(f"type=stats-bad{n}")
    result = handler({"Records": [good, bad, good]}, LambdaContext("StatsFunction"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    items = _snapshot(aws, {pk})
    assert items[(pk, "D#2026-11-02")]["created"] == 1
    assert items[(pk, NOW_SK)]["open"] == 1
