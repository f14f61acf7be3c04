"""The aggregation rule without storage: business hours in a status, a second survey after a
reopen, a reclassified ticket's stocks moving while its flows stay, and the items one version
touches staying within one transaction."""

from __future__ import annotations

from typing import Any

from ventanilla.sla.calendar import demo_calendar
from ventanilla.stats.aggregate import Facts, step
from ventanilla.stats.keys import NOW_SK, day_of, day_part_sk, day_sk, month_sk, stats_pk

CAL = demo_calendar()
BASE: dict[str, Any] = {
    "number": "2026-000001",
    "version": 1,
    "type_code": "reclamo",
    "subtype_code": "servicio",
    "channel": "web",
    "team": "atencion",
    "priority": "medium",
    "status": "received",
    # Monday 2026-11-02 09:00 in Santiago (UTC-3)
    "created_at": "2026-11-02T12:00:00.000Z",
    "updated_at": "2026-11-02T12:00:00.000Z",
    "breached": [],
    "escalation_level": 0,
}


def run(*changes: dict[str, Any]) -> tuple[list[dict[tuple[str, str], dict[str, int]]], Facts]:
    facts: Facts | None = None
    image = dict(BASE)
    out = []
    for i, change in enumerate((None, *changes)):
        if change is not None:
            image = {**image, **change, "version": i + 1}
        result = step(facts, image, CAL)
        assert result is not None
        facts = result.facts
        out.append(result.deltas)
    assert facts is not None
    return out, facts


def test_time_in_a_status_is_counted_in_business_hours_too() -> None:
    # received Monday 09:00, assigned Tuesday 09:00 (same local time): 24 h of clock, 8 business h
    # (08:30-13:00 and 14:00-17:30 on Monday, from 09:00: 4 + 3.5; Tuesday 08:30-09:00: 0.5)
    deltas, _ = run({"status": "assigned", "updated_at": "2026-11-03T12:00:00.000Z"})
    day = deltas[1][(stats_pk("all"), day_sk("2026-11-03"))]
    assert day["tis_n#received"] == 1
    assert day["tis_s#received"] == 24 * 3600
    assert day["tis_bs#received"] == 8 * 3600


def test_a_weekend_in_a_status_adds_no_business_time() -> None:
    # Friday 16:30 (end of the last shift) to Monday 08:30 (start of the first one)
    deltas, _ = run(
        {"status": "assigned", "updated_at": "2026-11-06T19:30:00.000Z"},
        {"status": "in_progress", "updated_at": "2026-11-09T11:30:00.000Z"},
    )
    day = deltas[2][(stats_pk("team=atencion"), day_sk("2026-11-09"))]
    assert day["tis_n#assigned"] == 1 and day["tis_s#assigned"] == (2 * 24 + 16) * 3600
    assert "tis_bs#assigned" not in day  # zero business seconds: nothing to add


def test_a_second_survey_after_a_reopen_counts_and_a_repeated_one_does_not() -> None:
    first = {"csat_score": 2, "csat_at": "2026-11-04T12:00:00.000Z", "csat_resolved_at": "r1"}
    deltas, facts = run(
        {"status": "in_progress", "updated_at": "2026-11-03T12:00:00.000Z"},
        {"status": "resolved", "updated_at": "2026-11-03T13:00:00.000Z"},
        {**first, "updated_at": "2026-11-04T12:00:00.000Z"},
        {"status": "reopened", "updated_at": "2026-11-05T12:00:00.000Z"},  # the old score stays on it
        {"status": "resolved", "updated_at": "2026-11-06T12:00:00.000Z"},
        {"csat_score": 5, "csat_at": "2026-11-06T13:00:00.000Z", "csat_resolved_at": "r2"},
        {"status": "closed", "updated_at": "2026-11-07T12:00:00.000Z"},
    )
    all_ = stats_pk("all")
    first_day = deltas[3][(all_, day_sk("2026-11-04"))]
    assert (first_day["csat_n"], first_day["csat_sum"], first_day["csat#2"]) == (1, 2, 1)
    for quiet in (deltas[4], deltas[5], deltas[7]):
        assert not any(k.startswith("csat") for row in quiet.values() for k in row)
    second = deltas[6][(all_, day_sk("2026-11-06"))]
    assert (second["csat_n"], second["csat_sum"], second["csat#5"]) == (1, 5, 1)
    assert facts.csat == "2026-11-06T13:00:00.000Z"


