"""apply_sla (pure when given calendar and policy): due dates, pauses, timers, legal terms, clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla import clock
from ventanilla.models.catalog import ResponseTargets
from ventanilla.models.people import Requester
from ventanilla.models.sla import SlaConfig
from ventanilla.models.ticket import Pause, Ticket
from ventanilla.rules.state_machine import Status
from ventanilla.services.due_dates import apply_sla, legal_kind_of
from ventanilla.sla.calendar import demo_calendar

CAL = demo_calendar()
CONFIG = SlaConfig()
TARGETS = ResponseTargets(first_response_hours=16, resolution_days=10)
MONDAY = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 10:00 in Santiago


def ticket(created: datetime = MONDAY, **update: object) -> Ticket:
    base = Ticket(
        number="2026-000042",
        type_code="consulta",
        subtype_code="general",
        subject="s",
        description="d",
        channel="web",
        status=Status.RECEIVED,
        impact="medium",
        urgency="medium",
        priority="medium",
        team="atencion",
        tier="L1",
        citizen_id="c",
        requester=Requester(name="N", email="n@example.cl"),
        access_code_hash="h",
        created_at=created,
        updated_at=created,
        expected_response_by=created,
        resolution_due=created,
    )
    return base.model_copy(update=update)


def sla(t: Ticket, now: datetime) -> Ticket:
    return apply_sla(t, TARGETS, now, calendar=CAL, config=CONFIG)


def test_catalog_legal_kinds_map_to_the_legal_data() -> None:
    assert legal_kind_of("CL/acceso-informacion") == "CL/access_to_information"
    assert legal_kind_of("CO/peticion") == "CO/petition"
    assert legal_kind_of("XX/nada") is None and legal_kind_of(None) is None


def test_due_dates_timers_and_next_due() -> None:
    t = sla(ticket(), MONDAY)
    assert t.first_response_due is not None and t.first_response_due < t.resolution_due
    assert t.next_due == t.first_response_due == t.expected_response_by
    assert {(x.target, x.kind) for x in t.timers} == {
        (target, kind)
        for target in ("first_response", "resolution")
        for kind in ("warning_50", "warning_80", "breach")
    }
    assert all(x.fire_at.microsecond == 0 for x in t.timers)


def test_legal_term_twenty_business_days_and_extension_adds_days() -> None:
    t = sla(ticket(legal_kind="CL/access_to_information"), MONDAY)
    assert t.legal_due is not None
    assert CAL.business_seconds_between(MONDAY, t.legal_due) > 19 * 8 * 3600
    extended = sla(t.model_copy(update={"legal_extension_days": 10}), MONDAY)
    assert extended.legal_due == CAL.add_business_days(t.legal_due, 10)


def test_open_pause_keeps_last_dates_and_drops_timers() -> None:
    t = sla(ticket(), MONDAY)
    paused = sla(
        t.model_copy(update={"status": Status.WAITING_CITIZEN, "pauses": [Pause(start=MONDAY)]}), MONDAY
    )
    assert paused.timers == [] and paused.resolution_due == t.resolution_due


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=20 * 24), st.integers(min_value=1, max_value=10 * 24))
def test_a_closed_pause_never_brings_due_dates_earlier(start_h: int, length_h: int) -> None:
    start = MONDAY + timedelta(hours=start_h)
    end = start + timedelta(hours=length_h)
    plain = sla(ticket(), end)
    paused = sla(ticket(status=Status.IN_PROGRESS, pauses=[Pause(start=start, end=end)]), end)
    assert paused.resolution_due >= plain.resolution_due
    assert paused.first_response_due is not None and plain.first_response_due is not None
    assert paused.first_response_due >= plain.first_response_due


def test_past_unrecorded_breach_fires_soon_and_recorded_one_never_again() -> None:
    late = MONDAY + timedelta(days=60)
    t = sla(ticket(), late)
    breach = [x for x in t.timers if x.kind == "breach"]
    assert breach and all(late < x.fire_at <= late + timedelta(minutes=1, seconds=1) for x in breach)
    assert not [x for x in t.timers if x.kind != "breach"]  # past warnings are dropped
    done = sla(t.model_copy(update={"breached": ["first_response", "resolution"]}), late)
    assert done.timers == []


def test_resolved_ticket_has_no_timers_and_a_business_resolution_time() -> None:
    resolved_at = MONDAY + timedelta(hours=5)
    t = sla(ticket(status=Status.RESOLVED, resolved_at=resolved_at), resolved_at)
    assert t.timers == [] and t.resolution_business_seconds == CAL.business_seconds_between(
        MONDAY, resolved_at
    )


def test_clock_moves_forward_only_and_restores() -> None:
    before = clock.offset()
    with clock.advanced(timedelta(hours=2)) as moved:
        assert moved - datetime.now(UTC) > timedelta(hours=1, minutes=59)
    assert clock.offset() == before
    assert clock.parse_amount("3d") == timedelta(days=3)
    for bad in ("", "3", "-2h", "2y"):
        with pytest.raises(ValueError):
            clock.parse_amount(bad)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
