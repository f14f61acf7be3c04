"""Runs every benchmark module (tests/bench/bench_*.py) and prints its figures.

Each module exposes ``main() -> None``; figures go to stdout. ``python -m tests.bench NAME`` runs one
in this process. Several run one process each: moto keeps its resources per process, whatever the
server, so a benchmark that follows another in the same process would find the other's table.
``BENCH_SMOKE=1`` runs each at its smallest size (see ``tests/bench/sizes.py``).
"""

import importlib
import pkgutil
import subprocess
import sys
import time
from pathlib import Path


def names(wanted: set[str]) -> list[str]:
    here = Path(__file__).parent
    found = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    return [n for n in found if not wanted or n.removeprefix("bench_") in wanted or n in wanted]


def main() -> None:
    chosen = names(set(sys.argv[1:]))
    if len(chosen) == 1:
        importlib.import_module(f"tests.bench.{chosen[0]}").main()
        return
    failed = []
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "tests.bench", name], check=False)
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
        if done.returncode:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
