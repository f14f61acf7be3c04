"""Sectors: admins upload GeoJSON polygons; a point is matched to its sector through the grid
index (ventanilla.rules.areas), one Query of one cell whatever the number of sectors."""

from __future__ import annotations

import base64
from typing import Any

import ventanilla.proactive.messages  # noqa: F401  (registers the messages)
from ventanilla.auth import Principal
from ventanilla.errors import FieldError, NotFound, ValidationFailed
from ventanilla.models.common import iso, utcnow
from ventanilla.models.proactive import AreaMatch, AreaSector, AreaSectorList, AreaUpload, AreaUploadResult
from ventanilla.rules import areas as rules
from ventanilla.storage import areas as store
from ventanilla.storage import subscription_counts

MANAGERS = ("admin",)


def upload(principal: Principal, body: AreaUpload) -> AreaUploadResult:
    """Validate every feature, then every overlap (within the upload and with the stored sectors
    it does not replace), and only then write: a bad upload writes nothing."""
    from shapely import wkb

    seen: dict[str, int] = {}
    shapes: list[tuple[str, Any, list[rules.CellPart]]] = []
    errors: list[FieldError] = []
    for n, feature in enumerate(body.features):
        code = feature.properties.code
        if code in seen:
            errors.append(FieldError(f"features.{n}.properties.code", "area_code_repeated", {"name": code}))
            continue
        seen[code] = n
        try:
            geom = rules.shape_of(feature.geometry.model_dump())
            parts = rules.cell_parts(geom)
        except rules.ShapeError as error:
            errors.append(FieldError(f"features.{n}.geometry", error.code, {"detail": error.detail}))
            continue
        shapes.append((code, geom, parts))
    if errors:
        raise ValidationFailed("area_upload_invalid", errors=errors)
    replacing = set(seen)
    by_cell: dict[str, list[tuple[str, bool, bytes | None]]] = {}
    for code, _geom, parts in shapes:
        for part in parts:
            by_cell.setdefault(part.cell, []).append((code, part.full, part.wkb))
    clashes: dict[tuple[str, str], None] = {}
    for cell_id, mine in by_cell.items():
        stored = [
            (str(i["code"]), bool(i.get("full")), _bytes(i.get("wkb")))
            for i in store.cell(cell_id)
            if str(i["code"]) not in replacing
        ]
        everyone = mine + stored
        for a in range(len(mine)):
            for b in range(a + 1, len(everyone)):
                x, y = everyone[a], everyone[b]
                if (x[0], y[0]) in clashes or (y[0], x[0]) in clashes:
                    continue
                if rules.overlap(x[1], x[2], y[1], y[2], cell_id) > rules.OVERLAP_TOLERANCE:
                    clashes[(x[0], y[0])] = None
    if clashes:
        raise ValidationFailed(
            "area_overlap",
            errors=[
                FieldError(f"features.{seen[a]}.geometry", "area_overlaps", {"name": a, "other": b})
                for a, b in clashes
            ],
        )
    now = iso(utcnow())
    total = 0
    for feature, (code, geom, parts) in zip(
        [body.features[seen[c]] for c, _, _ in shapes], shapes, strict=True
    ):
        old = store.sector(code)
        summary = {
            "code": code,
            "name": feature.properties.name,
            "bbox": [_dec(v) for v in geom.bounds],
            "cells": len(parts),
            "vertices": rules._vertices(geom),
            "updated_at": now,
            "updated_by": principal.username,
        }
        if feature.properties.name_en:
            summary["name_en"] = feature.properties.name_en
        store.put_sector(summary, wkb.dumps(geom), parts, list((old or {}).get("cell_ids") or []))
        total += len(parts)
    return AreaUploadResult(saved=[c for c, _, _ in shapes], cells=total)


def _dec(value: float) -> Any:
    from decimal import Decimal

    return Decimal(str(round(value, 7)))


def _bytes(value: Any) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, str):
        return base64.b64decode(value)
    return bytes(value.value) if hasattr(value, "value") else bytes(value)


def listing(with_counts: bool = False) -> AreaSectorList:
    """The sectors; ``with_counts`` (staff): each one's confirmed subscribers, from the counters
    (sixteen Queries whatever the number of subscribers, never a count of the audience)."""
    counts = subscription_counts.counts() if with_counts else {}
    items = [
        AreaSector.model_validate(
            {
                **i,
                "bbox": [float(v) for v in i.get("bbox", [])],
                **({"subscribers": counts.get(f"SECTOR#{i['code']}", 0)} if with_counts else {}),
            }
        )
        for i in store.sectors()
    ]
    items.sort(key=lambda s: s.code)
    everywhere = counts.get("SECTOR#*", 0) if with_counts else None
    return AreaSectorList(items=items, everywhere=everywhere)


def names() -> dict[str, dict[str, Any]]:
    return {str(i["code"]): i for i in store.sectors()}


def remove(principal: Principal, code: str) -> None:
    old = store.sector(code)
    if old is None:
        raise NotFound("area_not_found", {"name": code})
    store.delete_sector(code, list(old.get("cell_ids") or []))


def snapshot(code: str) -> dict[str, Any] | None:
    """The sector as the audit trail records it (no shape: its size is not an audit's business)."""
    item = store.sector(code)
    if item is None:
        return None
    return {
        k: (float(v) if k == "bbox" else v)
        for k, v in item.items()
        if k in ("code", "name", "name_en", "cells")
    }


def sector_at(lat: float, long: float) -> str | None:
    """The sector holding the point, None when it lies in none: one Query of its grid cell."""
    for item in store.cell(rules.cell_of(lat, long)):
        if rules.part_contains(bool(item.get("full")), _bytes(item.get("wkb")), lat, long):
            return str(item["code"])
    return None


def match(lat: float, long: float) -> AreaMatch:
    code = sector_at(lat, long)
    if code is None:
        raise NotFound("area_no_sector", {"lat": lat, "long": long})
    item = store.sector(code) or {}
    return AreaMatch(sector=code, name=str(item.get("name", code)), name_en=item.get("name_en"))
