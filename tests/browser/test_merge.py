"""Merging in a real browser: an agent merges a request into another with "Fusionar" on the ticket
page, the history says so, and the citizen following the old number sees where it went."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import api_post
from tests.browser.test_assets import sign_in_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def filed(url: str, subject: str) -> dict[str, Any]:
    body = {
        "type": "consulta",
        "subtype": "general",
        "subject": subject,
        "description": "La luminaria del pasaje sigue apagada desde el lunes.",
        "requester": {
            "name": "Rosa Díaz",
            "email": f"rosa-{uuid.uuid4().hex[:8]}@example.cl",
            "channels": ["email"],
            "consent": True,
        },
    }
    return dict(api_post(url, "/api/v1/tickets", body))


def test_an_agent_merges_and_the_citizen_follows_the_old_number(tab: Any, new_tab: Any, web_url: str) -> None:
    survivor = filed(web_url, "Luminaria apagada en pasaje Los Aromos")
    old = filed(web_url, "Poste sin luz en Los Aromos")
    page = tab.page
    sign_in_at(
        tab,
        f"#/agente/solicitud/{old['number']}",
        "bruno.l2",
        "Demo-Ventanilla-2",
        f"Solicitud {old['number']}",
    )
    form = page.locator("form", has=page.locator("#merge-h"))
    form.get_by_role("button", name="Fusionar").click()  # empty: the field's error, nothing sent
    page.wait_for_selector("text=Este campo es obligatorio")
    form.get_by_label("Fusionar en la solicitud N.º").fill(old["number"])
    form.get_by_role("button", name="Fusionar").click()
    page.wait_for_selector("text=Indique otra solicitud, no esta misma.")
    form.get_by_label("Fusionar en la solicitud N.º").fill(survivor["number"])
    form.get_by_role("button", name="Fusionar").click()
    page.wait_for_selector(f"text=Solicitud fusionada en la N.º {survivor['number']}.")
    tab.wait_ready()
    assert page.get_by_test_id("staff-status").inner_text() == "Cerrada"
    assert survivor["number"] in page.get_by_test_id("merged-into").inner_text()
    assert f"Fusionada en la solicitud {survivor['number']}" in page.locator(".timeline").inner_text()
    tab.step("fusion-1-agente")
    # The survivor lists what it took in.
    page.get_by_test_id("merged-into").get_by_role("link", name=survivor["number"]).click()
    page.wait_for_selector(f"h1:text('Solicitud {survivor['number']}')")
    tab.wait_ready()
    assert old["number"] in page.get_by_test_id("merged-from").inner_text()
    assert f"Recibió la solicitud {old['number']}" in page.locator(".timeline").inner_text()

    citizen = new_tab()
    citizen.go(f"#/solicitud/{old['number']}?codigo={old['access_code']}")
    citizen.page.wait_for_selector("[data-testid=merged-into]")
    citizen.wait_ready()
    box = citizen.page.get_by_test_id("merged-into").inner_text()
    assert f"Esta solicitud se unió a la N.º {survivor['number']}" in box
    assert citizen.page.get_by_test_id("merged-status").inner_text() == "Recibida"
    assert (
        f"Unida con la solicitud N.º {survivor['number']}" in citizen.page.locator(".timeline").inner_text()
    )
    citizen.step("fusion-2-ciudadano")
