"""CSV that spreadsheets open as data: a text cell that a spreadsheet would run as a formula
(first character ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe, so
a citizen's subject such as ``=HYPERLINK("http://…","clic")`` stays text when a supervisor opens an
export (OWASP: CSV injection). Plain numbers ("-33.45") are left as they are."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as text, if it is text that would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def read_cell(value: str) -> str:
    """What :func:`cell` wrote, back as it was (for CSV files this system exported and re-imports)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


class _Writer:
    def __init__(self, out: IO[str], **options: Any) -> None:
        self._w = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow([cell(v) for v in row])


class _DictWriter:
    def __init__(self, out: IO[str], fieldnames: list[str], **options: Any) -> None:
        self._w = csv.DictWriter(out, fieldnames=fieldnames, **options)

    def writeheader(self) -> Any:
        return self._w.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:
        return self._w.writerow({k: cell(v) for k, v in row.items()})


def writer(out: IO[str], **options: Any) -> _Writer:
    """A ``csv.writer`` whose cells go through :func:`cell`."""
    return _Writer(out, **options)


def dict_writer(out: IO[str], fieldnames: list[str], **options: Any) -> _DictWriter:
    """A ``csv.DictWriter`` whose cells go through :func:`cell`."""
    return _DictWriter(out, fieldnames, **options)
