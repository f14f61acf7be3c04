"""Rate limits as the generic cell rate algorithm (GCRA), a token bucket kept in one number.

A limit of ``count`` per ``seconds`` lets ``count`` requests through at once (the burst) and then one
every ``seconds / count``. The state is the theoretical arrival time (TAT): when the bucket would be
full again. One number per key means one small item per client or address, with no counters that
grow and no clock ticks to store; a denied request leaves the state as it was.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError("a limit needs count >= 1 and seconds > 0")

    @property
    def interval(self) -> float:
        return self.seconds / self.count


@dataclass(frozen=True)
class Decision:
    allowed: bool
    tat: float
    """The state to keep (unchanged when denied)."""
    retry_after: float
    """Seconds until the next request would be allowed (0 when allowed)."""


def decide(tat: float | None, now: float, limit: Limit) -> Decision:
    """Whether one more request at ``now`` fits ``limit`` given the stored ``tat``."""
    if tat is not None and tat > now + limit.seconds:
        tat = None  # only a clock that went back (the dev clock) leaves a state past one period
    start = max(tat if tat is not None else now, now)
    new_tat = start + limit.interval
    allowed_at = new_tat - limit.seconds
    if allowed_at > now:
        return Decision(False, start if tat is not None else now, allowed_at - now)
    return Decision(True, new_tat, 0.0)


def blocked(tat: float | None, now: float, limit: Limit) -> float:
    """Seconds the key stays blocked (0 if one more request would pass), without taking a token."""
    decision = decide(tat, now, limit)
    return 0.0 if decision.allowed else decision.retry_after
