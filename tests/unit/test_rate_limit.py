"""The GCRA rate-limit rule: bursts, steady rate, denials that cost nothing, and its invariant."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.rules.rate_limit import Limit, blocked, decide


def test_a_burst_of_count_passes_then_the_next_waits_one_interval() -> None:
    limit = Limit(count=5, seconds=60)
    tat = None
    for _ in range(5):
        decision = decide(tat, 1000.0, limit)
        assert decision.allowed
        tat = decision.tat
    denied = decide(tat, 1000.0, limit)
    assert not denied.allowed
    assert denied.retry_after == pytest.approx(12.0)
    assert denied.tat == tat  # a denial takes nothing
    assert decide(tat, 1012.0, limit).allowed


def test_a_full_bucket_again_after_the_period() -> None:
    limit = Limit(count=3, seconds=30)
    tat = None
    for _ in range(3):
        tat = decide(tat, 0.0, limit).tat
    assert blocked(tat, 0.0, limit) == pytest.approx(10.0)
    assert blocked(tat, 30.0, limit) == 0.0
    passed = 0
    for _ in range(4):
        decision = decide(tat, 30.0, limit)
        passed += decision.allowed
        tat = decision.tat
    assert passed == 3


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Limit(count=0, seconds=10)
    with pytest.raises(ValueError):
        Limit(count=1, seconds=0)


@given(
    count=st.integers(1, 20),
    seconds=st.floats(1, 3600),
    gaps=st.lists(st.floats(0, 600), min_size=1, max_size=60),
)
def test_never_more_than_count_plus_elapsed_rate(count: int, seconds: float, gaps: list[float]) -> None:
    """In any window of length T from the first request, at most count + T / interval pass."""
    limit = Limit(count=count, seconds=seconds)
    tat, now, passed, start = None, 0.0, 0, 0.0
    for gap in gaps:
        now += gap
        decision = decide(tat, now, limit)
        if decision.allowed:
            passed += 1
        else:
            assert decision.retry_after > 0
        tat = decision.tat
        assert passed <= count + (now - start) / limit.interval + 1e-6


def test_a_state_more_than_a_period_ahead_is_forgotten() -> None:
    """Only a clock moved back leaves one; it must not block forever."""
    limit = Limit(count=2, seconds=60)
    assert decide(10_000.0, 0.0, limit).allowed
    assert not decide(60.0, 0.0, limit).allowed  # a full bucket: one period ahead is legitimate


@pytest.mark.parametrize(
    ("seconds", "wait"),
    [
        (0.2, "1 s"),
        (45, "45 s"),
        (60, "1 min"),
        (61, "2 min"),
        (3600, "1 h"),
        (17265, "4 h 48 min"),
        (28798, "8 h"),
        (7199, "2 h"),
    ],
)
def test_waits_read_as_people_read_them(seconds: float, wait: str) -> None:
    from ventanilla.services.intake_guard import _retry

    assert _retry(seconds)["wait"] == wait
    assert _retry(seconds)["retry_after"] >= seconds