def test_facts_of_the_old_shape_do_not_count_the_same_survey_again() -> None:
    _, facts = run({"status": "resolved", "csat_score": 4, "csat_at": "a1"})
    legacy = Facts.from_item({**facts.to_item(), "csat": True})
    again = step(legacy, {**BASE, "version": 3, "status": "closed", "csat_score": 4, "csat_at": "a1"}, CAL)
    assert again is not None and again.facts.csat == "a1"
    assert not any(k.startswith("csat") for row in again.deltas.values() for k in row)
    assert Facts.from_item({**facts.to_item(), "csat": False}).csat == ""


def test_a_reclassified_ticket_moves_its_backlog_and_keeps_its_past_flows() -> None:
    moved = {
        "type_code": "consulta",
        "team": "tecnico",
        "channel": "phone",
        "subtype_code": "general",
        "priority": "high",
        "updated_at": "2026-11-03T12:00:00.000Z",
    }
    deltas, facts = run(moved)
    reclassified = deltas[1]
    for old in ("type=reclamo", "team=atencion", "channel=web", "type=reclamo&team=atencion&channel=web"):
        assert reclassified[(stats_pk(old), NOW_SK)]["open"] == -1
        assert reclassified[(stats_pk(old), day_sk("2026-11-03"))] == {"net_open": -1}
    for new in ("type=consulta", "team=tecnico", "type=consulta&team=tecnico&channel=phone"):
        assert reclassified[(stats_pk(new), NOW_SK)]["open"] == 1
        assert reclassified[(stats_pk(new), NOW_SK)]["age#2026-11-02"] == 1
    now_all = reclassified[(stats_pk("all"), NOW_SK)]
    assert "open" not in now_all  # still one open ticket overall
    assert now_all["open@team=atencion"] == -1 and now_all["open@team=tecnico"] == 1
    assert now_all["open@subtype=reclamo.servicio"] == -1 and now_all["open@subtype=consulta.general"] == 1
    # no flow moves: "created" stays on the day and type it was filed under
    assert not any("created" in k for row in reclassified.values() for k in row)
    assert deltas[0][(stats_pk("type=reclamo"), day_sk("2026-11-02"))]["created"] == 1
    assert facts.dims.type == "consulta"


def test_one_version_touches_few_items_whatever_it_changes() -> None:
    everything = {
        "type_code": "consulta",
        "team": "tecnico",
        "channel": "phone",
        "subtype_code": "general",
        "priority": "high",
        "status": "resolved",
        "resolution_business_seconds": 3600,
        "first_response_at": "2026-11-03T12:00:00.000Z",
        "first_response_business_seconds": 3600,
        "breached": ["first_response", "resolution"],
        "escalation_level": 2,
        "legal_kind": "CL/access_to_information",
        "csat_score": 3,
        "csat_at": "2026-11-03T12:00:00.000Z",
        "updated_at": "2026-11-03T12:00:00.000Z",
    }
    deltas, _ = run(everything)
    # new: 8 days of 4 items (totals; resolved, first answered and other breakdowns), 2 month
    # items; old: 8 NOW and 7 day items (net_open); plus the facts
    assert len(deltas[1]) + 1 == 50
    still_open = {**everything, "status": "in_progress", "csat_score": None}
    deltas, _ = run(still_open)
    # the most: new 8 days of 4 items, 2 month and 8 NOW items; old 7 NOW and 7 day items; plus
    # the facts (a transaction holds at most 100)
    assert len(deltas[1]) + 1 == 57 <= 100


