"""``make bench`` at its smallest size (``BENCH_SMOKE=1``): every benchmark runs once, as the runner
runs them one after another, so none can rot unnoticed and none can break the next. Only that each
completes is checked: timings are the benchmarks' printed figures, never asserted."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_every_benchmark_runs_at_its_smallest_size_one_after_another() -> None:
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(ROOT / "tests" / "bench")]) if m.name.startswith("bench_")
    )
    env = {**os.environ, "BENCH_SMOKE": "1"}
    for leaked in ("AWS_ENDPOINT_URL", "TABLE_NAME"):  # the test session's stack is not the bench's
        env.pop(leaked, None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for name in names:
        assert f"== {name} ==" in done.stdout and f"({name} took" in done.stdout, name
