"""The one clock every service reads: real UTC time plus an offset only the local stack moves.

In AWS nothing sets the offset, so :func:`now` is ``datetime.now(UTC)``. Locally the demo and the
tests move time forward (``POST /dev/clock?advance=2h`` or ``python -m infra.local.clock advance 3d``)
so service-level warnings and breaches can be seen without waiting; the local scheduler fires the
schedules that became due on the moved clock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_offset = timedelta(0)

_AMOUNT = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def now() -> datetime:
    return datetime.now(UTC) + _offset


def offset() -> timedelta:
    return _offset


def parse_amount(text: str) -> timedelta:
    """``90m``, ``2h``, ``3d``, ``1w`` as a timedelta; ValueError otherwise."""
    match = _AMOUNT.match(text or "")
    if not match:
        raise ValueError(f"amount: expected a number and a unit s/m/h/d/w (e.g. 2h, 3d), got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def advance(delta: timedelta) -> datetime:
    """Move the clock forward (never back: schedules already fired stay fired); the new now."""
    global _offset
    if delta < timedelta(0):
        raise ValueError("amount: the clock only moves forward")
    with _lock:
        _offset += delta
    return now()


def reset() -> None:
    global _offset
    with _lock:
        _offset = timedelta(0)


@contextmanager
def advanced(delta: timedelta) -> Iterator[datetime]:
    """Tests: the clock moved by ``delta`` inside the block, restored after it."""
    global _offset
    with _lock:
        before = _offset
        _offset = before + delta
    try:
        yield now()
    finally:
        with _lock:
            _offset = before
