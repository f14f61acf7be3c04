"""The whole local stack as ``make dev`` runs it, in a subprocess on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def stack_url() -> Iterator[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_", "USER_POOL", "EVENT_BUS"))
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", "0", "--demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url, lines, deadline = None, [], time.monotonic() + 90
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("READY "):
            url = line.split()[1]
            break
    if url is None:
        process.kill()
        pytest.fail("local stack did not start:\n" + "".join(lines[-40:]))
    # Keep reading its output so the pipe never fills up and blocks the server.
    import threading

    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    yield url
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
