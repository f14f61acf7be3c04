"""Benchmark sizes: the full ones, or the smallest with ``BENCH_SMOKE=1`` (a run of seconds that
only proves each benchmark still works; ``tests/integration/test_bench_smoke.py`` does that)."""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")


def smoke() -> bool:
    return os.environ.get("BENCH_SMOKE") == "1"


def size(full: T, smallest: T) -> T:
    return smallest if smoke() else full
