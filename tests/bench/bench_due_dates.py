"""Cost of due-date arithmetic over long horizons (a year or more of business time).

Every ticket change recomputes due dates in a Lambda, so these must stay in microseconds. Prints
figures; asserts nothing about timings.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.bench.sizes import size
from ventanilla.sla.calendar import BusinessCalendar, demo_calendar
from ventanilla.sla.legal import legal_due, legal_rule
from ventanilla.sla.targets import Duration, ServiceLevelPolicy, compute_due

SCL = ZoneInfo("America/Santiago")


def _per_call_us(fn: Callable[[int], object], iterations: int) -> float:
    fn(0)  # warm caches (holiday sets, year tables) so the figure is the steady-state cost
    started = time.perf_counter()
    for i in range(iterations):
        fn(i)
    return (time.perf_counter() - started) / iterations * 1e6


def _cold_build_ms(years: int) -> float:
    """First use of a fresh calendar: building its year tables (holidays cached by the library)."""
    cal = BusinessCalendar.model_validate(demo_calendar().model_dump())
    start = datetime(2026, 1, 5, 9, tzinfo=SCL)
    started = time.perf_counter()
    cal.add_business_days(start, 250 * years)
    return (time.perf_counter() - started) * 1e3


def main() -> None:
    cal = demo_calendar()
    # Vary the start across a year so the figure is not one lucky cache line.
    starts = [datetime(2026, 1, 5, 9, 17, tzinfo=SCL) + timedelta(hours=7 * k) for k in range(1000)]
    pauses = [(starts[0] + timedelta(days=3), starts[0] + timedelta(days=5))]
    policy = ServiceLevelPolicy(
        first_response=Duration(value=8, unit="business_hours"),
        resolution=Duration(value=10, unit="business_days"),
    )
    rule = legal_rule("CL", "access_to_information")
    n = size(20_000, 200)
    rows = [
        (
            "add_business_hours(2,000 h)",
            _per_call_us(lambda i: cal.add_business_hours(starts[i % 1000], 2000), n),
        ),
        ("add_business_hours(8 h)", _per_call_us(lambda i: cal.add_business_hours(starts[i % 1000], 8), n)),
        (
            "add_business_hours(2,000 h, 1 pause)",
            _per_call_us(lambda i: cal.add_business_hours(starts[i % 1000], 2000, pauses), n),
        ),
        ("add_business_days(250 d)", _per_call_us(lambda i: cal.add_business_days(starts[i % 1000], 250), n)),
        (
            "add_business_days(250 d, 1 pause)",
            _per_call_us(lambda i: cal.add_business_days(starts[i % 1000], 250, pauses), n // 10),
        ),
        (
            "business_seconds_between(~1 year)",
            _per_call_us(
                lambda i: cal.business_seconds_between(
                    starts[i % 1000], starts[i % 1000] + timedelta(days=365)
                ),
                n,
            ),
        ),
        ("legal_due(CL Ley 20.285)", _per_call_us(lambda i: legal_due(rule, cal, starts[i % 1000]), n)),
        (
            "compute_due(policy, 2 targets)",
            _per_call_us(lambda i: compute_due(policy, cal, starts[i % 1000]), n // 4),
        ),
    ]
    print(f"machine: {platform.processor() or platform.machine()} | {platform.platform()}")
    print(f"python:  {platform.python_implementation()} {platform.python_version()}")
    for label, us in rows:
        print(f"  {label:<40} {us:10.2f} us/call")
    print(f"  {'cold year tables (fresh calendar, 1 y)':<40} {_cold_build_ms(1):10.2f} ms")
    print(f"  {'cold year tables (fresh calendar, 4 y)':<40} {_cold_build_ms(4):10.2f} ms")
