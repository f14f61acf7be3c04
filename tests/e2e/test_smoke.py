"""``make smoke`` passes against the local stack as ``make dev`` runs it, and fails against a URL
that serves nothing or serves the wrong thing."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.stack_process import PRISTINE_ENV, ROOT

pytestmark = pytest.mark.e2e


def _smoke(url: str, **env: str) -> tuple[int, list[str]]:
    clean = {k: v for k, v in PRISTINE_ENV.items() if not k.startswith(("AWS_", "SMOKE_"))}
    result = subprocess.run(
        [sys.executable, "-m", "infra.ops.smoke", url],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, result.stdout.strip().splitlines()


def test_smoke_passes_against_the_local_stack_with_a_staff_login(stack_url: str) -> None:
    staff = json.loads((ROOT / "infra" / "seed" / "staff.json").read_text(encoding="utf-8"))[0]
    code, lines = _smoke(stack_url, SMOKE_USER=staff["username"], SMOKE_PASSWORD=staff["password"])
    assert lines[-1] == "9 passed, 0 failed", "\n".join(lines)
    assert code == 0
    assert any(line.startswith("ok   staff login") for line in lines)
    assert any(line.startswith("ok   follow it with its code") for line in lines)
    assert "ok   portal: security headers in place" in lines


def test_without_credentials_the_login_is_skipped_and_said_so(stack_url: str) -> None:
    code, lines = _smoke(stack_url)
    assert code == 0
    assert lines[-1] == "8 passed, 0 failed"
    assert "skip staff login: set SMOKE_USER and SMOKE_PASSWORD to check it" in lines


def test_a_wrong_password_fails(stack_url: str) -> None:
    code, lines = _smoke(stack_url, SMOKE_USER="ana.l1", SMOKE_PASSWORD="no-es-la-clave")
    assert code == 1
    assert lines[-1] == "8 passed, 1 failed"
    assert any(line.startswith("FAIL staff login") for line in lines)


def test_a_url_that_serves_nothing_fails_every_check() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    code, lines = _smoke(f"http://127.0.0.1:{port}")
    assert code == 1
    assert lines[-1] == "0 passed, 8 failed"


class _IndexEverywhere(BaseHTTPRequestHandler):
    """What a distribution-wide SPA error page would do: the web's HTML for every path, API included."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        body = (ROOT / "web" / "index.html").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@pytest.fixture()
def wrong_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _IndexEverywhere)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_answers_html_everywhere_fails_the_api_checks(wrong_server: str) -> None:
    code, lines = _smoke(wrong_server)
    assert code == 1
    assert lines[-1] == "1 passed, 7 failed"  # only the portal itself is right
    assert (
        "ok   portal: over http, without CSP frame-ancestors 'none', X-Content-Type-Options, Referrer-Policy"
        in lines
    )
    assert any(line.startswith("FAIL unknown API path") for line in lines)


def test_over_https_the_security_headers_are_required() -> None:
    from infra.ops.smoke import missing_security_headers

    cdn = {
        "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "strict-transport-security": "max-age=63072000; includeSubDomains",
    }
    assert missing_security_headers(cdn, https=True) == []
    no_hsts = {k: v for k, v in cdn.items() if not k.startswith("strict")}
    assert missing_security_headers(no_hsts, https=True) == ["Strict-Transport-Security"]
    assert missing_security_headers(no_hsts, https=False) == []
    assert missing_security_headers({}, https=True) == [
        "CSP frame-ancestors 'none'",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Strict-Transport-Security",
    ]
