"""«Mi cuenta» in a real browser against ``make dev``'s stack: sign up with the emailed code (read
from the development outbox), the demo citizen's requests from the web and by email, saving data,
a consent withdrawn and given again, the download, the English page, and deleting the account."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def _code(web_url: str, email: str) -> str:
    with urllib.request.urlopen(f"{web_url}/dev/outbox?format=json&to={email}", timeout=30) as answer:
        entries = json.loads(answer.read())
    items = entries if isinstance(entries, list) else entries.get("items", entries.get("entries", []))
    text = next(e["text"] for e in items if "código" in e["subject"])
    found = re.search(r"\b(\d{6})\b", text)
    assert found
    return found.group(1)


def _sms_code(web_url: str, phone: str) -> str:
    from urllib.parse import quote

    with urllib.request.urlopen(f"{web_url}/dev/outbox?format=json&to={quote(phone)}", timeout=30) as answer:
        items = json.loads(answer.read())["items"]
    found = re.search(r"\b(\d{6})\b", next(e["text"] for e in items if e["channel"] == "sms"))
    assert found
    return found.group(1)


def sign_in(tab: Any, email: str, password: str) -> None:
    page = tab.page
    tab.go("#/cuenta")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_selector("h2:text('Mis solicitudes')")


def test_the_demo_citizen_sees_her_web_and_email_requests_and_manages_her_data(tab: Any) -> None:
    page = tab.page
    tab.go("#/cuenta")
    assert tab.heading() == "Mi cuenta"
    tab.step("cuenta-ingreso")
    page.get_by_role("button", name="Iniciar sesión").click()
    assert page.locator(".error-summary").is_visible()
    sign_in(tab, "vecina@example.cl", "Demo-Vecina-1")
    requests = page.locator(".my-requests li")
    assert requests.count() == 2
    text = page.locator(".my-requests").inner_text()
    assert "correo" in text and "web" in text
    tab.step("cuenta-panel")
    # Withdraw email notices, then give them again: a ledger line each.
    row = page.get_by_role("row", name=re.compile("Avisos por correo"))
    row.get_by_role("button", name=re.compile("^Retirar")).click()
    page.wait_for_selector("text=Consentimiento retirado.")
    assert "No dado" in page.get_by_role("row", name=re.compile("Avisos por correo")).inner_text()
    page.get_by_role("row", name=re.compile("Avisos por correo")).get_by_role(
        "button", name=re.compile("^Dar")
    ).click()
    page.wait_for_selector("text=Consentimiento registrado.")
    # Save segment data.
    page.get_by_label("Comuna").fill("Quilpué")
    page.get_by_role("button", name="Guardar mis datos").click()
    page.wait_for_selector("text=Sus datos se guardaron.")
    assert page.get_by_label("Comuna").input_value() == "Quilpué"
    # Download my data.
    with page.expect_download() as download:
        page.get_by_role("button", name="Descargar mis datos").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert len(data["requests"]) == 2 and data["account"]["segment"]["comuna"] == "Quilpué"
    assert all(r["timeline"] for r in data["requests"])
    # English.
    page.locator("#lang-switch").click()
    page.wait_for_selector("h2:text('My requests')")
    tab.step("cuenta-panel-en")
    page.locator("#lang-switch").click()
    page.wait_for_selector("h2:text('Mis solicitudes')")
    # Her own request opens from the list without its access code, and she answers on it.
    first = page.locator(".my-requests li a").first
    number = first.inner_text().strip()
    first.click()
    page.wait_for_selector(f"h1:text('Solicitud {number}')")
    tab.wait_ready()
    assert not page.get_by_label("Código de acceso").count()
    page.get_by_label("Su mensaje").fill("Les escribo desde mi cuenta.")
    page.get_by_role("button", name="Enviar mensaje").click()
    page.wait_for_selector("text=Les escribo desde mi cuenta.")
    tab.step("cuenta-solicitud")


def test_a_new_citizen_signs_up_with_the_emailed_code_and_deletes_the_account(tab: Any, web_url: str) -> None:
    page = tab.page
    email = f"nueva.{uuid.uuid4().hex[:8]}@example.cl"
    tab.go("#/cuenta/registro")
    tab.step("cuenta-registro")
    page.get_by_label("Nombre").fill("Nora Paz")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill("corta")
    page.get_by_role("button", name="Crear cuenta").click()
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("Contraseña").fill("Clave-Segura-2026")
    page.get_by_role("button", name="Crear cuenta").click()
    page.wait_for_selector("h1:text('Verifique su correo')")
    tab.step("cuenta-codigo")
    page.get_by_label("Código de verificación").fill(
        "000000" if _code(web_url, email) != "000000" else "111111"
    )
    page.get_by_role("button", name="Verificar y entrar").click()
    page.wait_for_selector("text=El código no es correcto o venció.")
    page.get_by_label("Código de verificación").fill(_code(web_url, email))
    page.get_by_role("button", name="Verificar y entrar").click()
    page.wait_for_selector("text=Su cuenta está lista y su correo verificado.")
    assert "Aún no tiene solicitudes" in page.locator("main").inner_text()
    assert email in page.locator("main").inner_text()
    # A phone joins the account only with the code of its SMS.
    digits = f"{uuid.uuid4().int % 10_000_000:07d}"
    page.get_by_label("Teléfono móvil").fill(f"+56 9 8{digits[:3]} {digits[3:]}")
    page.get_by_role("button", name="Enviar código por SMS").click()
    page.get_by_label("Código del SMS").wait_for()
    tab.step("cuenta-telefono-codigo")
    sms = _sms_code(web_url, f"+5698{digits}")
    page.get_by_label("Código del SMS").fill("000000" if sms != "000000" else "111111")
    page.get_by_role("button", name="Verificar teléfono").click()
    page.wait_for_selector("text=El código no es correcto; le quedan 4 intentos.")
    page.get_by_label("Código del SMS").fill(sms)
    page.get_by_role("button", name="Verificar teléfono").click()
    page.wait_for_selector(f"text=El teléfono +5698{digits} quedó verificado en su cuenta.")
    assert f"+5698{digits}" in page.locator("section[aria-labelledby=acc-phone]").inner_text()
    # Delete, with confirmation.
    page.get_by_role("button", name="Eliminar mi cuenta").click()
    page.wait_for_selector("text=Marque la casilla para confirmar.")
    tab.step("cuenta-eliminar-confirmar")
    page.get_by_label("Entiendo que esto no se puede deshacer").check()
    page.get_by_role("button", name="Eliminar mi cuenta").click()
    page.wait_for_selector("text=Su cuenta fue eliminada.")
    tab.step("cuenta-eliminada")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill("Clave-Segura-2026")
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_selector("text=Correo o contraseña incorrectos.")


def test_a_supervisor_sees_the_requesters_other_requests_on_the_ticket_page(tab: Any, new_tab: Any) -> None:
    from tests.browser.test_agent import sign_in as staff_sign_in

    sign_in(tab, "vecina@example.cl", "Demo-Vecina-1")
    numbers = tab.page.locator(".my-requests li a").all_inner_texts()
    assert len(numbers) == 2
    staff = new_tab()
    staff_sign_in(staff, "carla.supervisora", "Demo-Ventanilla-3")
    staff.go(f"#/agente/solicitud/{numbers[0]}")
    staff.page.get_by_role("button", name="Ver contactos y otras solicitudes").click()
    panel = staff.page.get_by_test_id("requester-panel")
    panel.get_by_text("Tiene cuenta ciudadana.").wait_for()
    assert numbers[1] in panel.inner_text() and "vecina@example.cl · verificado" in panel.inner_text()
    staff.step("agente-solicitante")
