"""Proactive service in the browser: a citizen subscribes to notices of her sector and confirms by
the emailed link; a supervisor composes an alert, sees its audience, publishes it, the subscriber
gets it, the portal shows the banner, and "restablecido" closes it."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import api_get

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def wait_mail(url: str, email: str, subject: str) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for mail in api_get(url, f"/dev/outbox?format=json&to={quote(email)}")["items"]:
            if subject in mail.get("subject", ""):
                return dict(mail)
        time.sleep(0.3)
    raise AssertionError(f"no mail '{subject}' to {email}")


def subscribe(tab: Any, email: str, shots: str | None = None) -> None:
    page = tab.page
    tab.go("#/avisos")
    assert tab.heading() == "Recibir avisos"
    if shots:
        tab.step(f"{shots}-1-formulario")
    page.get_by_role("button", name="Suscribirme").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "consent" in page.locator("[data-for=consent]").get_attribute("class") or summary.inner_text()
    if shots:
        tab.step(f"{shots}-2-errores")
    page.get_by_label("Cortes de agua").check()
    page.get_by_label("Centro", exact=True).check()
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label(re.compile("Acepto recibir")).check()
    page.get_by_role("button", name="Suscribirme").click()
    page.get_by_text("Le enviamos un enlace a su correo").wait_for()
    if shots:
        tab.step(f"{shots}-3-revise-su-correo")


def test_a_citizen_subscribes_and_confirms_by_the_link(tab: Any) -> None:
    email = f"suscriptora-{uuid.uuid4().hex[:8]}@example.cl"
    subscribe(tab, email, shots="avisos-suscripcion")
    mail = wait_mail(tab.url, email, "Confirme su suscripción")
    assert mail["unsubscribe"]
    token = re.search(r"token=([A-Za-z0-9_-]+)", mail["text"]).group(1)  # type: ignore[union-attr]
    tab.go(f"#/suscripcion/confirmar?token={token}")
    assert tab.heading() == "Confirmar suscripción"
    tab.page.get_by_role("button", name="Confirmar").click()
    tab.page.get_by_text("Suscripción confirmada").wait_for()
    tab.step("avisos-suscripcion-4-confirmada")
    tab.page.get_by_role("button", name="Confirmar").wait_for(state="hidden")
    # the link works once
    tab.go("#/")
    tab.go(f"#/suscripcion/confirmar?token={token}")
    tab.page.get_by_role("button", name="Confirmar").click()
    tab.page.get_by_text("El enlace no es válido").wait_for()


def test_a_supervisor_composes_an_alert_that_reaches_the_subscriber(tab: Any) -> None:
    page = tab.page
    email = f"vecina-aviso-{uuid.uuid4().hex[:8]}@example.cl"
    subscribe(tab, email)
    mail = wait_mail(tab.url, email, "Confirme su suscripción")
    token = re.search(r"token=([A-Za-z0-9_-]+)", mail["text"]).group(1)  # type: ignore[union-attr]
    tab.go(f"#/suscripcion/confirmar?token={token}")
    page.get_by_role("button", name="Confirmar").click()
    page.get_by_text("Suscripción confirmada").wait_for()

    tab.go("#/agente")
    page.get_by_label("Usuario").fill("carla.supervisora")
    page.get_by_label("Contraseña").fill("Demo-Ventanilla-3")
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector("h1:text('Bandeja de solicitudes')")
    tab.go("#/agente/avisos")
    page.wait_for_selector("main h1:text('Avisos a la comunidad')")  # the view loads its module first
    assert tab.heading() == "Avisos a la comunidad"
    tab.step("avisos-consola-1-vacio")
    page.get_by_role("button", name="Publicar y enviar").click()
    page.locator(".error-summary").wait_for()
    tab.step("avisos-consola-2-errores")
    title = f"Corte de agua {uuid.uuid4().hex[:4]}"
    page.get_by_label("Título (español)").fill(title)
    page.get_by_label("Texto (español)").fill("Sin agua hasta las 18:00 por reparación de matriz.")
    form = page.locator("form")
    form.get_by_label("Centro", exact=True).check()
    form.get_by_label("Cortes de agua").check()
    page.get_by_role("button", name="Calcular audiencia").click()
    page.get_by_text(re.compile(r"Suscriptores que lo recibirán \(como máximo\): [1-9]")).wait_for()
    tab.step("avisos-consola-3-audiencia")
    page.get_by_role("button", name="Publicar y enviar").click()
    page.get_by_role("heading", name=re.compile(title)).wait_for()
    alert_mail = wait_mail(tab.url, email, title)
    assert "#/suscripcion/" in alert_mail["text"]
    tab.step("avisos-consola-4-publicado")

    citizen = tab.page.context.new_page()
    citizen.goto(f"{tab.url}/#/")
    citizen.get_by_role("region", name="Avisos de servicio").get_by_text(title).wait_for()

    manage = re.search(r"#/suscripcion/[0-9a-f]{20}\?t=[0-9a-f]{32}", alert_mail["text"]).group(0)  # type: ignore[union-attr]
    citizen.goto(f"{tab.url}/{manage}")
    citizen.wait_for_selector("main[aria-busy=false] h1:text('Mis avisos')")
    citizen.get_by_role("button", name="Dejar de recibir todos los avisos").click()
    citizen.get_by_text("Ya no recibirá avisos").first.wait_for()
    citizen.close()

    page.get_by_role("listitem").filter(has_text=title).get_by_role(
        "button", name="Informar servicio restablecido"
    ).click()
    page.get_by_role("listitem").filter(has_text=title).get_by_text("restablecido", exact=True).wait_for()
    tab.step("avisos-consola-5-restablecido")


def test_a_signed_in_citizen_subscribes_with_her_account(tab: Any) -> None:
    """Signed in, the subscription is the account's: her verified email, no link to wait for (so
    campaign segments by comuna reach her, and erasing the account erases it)."""
    from tests.browser.test_account import sign_in

    page = tab.page
    sign_in(tab, "vecina@example.cl", "Demo-Vecina-1")
    tab.go("#/avisos")
    assert page.get_by_label("Correo electrónico").input_value() == "vecina@example.cl"
    page.get_by_test_id("sub-with-account").get_by_text("Se suscribe con su cuenta").wait_for()
    page.get_by_label("Eventos").check()
    page.get_by_label(re.compile("Acepto recibir")).check()
    page.get_by_role("button", name="Suscribirme").click()
    page.get_by_text("Suscripción confirmada").wait_for()
    page.get_by_test_id("sub-manage-link").wait_for()
    tab.step("avisos-suscripcion-con-cuenta")
