"""Priority from impact x urgency (B3), the ITIL matrix most help desks use."""

from __future__ import annotations

from typing import Literal

Level = Literal["high", "medium", "low"]
Priority = Literal["critical", "high", "medium", "low"]

_MATRIX: dict[tuple[Level, Level], Priority] = {
    ("high", "high"): "critical",
    ("high", "medium"): "high",
    ("medium", "high"): "high",
    ("high", "low"): "medium",
    ("medium", "medium"): "medium",
    ("low", "high"): "medium",
    ("medium", "low"): "low",
    ("low", "medium"): "low",
    ("low", "low"): "low",
}

RANK: dict[Priority, int] = {"critical": 1, "high": 2, "medium": 3, "low": 4}
"""Sort rank: queues list rank 1 first."""


def priority_of(impact: Level, urgency: Level) -> Priority:
    return _MATRIX[(impact, urgency)]
