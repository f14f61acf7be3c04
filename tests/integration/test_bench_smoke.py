"""Every benchmark runs once at its smallest size (``BENCH_SMOKE=1``), each in its own process as
``make bench`` runs it, so none can rot unnoticed. Only that it completes is checked: timings are
the benchmarks' printed figures, never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.__main__ import names

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", names(set()))
def test_the_benchmark_runs_at_its_smallest_size(name: str) -> None:
    env = {**os.environ, "BENCH_SMOKE": "1"}
    for leaked in ("AWS_ENDPOINT_URL", "TABLE_NAME"):  # the test session's stack is not the bench's
        env.pop(leaked, None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip(), "a benchmark prints its figures"
