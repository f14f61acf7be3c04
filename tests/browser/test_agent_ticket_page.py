"""The agent's ticket page as a work surface (issue 22, items 8 and 9), in a real browser at 1280
and 360 px with axe: reply and set "waiting" in one action, keyboard shortcuts that stay quiet
while typing, the page refreshing when the citizen replies without losing the draft; and two agents
on one ticket: the second sees the first replying, a stale save is a conflict that keeps the draft."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]
PASSWORDS = {"ana.l1": "Demo-Ventanilla-1", "bruno.l2": "Demo-Ventanilla-2"}
SCREEN = {"width": 1280, "height": 800}


def call(url: str, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        f"{url}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def file_request(url: str) -> dict[str, Any]:
    """A question for the atencion team (Ana's), filed through the API as the portal does."""
    return call(
        url,
        "/api/v1/tickets",
        {
            "type": "consulta",
            "subtype": "general",
            "subject": "Horario de atención del registro civil",
            "description": "Quisiera saber si el registro civil atiende los sábados en la mañana.",
            "form": {},
            "requester": {
                "name": "Rosa Toledo",
                "email": f"rosa-{uuid.uuid4().hex[:8]}@example.cl",
                "channels": ["email"],
                "consent": True,
            },
        },
    )


def open_ticket(tab: Any, username: str, number: str) -> None:
    page = tab.page
    page.set_viewport_size(SCREEN)
    tab.go(f"#/agente/solicitud/{number}")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORDS[username])
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector(f"main[aria-busy=false] h1:text('Solicitud {number}')")


def check_both_widths(tab: Any, name: str) -> None:
    for size in (PHONE, SCREEN):
        tab.page.set_viewport_size(size)
        tab.check_a11y(f"{name}-{size['width']}")
    tab.check_text(name)
    tab.shot(name)
    tab.page.set_viewport_size(SCREEN)


def test_send_and_set_waiting_shortcuts_and_a_refresh_that_keeps_the_draft(tab: Any) -> None:
    filed = file_request(tab.url)
    number = filed["number"]
    page = tab.page
    open_ticket(tab, "ana.l1", number)
    check_both_widths(tab, "ficha-1-abierta")

    # "?" goes to the documented shortcuts; "r" opens the reply; a "j" typed there is text.
    page.locator("main h1").focus()
    page.keyboard.press("?")
    assert page.evaluate("document.activeElement.id") == "keys-h"
    assert "siguiente solicitud" in page.get_by_test_id("shortcuts").inner_text()
    page.keyboard.press("r")
    message = page.get_by_label("Mensaje")
    assert page.evaluate("document.activeElement.name") == "body"
    page.keyboard.type("jk")
    assert message.input_value() == "jk" and f"solicitud/{number}" in page.url
    assert "Respuesta pública" in page.get_by_test_id("composer-mode").inner_text()

    # Reply and set "waiting for the citizen": one action, the staff's status name.
    message.fill("¿Nos indica si necesita el trámite de matrimonio o de nacimiento?")
    page.get_by_role("button", name="Responder y esperar al ciudadano").click()
    page.wait_for_selector("text=Respuesta enviada; la solicitud quedó «Esperando al ciudadano».")
    assert page.get_by_test_id("staff-status").inner_text() == "Esperando al ciudadano"
    bubbles = page.locator("[data-testid=conversation] li.msg-staff")
    assert "matrimonio o de nacimiento" in bubbles.last.inner_text()
    assert message.input_value() == ""  # sent: the draft is gone

    # "n" switches to an internal note; a draft is written, then the citizen answers.
    page.locator("main h1").focus()
    page.keyboard.press("n")
    assert "note-mode" in (page.get_by_test_id("composer").get_attribute("class") or "")
    message.fill("Borrador: confirmar con el registro civil")
    call(
        tab.url,
        f"/api/v1/tickets/{number}/messages",
        {"body": "Es de nacimiento, para mi hija."},
        {"X-Access-Code": filed["access_code"]},
    )
    # The page notices the new version (polling) and shows it, keeping the draft and the mode.
    notice = page.get_by_test_id("desk-notice")
    notice.filter(has_text="El ciudadano respondió").wait_for(timeout=40_000)
    assert "para mi hija" in page.locator("[data-testid=conversation] li.msg-citizen").last.inner_text()
    assert page.get_by_label("Mensaje").input_value() == "Borrador: confirmar con el registro civil"
    assert "note-mode" in (page.get_by_test_id("composer").get_attribute("class") or "")
    assert page.get_by_test_id("staff-status").inner_text() == "En curso"
    check_both_widths(tab, "ficha-2-respondio")


def test_two_agents_on_one_ticket_presence_and_a_conflict_that_keeps_the_draft(new_tab: Any) -> None:
    ana, bruno = new_tab(), new_tab()
    number = file_request(ana.url)["number"]
    open_ticket(ana, "ana.l1", number)
    draft = "Hola Rosa, el registro civil atiende los sábados de 9 a 13 h."
    ana.page.get_by_label("Mensaje").fill(draft)  # Ana starts replying

    open_ticket(bruno, "bruno.l2", number)
    presence = bruno.page.get_by_test_id("presence")
    presence.filter(has_text="Ana Rojas está respondiendo esta solicitud").wait_for()
    check_both_widths(bruno, "ficha-3-dos-agentes")

    # Ana's page misses its next poll (e.g. a slow link) while Bruno answers first.
    ana.page.route(re.compile(r".*/presence$"), lambda route: route.abort())
    bruno.page.get_by_label("Mensaje").fill("Le respondo yo: atendemos sábados de 9 a 13 h.")
    bruno.page.get_by_role("button", name="Responder al ciudadano").click()
    bruno.page.wait_for_selector("text=Respuesta enviada al ciudadano.")

    # Ana's save is stale: a conflict (not success), the colleague's reply shown, her draft kept.
    ana.page.get_by_role("button", name="Responder al ciudadano").click()
    conflict = ana.page.get_by_test_id("desk-notice")
    conflict.filter(has_text="otra persona cambió esta solicitud").wait_for()
    assert "desk-conflict" in (conflict.get_attribute("class") or "")
    assert conflict.get_attribute("role") == "alert"
    assert ana.page.locator(".status-line").first.inner_text() == ""
    assert ana.page.get_by_label("Mensaje").input_value() == draft
    assert "Le respondo yo" in ana.page.get_by_test_id("conversation").inner_text()
    check_both_widths(ana, "ficha-4-conflicto")

    # She decides it still applies and sends it on the current version.
    ana.page.unroute(re.compile(r".*/presence$"))
    ana.page.get_by_role("button", name="Responder al ciudadano").click()
    ana.page.wait_for_selector("text=Respuesta enviada al ciudadano.")
    assert ana.page.get_by_label("Mensaje").input_value() == ""
    staff_bubbles = ana.page.locator("[data-testid=conversation] li.msg-staff")
    assert staff_bubbles.count() == 2 and draft in staff_bubbles.last.inner_text()
