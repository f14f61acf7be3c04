"""Sectors as shapes and the grid that indexes them (shapely is imported here only, lazily).

A sector is a GeoJSON Polygon or MultiPolygon in WGS84 (long, lat order, as GeoJSON says). The index
is a fixed grid of ``CELL_DEGREES`` cells: for every cell a sector touches, the table keeps the part
of the sector inside that cell (or only "full" when the cell lies wholly inside). Matching a point
reads its one cell: the cost is the same at 10 and at 10,000 sectors (the cells of one place hold
the few sectors that meet there, never the whole list).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

CELL_DEGREES = 0.02
"""About 2.2 km of latitude: a comuna spans tens of cells, a city block one."""
MAX_CELLS = 2500
"""Cells one sector may touch (50 x 50, about 110 km across): larger is not a sector."""
MAX_VERTICES = 10_000
"""Vertices of one sector: its stored shape stays well under DynamoDB's 400 KB."""
OVERLAP_TOLERANCE = 1e-9
"""Square degrees two sectors may share (about 0.01 m2): shared borders are not overlaps."""


class ShapeError(ValueError):
    """The geometry cannot be a sector; ``code`` names the i18n message, ``detail`` the reason."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class CellPart:
    """A sector's part in one grid cell: the whole cell, or the clipped shape as WKB."""

    cell: str
    full: bool
    wkb: bytes | None


def cell_of(lat: float, long: float) -> str:
    return f"{math.floor(lat / CELL_DEGREES)}:{math.floor(long / CELL_DEGREES)}"


def shape_of(geometry: dict[str, Any]) -> Any:
    """A valid shapely (Multi)Polygon from a GeoJSON geometry, or ShapeError saying why not."""
    from shapely import validation
    from shapely.geometry import shape

    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise ShapeError("area_geometry_type", str(kind))
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, IndexError, AttributeError, KeyError) as error:
        raise ShapeError("area_geometry_invalid", str(error)[:120]) from error
    if geom.is_empty:
        raise ShapeError("area_geometry_invalid", "empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ShapeError("area_geometry_bounds", f"{geom.bounds}")
    vertices = _vertices(geom)
    if vertices > MAX_VERTICES:
        raise ShapeError("area_geometry_vertices", str(vertices))
    if not geom.is_valid:
        raise ShapeError("area_geometry_invalid", validation.explain_validity(geom)[:120])
    if geom.area <= 0:
        raise ShapeError("area_geometry_invalid", "zero area")
    return geom


def _vertices(geom: Any) -> int:
    polygons = getattr(geom, "geoms", [geom])
    return sum(len(p.exterior.coords) + sum(len(i.coords) for i in p.interiors) for p in polygons)


def cell_parts(geom: Any) -> list[CellPart]:
    """The grid cells the shape touches, each with its clipped part; ShapeError when too many."""
    from shapely import wkb
    from shapely.geometry import box
    from shapely.prepared import prep

    minx, miny, maxx, maxy = geom.bounds
    rows = range(math.floor(miny / CELL_DEGREES), math.floor(maxy / CELL_DEGREES) + 1)
    cols = range(math.floor(minx / CELL_DEGREES), math.floor(maxx / CELL_DEGREES) + 1)
    if len(rows) * len(cols) > MAX_CELLS * 4:
        raise ShapeError("area_too_large", str(len(rows) * len(cols)))
    prepared = prep(geom)
    parts: list[CellPart] = []
    for i in rows:
        for j in cols:
            cell = box(j * CELL_DEGREES, i * CELL_DEGREES, (j + 1) * CELL_DEGREES, (i + 1) * CELL_DEGREES)
            if not prepared.intersects(cell):
                continue
            if prepared.contains(cell):
                parts.append(CellPart(f"{i}:{j}", True, None))
                continue
            clipped = geom.intersection(cell)
            if clipped.is_empty or clipped.area <= 0:
                continue
            parts.append(CellPart(f"{i}:{j}", False, wkb.dumps(clipped)))
    if len(parts) > MAX_CELLS:
        raise ShapeError("area_too_large", str(len(parts)))
    return parts


def part_contains(full: bool, part_wkb: bytes | None, lat: float, long: float) -> bool:
    """Whether a cell part holds the point (a border point counts as inside)."""
    if full:
        return True
    if part_wkb is None:
        return False
    from shapely import wkb
    from shapely.geometry import Point

    return bool(wkb.loads(part_wkb).intersects(Point(long, lat)))


def overlap(a_full: bool, a_wkb: bytes | None, b_full: bool, b_wkb: bytes | None, cell: str) -> float:
    """The area two sectors' parts of one cell share (square degrees)."""
    from shapely import wkb
    from shapely.geometry import box

    i, j = (int(x) for x in cell.split(":"))
    whole = box(j * CELL_DEGREES, i * CELL_DEGREES, (j + 1) * CELL_DEGREES, (i + 1) * CELL_DEGREES)
    a = whole if a_full or a_wkb is None else wkb.loads(a_wkb)
    b = whole if b_full or b_wkb is None else wkb.loads(b_wkb)
    return float(a.intersection(b).area)


def centroid(geom: Any) -> tuple[float, float]:
    point = geom.representative_point()
    return float(point.y), float(point.x)
