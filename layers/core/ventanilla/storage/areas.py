"""Sectors and their grid index (keys in storage/table.py).

AREAS               SECTOR#<code>   name, bbox, shape as WKB (the whole sector, for the list)
AREACELL#<i>:<j>    SECTOR#<code>   the sector's part of that grid cell: ``full`` or its WKB

Shapes are WKB in base64 strings (string attributes: every local tool and export reads them).
"""

from __future__ import annotations

import base64
from typing import Any

from boto3.dynamodb.conditions import Key

from ventanilla.rules.areas import CellPart
from ventanilla.storage.table import table

AREAS_PK = "AREAS"
MAX_SECTORS = 10_000
MAX_PER_CELL = 100


def cell_pk(cell: str) -> str:
    return f"AREACELL#{cell}"


def sectors(limit: int = MAX_SECTORS) -> list[dict[str, Any]]:
    """Every sector's summary (the list page): pages of one partition, no shapes read back."""
    out: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while len(out) < limit:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(AREAS_PK),
            "ProjectionExpression": "code, #n, name_en, bbox, cells, vertices, updated_at, updated_by",
            "ExpressionAttributeNames": {"#n": "name"},
            "Limit": min(1000, limit - len(out)),
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = table().query(**kwargs)
        out.extend(page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    return out


def sector(code: str) -> dict[str, Any] | None:
    item = table().get_item(Key={"PK": AREAS_PK, "SK": f"SECTOR#{code}"}).get("Item")
    return dict(item) if item else None


def cell(cell_id: str) -> list[dict[str, Any]]:
    """The sectors' parts in one cell (few: sectors do not overlap)."""
    page = table().query(KeyConditionExpression=Key("PK").eq(cell_pk(cell_id)), Limit=MAX_PER_CELL)
    return list(page.get("Items", []))


def put_sector(
    summary: dict[str, Any], shape_wkb: bytes, parts: list[CellPart], old_cells: list[str]
) -> None:
    """Write the sector and its cell parts; take it out of the cells it no longer touches."""
    code = summary["code"]
    new_cells = {p.cell for p in parts}
    with table().batch_writer() as batch:
        for stale in old_cells:
            if stale not in new_cells:
                batch.delete_item(Key={"PK": cell_pk(stale), "SK": f"SECTOR#{code}"})
        for part in parts:
            item: dict[str, Any] = {
                "PK": cell_pk(part.cell),
                "SK": f"SECTOR#{code}",
                "entity": "area_cell",
                "code": code,
                "full": part.full,
            }
            if part.wkb is not None:
                item["wkb"] = base64.b64encode(part.wkb).decode()
            batch.put_item(Item=item)
        batch.put_item(
            Item={
                "PK": AREAS_PK,
                "SK": f"SECTOR#{code}",
                "entity": "area",
                "shape": base64.b64encode(shape_wkb).decode(),
                "cell_ids": sorted(new_cells),
                **summary,
            }
        )


def delete_sector(code: str, cells: list[str]) -> None:
    with table().batch_writer() as batch:
        for c in cells:
            batch.delete_item(Key={"PK": cell_pk(c), "SK": f"SECTOR#{code}"})
        batch.delete_item(Key={"PK": AREAS_PK, "SK": f"SECTOR#{code}"})
