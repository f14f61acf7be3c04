"""The console's forum tools in a real browser against ``make dev``'s stack: the moderator opens a
topic from the moderation page, is stopped when the reason is missing, moves the topic to another
category and suspends its author for three days, each with the reason the author sees; the rules
screen; axe and screenshots at 360 and 1280 px on every step, English too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import api_get
from tests.browser.test_assets import sign_in_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]
TITLE = "Cámaras de seguridad en la plaza"


def test_move_a_topic_and_suspend_its_author_with_reasons(tab: Any, web_url: str) -> None:
    page = tab.page
    [topic] = [
        t
        for t in api_get(web_url, "/api/v1/forum/topics?category=barrio&limit=50")["items"]
        if t["title"] == TITLE
    ]
    sign_in_at(tab, "#/agente/foro", "mario.moderador", "Demo-Ventanilla-7", "Moderación del foro")
    page.get_by_label("Abrir un tema para moderarlo", exact=False).fill(
        f"{web_url}/#/foro/tema/{topic['id']}"
    )
    page.get_by_role("button", name="Abrir", exact=True).click()
    page.wait_for_selector("h1:text('Moderar un tema')")
    tab.wait_ready()
    assert "Mi barrio" in page.get_by_test_id("topic-state").inner_text()
    tab.step("foro-mod-1-tema")

    # Without a reason nothing is sent: the error names the field.
    move = page.locator("form[data-action=move]")
    move.get_by_label("Nueva categoría", exact=False).select_option("transito")
    move.get_by_role("button", name="Mover tema").click()
    move.locator(".error-summary:not([hidden])").wait_for()
    assert "Escriba el motivo" in move.inner_text()
    tab.step("foro-mod-2-sin-motivo")
    move.get_by_label("Motivo", exact=False).fill("Trata de la plaza, no del tránsito: mejor en su categoría")
    move.get_by_role("button", name="Mover tema").click()
    page.wait_for_selector("[data-testid=topic-state]:has-text('Tránsito y transporte')")
    tab.wait_ready()
    assert "Mover: Trata de la plaza" in page.get_by_test_id("mod-done").inner_text()
    listed = [t["id"] for t in api_get(web_url, "/api/v1/forum/topics?category=transito&limit=50")["items"]]
    assert topic["id"] in listed

    # Suspend the author for three days, with a reason.
    suspend = page.locator("form[data-action=suspend]")
    suspend.get_by_label("Días de suspensión", exact=False).fill("400")
    suspend.get_by_label("Motivo", exact=False).fill("Mensajes ofensivos repetidos")
    suspend.get_by_role("button", name="Suspender cuenta").click()
    suspend.locator(".error-summary:not([hidden])").wait_for()
    assert "entre 1 y 365" in suspend.inner_text()
    suspend.get_by_label("Días de suspensión", exact=False).fill("3")
    suspend.get_by_role("button", name="Suspender cuenta").click()
    page.wait_for_selector("[data-testid=account-state]:has-text('suspendida hasta')")
    assert "Suspender: Mensajes ofensivos repetidos" in page.get_by_test_id("mod-done").inner_text()
    tab.step("foro-mod-3-suspendida")
    page.locator("#lang-switch").click()
    page.wait_for_selector("h1:text('Moderate a topic')")
    tab.wait_ready()
    tab.step("foro-mod-3-suspendida-en")
    page.locator("#lang-switch").click()
    page.wait_for_selector("h1:text('Moderar un tema')")

    # Both actions are in the log with their reasons.
    tab.go("#/agente/foro")
    log = page.locator("table").last.inner_text()
    assert "Mensajes ofensivos repetidos" in log and "mejor en su categoría" in log

    # The rules screen.
    page.get_by_role("link", name="Reglas del foro").click()
    page.wait_for_selector("h1:text('Reglas del foro')")
    tab.wait_ready()
    rate = page.get_by_label("Mensajes por hora y cuenta", exact=False)
    before = rate.input_value()
    rate.fill("0")
    page.get_by_role("button", name="Guardar reglas").click()
    page.locator(".error-summary:not([hidden])").wait_for()
    tab.step("foro-mod-4-reglas")
    rate.fill(before)
    page.get_by_role("button", name="Guardar reglas").click()
    page.wait_for_selector("text=Reglas guardadas.")
