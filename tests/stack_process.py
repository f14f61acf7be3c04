"""The local stack as ``make dev`` runs it (``python -m infra.local --port 0 --demo``), in a
subprocess, for the end-to-end and browser tests: started, waited for, stopped."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRISTINE_ENV = dict(os.environ)
"""The environment before any fixture ran: the in-process stack of the integration tests exports
its resources' names and its moto endpoint (AWS_*, SLA_*, NOTIFICATIONS_*...), which a stack in a
subprocess must not inherit from a test worker that ran those tests first."""
SMTP_PORTS: dict[str, int] = {}
"""Stack URL -> its development SMTP server's port (the ``Correo entrante (SMTP)`` line)."""
MOTO_URLS: dict[str, str] = {}
"""Stack URL -> its moto server's URL (the ``AWS local (moto): <url>`` line), for tests that set
up state through AWS's API (e.g. a staff member invited with a temporary password)."""


@contextmanager
def local_stack(
    log_name: str,
    env_extra: dict[str, str] | None = None,
    demo: bool = True,
    data: Path | None = None,
    processes: list[subprocess.Popen[str]] | None = None,
) -> Iterator[str]:
    """Yields the stack's URL (from its ``READY <url>`` line); its stderr goes to test-artifacts/.

    ``env_extra`` overrides the environment; by default the filing limits are lifted (the suites
    file many requests from one address), which the tests of the limits set back. ``data`` keeps
    the stack's state in that folder (else in memory only); ``processes`` receives the process
    (a test that kills it).
    """
    from tests.conftest import TEST_LIMITS

    env = {
        k: v
        for k, v in PRISTINE_ENV.items()
        if not k.startswith(("AWS_", "TABLE_", "USER_POOL", "EVENT_BUS"))
    }
    # A free SMTP port (not make dev's 2525), and a small mail size limit the tests can exceed.
    env.update({"SMTP_PORT": "0", "EMAIL_MAX_BYTES": "2000000"})
    env.update({**TEST_LIMITS, **(env_extra or {})})
    log_path = ROOT / "test-artifacts" / log_name
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.local",
                "--port",
                "0",
                *(["--data", str(data)] if data else ["--memory"]),
                *(["--demo"] if demo else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        assert process.stdout is not None
        if processes is not None:
            processes.append(process)
        smtp_port = 0
        url, moto_url, lines, deadline = (
            None,
            None,
            [],
            time.monotonic() + 300,
        )  # seeding and indexing on a busy machine
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            # Patterns, not splits: the web thread's "Serving on ..." may run into any line.
            if found := re.search(r"Correo entrante \(SMTP\): 127\.0\.0\.1:(\d+)", line):
                smtp_port = int(found[1])
            if found := re.search(r"AWS local \(moto\): (http://[\w.-]+:\d+)", line):
                moto_url = found[1]
            if found := re.search(r"READY (http://[\w.-]+:\d+)", line):
                url = found[1]
                break
        if url is None:
            process.kill()
            pytest.fail(f"local stack did not start (see {log_path}):\n" + "".join(lines[-40:]))
        # Keep draining stdout so a full pipe never blocks the server.
        threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
        if moto_url:
            MOTO_URLS[url] = moto_url
        if smtp_port:
            SMTP_PORTS[url] = smtp_port
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
