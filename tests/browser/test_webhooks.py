"""The admins' webhooks screen in a real browser (issue 17, item 4): a refused address shown beside
its field, a new endpoint with its secret shown once, a request filed by a citizen delivered signed
to a receiver on this machine, and the delivery in the endpoint's log; axe at 360 and 1280 px."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.test_console_admin import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def start_receiver() -> tuple[ThreadingHTTPServer, list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            calls.append({"headers": dict(self.headers), "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, calls


def test_admin_registers_a_webhook_sees_the_secret_once_and_the_delivery(tab: Any, web_url: str) -> None:
    server, calls = start_receiver()
    try:
        page = tab.page
        sign_in(tab, "elena.admin", "Demo-Ventanilla-5", "#/agente/webhooks", "Webhooks salientes")
        tab.step("webhooks-lista")
        page.get_by_role("button", name="Nuevo webhook").click()
        page.get_by_label("Nombre del sistema").fill("SIG municipal")
        page.get_by_label("Dirección (URL) que recibe los eventos").fill(
            "https://sig.municipio.invalid/eventos"
        )
        page.get_by_role("button", name="Crear webhook").click()
        page.wait_for_selector(".error-summary:not([hidden])")
        assert "servidor" in page.locator('[data-for="url"] .error').inner_text()
        tab.step("webhooks-error-url")
        url = f"http://127.0.0.1:{server.server_address[1]}/eventos"
        page.get_by_label("Dirección (URL) que recibe los eventos").fill(url)
        page.get_by_role("button", name="Crear webhook").click()
        secret = page.get_by_test_id("webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        tab.step("webhooks-secreto")
        page.get_by_role("button", name="Ya lo copié").click()
        page.wait_for_selector("table.queue >> text=SIG municipal")
        assert secret not in page.locator("main").inner_text(), "the secret is shown once"

        # A citizen files a request: the stream, the bus, the queue and the function deliver it.
        body = {
            "type": "consulta",
            "subtype": "general",
            "subject": "Horario de la OIRS",
            "description": "¿Atienden los sábados?",
            "requester": {
                "name": "María Pérez",
                "email": "maria.webhook@example.cl",
                "channels": ["email"],
                "consent": True,
            },
        }
        request = urllib.request.Request(
            f"{web_url}/api/v1/tickets",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            number = json.loads(answer.read())["number"]
        deadline = time.monotonic() + 60
        while not any(json.loads(c["body"])["data"]["number"] == number for c in calls):
            assert time.monotonic() < deadline, "no delivery reached the receiver"
            time.sleep(0.2)
        call = next(c for c in calls if json.loads(c["body"])["data"]["number"] == number)
        ts = call["headers"]["X-Ventanilla-Timestamp"]
        mac = hmac.new(secret.encode(), f"{ts}.".encode() + call["body"], hashlib.sha256).hexdigest()
        assert call["headers"]["X-Ventanilla-Signature"] == f"sha256={mac}"
        assert call["headers"]["X-Ventanilla-Event"] == "TicketCreated"
        assert "maria.webhook" not in call["body"].decode(), "no personal data in events"

        page.get_by_role("button", name="Registro de envíos de SIG municipal").click()
        log = page.get_by_test_id("webhook-log")
        log.locator(f"text={number}").first.wait_for()
        assert "Entregado (HTTP 204)" in log.inner_text()
        tab.step("webhooks-registro")
        assert "0" in page.get_by_test_id("webhook-dlq-count").inner_text()
    finally:
        server.shutdown()
        server.server_close()
