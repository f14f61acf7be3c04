"""Human-readable request numbers ``YYYY-NNNNNN``, unique per year (B1)."""

from __future__ import annotations

import re

NUMBER_RE = re.compile(r"^(\d{4})-(\d{6,})$")


def format_number(year: int, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{year:04d}-{sequence:06d}"


def is_number(text: str) -> bool:
    return bool(NUMBER_RE.match(text))
