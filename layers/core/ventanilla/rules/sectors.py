"""Which sector (a polygon the institution draws: a district, a ward) holds a point. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sector:
    """A sector's code and its outline as (lat, long) vertices, WGS84, not closed."""

    code: str
    outline: tuple[tuple[float, float], ...]


def contains(outline: Sequence[tuple[float, float]], lat: float, long: float) -> bool:
    """Ray casting on the plane: sectors are small enough for lat/long to be treated as flat."""
    inside = False
    n = len(outline)
    for i in range(n):
        (y1, x1), (y2, x2) = outline[i], outline[(i + 1) % n]
        if (y1 > lat) != (y2 > lat):
            x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if long < x_at:
                inside = not inside
    return inside


def sector_of(lat: float, long: float, sectors: Sequence[Sector]) -> str | None:
    """The first sector whose outline holds the point (sectors are meant not to overlap)."""
    return next((s.code for s in sectors if len(s.outline) >= 3 and contains(s.outline, lat, long)), None)