def _sum(deltas: list[dict[tuple[str, str], dict[str, int]]], pk: str, attr: str) -> int:
    return sum(
        row.get(attr, 0) for d in deltas for (p, sk), row in d.items() if p == pk and sk.startswith("D#")
    )


def test_a_merged_request_counts_once_never_resolved_nor_breached_after_the_merge() -> None:
    """Two requests merged, the survivor resolved within its target: one created, one resolved in
    time, no breach; the merged one leaves the backlog at the merge and is counted as merged."""
    all_ = stats_pk("all")
    merged, merged_facts = run(
        {"status": "assigned", "updated_at": "2026-11-02T13:00:00.000Z"},
        {
            "status": "closed",
            "updated_at": "2026-11-02T14:00:00.000Z",
            "merged_into": "2026-000002",
            "timers": [],
        },
    )
    survivor, _ = run(
        {"status": "resolved", "updated_at": "2026-11-03T13:00:00.000Z", "resolution_business_seconds": 3600},
    )
    both = merged + survivor
    assert _sum(both, all_, "created") == 1
    assert _sum(both, all_, "merged") == 1 and _sum(merged, all_, "merged") == 1
    assert _sum(both, all_, "resolved") == 1
    assert _sum(both, all_, "res_n") == 1 and _sum(both, all_, "res_met") == 1
    assert _sum(both, all_, "breaches") == 0 and _sum(both, all_, "res_miss") == 0
    # Its filing day no longer counts it; it left the backlog at the merge.
    assert merged[-1][(all_, day_sk("2026-11-02"))]["created"] == -1
    assert merged[-1][(all_, NOW_SK)]["open"] == -1
    assert merged_facts.status == "closed" and merged_facts.missed == ()
    # A replay of the merge version changes nothing (counted once).
    assert (
        step(
            merged_facts,
            {
                **BASE,
                "status": "closed",
                "version": 3,
                "merged_into": "x",
                "updated_at": "2026-11-02T14:00:00.000Z",
            },
            CAL,
        )
        is None
    )


def test_a_plain_close_is_not_a_merge() -> None:
    deltas, _ = run({"status": "closed", "updated_at": "2026-11-02T14:00:00.000Z"})
    assert _sum(deltas, stats_pk("all"), "created") == 1 and _sum(deltas, stats_pk("all"), "merged") == 0


def test_a_change_writes_only_the_parts_of_the_day_it_adds_to() -> None:
    """A day's breakdowns and histograms live beside its totals, by kind of change: an update is
    billed for the whole item, so a status change must not rewrite the day's breakdowns."""
    deltas, _ = run(
        {"status": "assigned", "updated_at": "2026-11-02T13:00:00.000Z"},
        {
            "status": "resolved",
            "updated_at": "2026-11-02T14:00:00.000Z",
            "resolution_business_seconds": 7200,
        },
    )
    filed, assigned, resolved = ({sk for pk, sk in d if pk == stats_pk("all")} for d in deltas)
    day = day_sk("2026-11-02")
    assert filed == {day, f"{day}#c", month_sk("2026-11"), NOW_SK}
    assert assigned == {day, month_sk("2026-11"), NOW_SK}  # time in a status, the backlog: totals
    assert resolved == {day, f"{day}#r", month_sk("2026-11"), NOW_SK}
    parts = deltas[2][(stats_pk("all"), f"{day}#r")]
    assert parts["resolved@team=atencion"] == 1 and any(a.startswith("resh#") for a in parts)
    assert all("@" not in a and not a.startswith("resh#") for a in deltas[2][(stats_pk("all"), day)])
    assert {day_of(f"{day}#{p}") for p in "crfo"} == {day_of(day)} == {day}
    assert day_part_sk("2026-11-02", "messages@actor=citizen") == f"{day}#o"
    assert day_part_sk("2026-11-02", "frl#12") == f"{day}#f"
