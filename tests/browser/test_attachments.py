"""A citizen attaches a file from the request page (progress, check, errors in Spanish) and the
agent downloads it from the console."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import file_licence_request
from tests.browser.test_agent import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_citizen_uploads_and_the_agent_downloads(tab: Any, new_tab: Any) -> None:
    citizen = new_tab()
    filed = file_licence_request(citizen)
    page = citizen.page
    citizen.go(f"#/solicitud/{filed.number}")
    page.wait_for_selector(f"h1:text('Solicitud {filed.number}')")
    citizen.wait_ready()
    page.wait_for_selector("text=Aún no hay archivos.")
    # A file of a type not accepted is refused before sending, in Spanish, beside the control.
    page.set_input_files(
        "#upload-file",
        files=[{"name": "programa.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}],
    )
    page.wait_for_selector("text=Ese tipo de archivo no se acepta")
    # A PDF goes up, is checked and listed as available.
    page.set_input_files(
        "#upload-file", files=[{"name": "patente.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.wait_for_selector("text=«patente.pdf» quedó adjunto.", timeout=20_000)
    assert page.get_by_test_id("attachments").get_by_text("Disponible").is_visible()
    # A renamed executable passes the browser's check but not the server's: the reason is shown.
    page.set_input_files(
        "#upload-file",
        files=[{"name": "factura.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 20}],
    )
    page.wait_for_selector("text=«factura.pdf» no se aceptó", timeout=20_000)
    assert page.get_by_test_id("attachments").get_by_text("Rechazado").is_visible()
    citizen.step("adjuntos-1-ciudadano")

    agent = tab.page
    sign_in(tab, "ana.l1", "Demo-Ventanilla-1")
    tab.go(f"#/agente/solicitud/{filed.number}")
    agent.wait_for_selector(f"h1:text('Solicitud {filed.number}')")
    tab.wait_ready()
    box = agent.get_by_test_id("attachments")
    box.get_by_role("button", name="patente.pdf").wait_for()
    with agent.expect_download() as caught:
        box.get_by_role("button", name="patente.pdf").click()
    download = caught.value
    assert download.suggested_filename == "patente.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == PDF
    tab.step("adjuntos-2-agente")
