"""Where a request happens: a WGS84 point, an address, and the sector the point falls in."""

from __future__ import annotations

from pydantic import Field, model_validator

from ventanilla.models.base import Model
from ventanilla.models.common import Code, Strict

MAX_ADDRESS = 400


class LocationIn(Strict):
    """A place as a client sends it: a point (both coordinates), an address, or both."""

    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False, description="WGS84 latitude")
    long: float | None = Field(
        default=None, ge=-180, le=180, allow_inf_nan=False, description="WGS84 longitude"
    )
    address: str | None = Field(default=None, min_length=3, max_length=MAX_ADDRESS)

    @model_validator(mode="after")
    def _point_or_address(self) -> LocationIn:
        if (self.lat is None) != (self.long is None):
            raise ValueError("lat and long go together / lat y long van juntas")
        if self.lat is None and not self.address:
            raise ValueError("a point or an address is needed / falta un punto o una dirección")
        return self


class Location(Model):
    """A request's place as stored; ``sector`` is matched from the point when sectors exist."""

    lat: float | None = None
    long: float | None = None
    address: str | None = None
    sector: Code | None = None
