"""Unzipped size of each function with its layers, against Lambda's 250 MB limit."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from infra.build.assemble import Resource

LIMIT = 250 * 1024 * 1024  # bytes: a function's package plus its layers, unzipped


def unzipped(folder: Path) -> int:
    """Bytes of every file under ``folder`` (what Lambda counts once the zip is unpacked)."""
    return sum(os.path.getsize(Path(top, name)) for top, _, names in os.walk(folder) for name in names)


@dataclass(frozen=True)
class Size:
    function: str
    own: int
    layers: int

    @property
    def total(self) -> int:
        return self.own + self.layers


def sizes(built: dict[str, Path], found: dict[str, Resource]) -> list[Size]:
    """One row per function of ``found``, from the assembled folders ``built`` (logical id -> folder)."""
    layer_bytes = {name: unzipped(built[name]) for name, r in found.items() if r.kind == "layer"}
    return [
        Size(name, unzipped(built[name]), sum(layer_bytes[layer] for layer in r.layers))
        for name, r in found.items()
        if r.kind == "function"
    ]


def table(rows: list[Size]) -> str:
    mb = 1024 * 1024
    lines = [f"{'function':<24} {'own MB':>8} {'layers MB':>10} {'total MB':>9}  (limit {LIMIT // mb} MB)"]
    for row in rows:
        flag = "  OVER THE LIMIT" if row.total > LIMIT else ""
        figures = f"{row.own / mb:8.1f} {row.layers / mb:10.1f} {row.total / mb:9.1f}"
        lines.append(f"{row.function:<24} {figures}{flag}")
    return "\n".join(lines)
