"""Service levels: targets, warnings, pauses, timers and status."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ventanilla.sla.calendar import demo_calendar
from ventanilla.sla.targets import (
    DueDates,
    Duration,
    ServiceLevelPolicy,
    TargetDue,
    WarningInstant,
    business_elapsed,
    compute_due,
    sla_status,
)
from ventanilla.sla.timers import Timer, timers_for

SCL = ZoneInfo("America/Santiago")
CAL = demo_calendar()
POLICY = ServiceLevelPolicy(
    first_response=Duration(value=4, unit="business_hours"),
    resolution=Duration(value=3, unit="business_days"),
)
SCHEDULE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def scl(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SCL)


FRIDAY = scl(2026, 3, 13, 16)  # 0.5 business hours left that day


# ---- models ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"value": 0, "unit": "business_hours"}, "greater than or equal to 0.01"),
        ({"value": -2, "unit": "business_days"}, "greater than or equal to 0.01"),
        ({"value": 1.5, "unit": "business_days"}, "whole number"),
        ({"value": 3, "unit": "weeks"}, "business_hours"),
        ({"value": float("inf"), "unit": "calendar_hours"}, "finite"),
    ],
)
def test_invalid_duration(data: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Duration.model_validate(data)


@pytest.mark.parametrize(
    "warnings",
    [(0.8, 0.5), (0.0, 0.5), (0.5, 1.0), (0.5, 0.5), (-0.1,), (0.5, 0.501)],
)
def test_invalid_warning_thresholds(warnings: tuple[float, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        ServiceLevelPolicy(
            first_response=POLICY.first_response, resolution=POLICY.resolution, warnings=warnings
        )
    assert info.value.errors()[0]["loc"] == ("warnings",)


def test_default_thresholds() -> None:
    assert POLICY.warnings == (0.5, 0.8)


# ---- compute_due ----------------------------------------------------------------------------


def test_compute_due_business_hours_and_days() -> None:
    due = compute_due(POLICY, CAL, FRIDAY)
    # First response: 0.5h Friday + 3.5h Monday from 08:30.
    assert due.first_response_due == scl(2026, 3, 16, 12)
    assert [w.at for w in due.first_response.warnings] == [scl(2026, 3, 16, 10), scl(2026, 3, 16, 11, 12)]
    assert [w.kind for w in due.first_response.warnings] == ["warning_50", "warning_80"]
    # Resolution: 3 business days after Friday: Mon, Tue, Wed -> Wednesday 17:30.
    assert due.resolution_due == scl(2026, 3, 18, 17, 30)
    # Its business time is 0.5 + 3 x 8 = 24.5h; 50% = 12.25h -> Tuesday 12:15.
    assert due.resolution.warnings[0].at == scl(2026, 3, 17, 12, 15)
    assert due.legal is None and due.legal_due is None


def test_priority_factor_scales_targets() -> None:
    due = compute_due(POLICY, CAL, FRIDAY, priority_factor=0.5)
    assert due.first_response_due == scl(2026, 3, 16, 10)  # 2 business hours
    assert due.resolution_due == scl(2026, 3, 17, 17, 30)  # 1.5 days rounds up to 2
    with pytest.raises(ValueError, match="priority_factor"):
        compute_due(POLICY, CAL, FRIDAY, priority_factor=0)


def test_calendar_hours_count_real_time_across_dst() -> None:
    policy = ServiceLevelPolicy(
        first_response=Duration(value=48, unit="calendar_hours"),
        resolution=Duration(value=72, unit="calendar_hours"),
    )
    start = scl(2026, 9, 5, 12)  # Saturday before the spring-forward night
    due = compute_due(policy, CAL, start)
    assert due.first_response_due == scl(2026, 9, 7, 13)  # 48 real hours, one hour skipped
    assert due.first_response.warnings[0].at == scl(2026, 9, 6, 13)
    paused = compute_due(policy, CAL, start, [(scl(2026, 9, 5, 13), scl(2026, 9, 5, 15))])
    assert paused.first_response_due == scl(2026, 9, 7, 15)
    assert compute_due(policy, CAL, start, [(scl(2026, 9, 5, 13), None)]).first_response_due is None


def test_pause_pushes_all_targets() -> None:
    waiting = (scl(2026, 3, 16, 9), scl(2026, 3, 16, 10))  # one hour waiting for the citizen
    due = compute_due(POLICY, CAL, FRIDAY, [waiting])
    assert due.first_response_due == scl(2026, 3, 16, 13)
    assert due.first_response.warnings[0].at == scl(2026, 3, 16, 11)


def test_open_pause_makes_unreached_instants_unknown() -> None:
    open_pause = [(scl(2026, 3, 16, 9), None)]
    due = compute_due(POLICY, CAL, FRIDAY, open_pause)
    assert due.first_response_due is None
    assert due.resolution_due is None
    assert all(w.at is None for w in due.resolution.warnings)
    # 50% (Monday 10:00 without pause) needs 2h: 0.5h Friday + 0.5h Monday before 09:00 -> unknown.
    assert due.first_response.warnings[0].at is None


def test_instants_reached_before_pause_stay_known() -> None:
    """A pause opened after a breach must not hide the breach."""
    late_pause = [(scl(2026, 3, 16, 12, 30), None)]
    due = compute_due(POLICY, CAL, FRIDAY, late_pause)
    assert due.first_response_due == scl(2026, 3, 16, 12)
    assert sla_status(scl(2026, 3, 16, 15), due.first_response) == "breached"


def test_legal_target() -> None:
    legal = scl(2026, 3, 20, 16, 30)
    due = compute_due(POLICY, CAL, FRIDAY, legal_due=legal)
    assert due.legal is not None and due.legal_due == legal
    # Business time Friday 16:00 -> next Friday 16:30 = 0.5 + 4 x 8 + 7 = 39.5h; 50% = 19.75h.
    assert due.legal.warnings[0].at == CAL.add_business_hours(FRIDAY, 19.75)
    assert [t.target for t in due.targets()] == ["first_response", "resolution", "legal"]


def test_business_elapsed() -> None:
    assert business_elapsed(CAL, FRIDAY, scl(2026, 3, 16, 10)) == timedelta(hours=2)
    pause = [(scl(2026, 3, 16, 9), scl(2026, 3, 16, 9, 30))]
    assert business_elapsed(CAL, FRIDAY, scl(2026, 3, 16, 10), pause) == timedelta(hours=1, minutes=30)
    with pytest.raises(ValueError, match="naive"):
        business_elapsed(CAL, datetime(2026, 3, 13, 16), scl(2026, 3, 16, 10))


def test_naive_created_at_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        compute_due(POLICY, CAL, datetime(2026, 3, 13, 16))


# ---- status ---------------------------------------------------------------------------------


def test_sla_status_transitions() -> None:
    target = compute_due(POLICY, CAL, FRIDAY).first_response
    assert sla_status(scl(2026, 3, 16, 9), target) == "on_time"
    assert sla_status(scl(2026, 3, 16, 10, 30), target) == "on_time"  # past 50%, before 80%
    assert sla_status(scl(2026, 3, 16, 11, 12), target) == "at_risk"  # last warning reached
    assert sla_status(scl(2026, 3, 16, 12), target) == "at_risk"  # due instant itself is still on time
    assert sla_status(scl(2026, 3, 16, 12, 1), target) == "breached"
    # Met targets are final.
    assert sla_status(scl(2026, 3, 20), target, completed_at=scl(2026, 3, 16, 11, 59)) == "on_time"
    assert sla_status(scl(2026, 3, 16, 13), target, completed_at=scl(2026, 3, 16, 12, 30)) == "breached"
    with pytest.raises(ValueError, match="now: naive"):
        sla_status(datetime(2026, 3, 16, 9), target)


def test_sla_status_while_paused() -> None:
    unknown = TargetDue(
        target="resolution",
        due=None,
        warnings=(
            WarningInstant(fraction=0.5, at=scl(2026, 3, 16, 10)),
            WarningInstant(fraction=0.8, at=None),
        ),
    )
    assert sla_status(scl(2026, 4, 1), unknown) == "on_time"
    known_last = unknown.model_copy(
        update={"warnings": (WarningInstant(fraction=0.8, at=scl(2026, 3, 16, 10)),)}
    )
    assert sla_status(scl(2026, 4, 1), known_last) == "at_risk"


# ---- timers ---------------------------------------------------------------------------------


def test_timers_for_a_new_request() -> None:
    due = compute_due(POLICY, CAL, FRIDAY)
    timers = timers_for(due)
    assert [(t.target, t.kind) for t in timers] == [
        ("first_response", "warning_50"),
        ("first_response", "warning_80"),
        ("first_response", "breach"),
        ("resolution", "warning_50"),
        ("resolution", "warning_80"),
        ("resolution", "breach"),
    ]
    assert [t.fire_at for t in timers] == sorted(t.fire_at for t in timers)
    names = [t.name("2026-000123") for t in timers]
    assert names[2] == "vt-2026-000123-first_response-breach"
    assert names[-1] == "vt-2026-000123-resolution-breach"
    assert len(set(names)) == len(names)
    assert all(SCHEDULE_NAME.match(n) for n in names)


def test_timers_are_idempotent() -> None:
    first = timers_for(compute_due(POLICY, CAL, FRIDAY))
    again = timers_for(compute_due(POLICY, CAL, FRIDAY))
    assert first == again
    assert [t.name("2026-000123") for t in first] == [t.name("2026-000123") for t in again]


def test_timers_skip_met_paused_and_past() -> None:
    due = compute_due(POLICY, CAL, FRIDAY, legal_due=scl(2026, 4, 10, 16, 30))
    after_response = timers_for(due, first_responded=True)
    assert {t.target for t in after_response} == {"resolution", "legal"}
    assert timers_for(due, resolved=True) == []
    future = timers_for(due, now=scl(2026, 3, 16, 11))
    assert all(t.fire_at > scl(2026, 3, 16, 11) for t in future)
    assert ("first_response", "breach") in {(t.target, t.kind) for t in future}
    assert ("first_response", "warning_50") not in {(t.target, t.kind) for t in future}
    paused = compute_due(POLICY, CAL, FRIDAY, [(scl(2026, 3, 16, 9), None)])
    assert [t for t in timers_for(paused) if t.target == "resolution"] == []
    with pytest.raises(ValueError, match="now: naive"):
        timers_for(due, now=datetime(2026, 3, 16, 11))


def test_schedule_names_for_odd_ticket_numbers() -> None:
    timer = Timer(target="first_response", kind="warning_80", fire_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert timer.name("CL/2026#12 3") == "vt-CL-2026-12-3-first_response-warning_80"
    long_a, long_b = "X" * 80 + "A", "X" * 80 + "B"
    name_a, name_b = timer.name(long_a), timer.name(long_b)
    assert len(name_a) <= 64 and SCHEDULE_NAME.match(name_a)
    assert name_a != name_b
    assert name_a == timer.name(long_a)
    assert name_a.endswith("-first_response-warning_80")
    with pytest.raises(ValueError, match="ticket_number"):
        timer.name("  ")


def test_timer_kind_validated() -> None:
    with pytest.raises(ValidationError):
        Timer(target="resolution", kind="explode", fire_at=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError):
        Timer.model_validate({"target": "lunch", "kind": "breach", "fire_at": "2026-01-01T00:00:00Z"})


@settings(max_examples=40, deadline=None, database=None)
@given(
    ticket=st.text(min_size=1, max_size=120).filter(lambda s: s.strip() != ""),
    target=st.sampled_from(["first_response", "resolution", "legal"]),
    kind=st.sampled_from(["warning_50", "warning_80", "breach"]),
)
def test_prop_schedule_names_always_valid(ticket: str, target: str, kind: str) -> None:
    timer = Timer.model_validate(
        {"target": target, "kind": kind, "fire_at": datetime(2026, 1, 1, tzinfo=UTC)}
    )
    name = timer.name(ticket)
    assert SCHEDULE_NAME.match(name)
    assert name == timer.name(ticket)


@settings(max_examples=40, deadline=None, database=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SCL)
    ),
    fr_hours=st.floats(min_value=0.25, max_value=80),
    days=st.integers(min_value=1, max_value=40),
)
def test_prop_warnings_precede_due(start: datetime, fr_hours: float, days: int) -> None:
    policy = ServiceLevelPolicy(
        first_response=Duration(value=fr_hours, unit="business_hours"),
        resolution=Duration(value=days, unit="business_days"),
    )
    due: DueDates = compute_due(policy, CAL, start)
    for target in due.targets():
        instants = [w.at for w in target.warnings] + [target.due]
        assert all(i is not None for i in instants)
        assert instants == sorted(instants)  # type: ignore[type-var]
        assert start <= instants[0]  # type: ignore[operator]
