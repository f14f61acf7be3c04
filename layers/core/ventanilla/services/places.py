"""A request's place: the client's point and address, plus the sector the point falls in.

The seam for sectors: :func:`sectors` answers the institution's sectors. No sector catalog exists
yet, so it answers none and requests keep ``sector`` empty; a sector catalog plugs in there (and
routing rules that name sectors then match, see ventanilla.rules.routing).
"""

from __future__ import annotations

from ventanilla.models.places import Location, LocationIn
from ventanilla.rules.sectors import Sector, sector_of


def sectors() -> list[Sector]:
    """The institution's sectors (none until a sector catalog exists)."""
    return []


def locate(place: LocationIn | None) -> Location | None:
    if place is None:
        return None
    sector = None
    if place.lat is not None and place.long is not None:
        from ventanilla.services import areas

        sector = sector_of(place.lat, place.long, sectors()) or areas.sector_at(place.lat, place.long)
    return Location(lat=place.lat, long=place.long, address=place.address, sector=sector)
