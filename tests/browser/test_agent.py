"""The agent console in a real browser: sign in, queue with SLA badges, the full ticket, internal
note, assign, reply and resolve; then the citizen sees the reply but never the note."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import file_licence_request

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]

REPLY = "Su patente está en revisión en la Dirección de Obras; la resolución sale esta semana."
NOTE = "Revisado con Rentas: falta solo el certificado de zonificación."


def sign_in(tab: Any, username: str, password: str) -> None:
    page = tab.page
    tab.go("#/agente")
    assert tab.heading() == "Consola de atención: ingreso"
    tab.step("agente-1-ingreso")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill("wrong-password")
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector("text=Usuario o contraseña incorrectos.")
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector("h1:text('Bandeja de solicitudes')")
    tab.wait_ready()


def test_agent_replies_and_resolves_citizen_sees_it(tab: Any, new_tab: Any) -> None:
    citizen = new_tab()
    filed = file_licence_request(citizen)

    page = tab.page
    sign_in(tab, "ana.l1", "Demo-Ventanilla-1")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=filed.number))
    assert row.count() == 1
    assert row.get_by_text("A tiempo").is_visible()  # SLA badge of a fresh ticket
    assert row.get_by_text("Recibida").is_visible()
    tab.step("agente-2-bandeja")

    page.get_by_label("Estado").select_option("received")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**estado=received**")
    tab.wait_ready()
    page.get_by_role("link", name=filed.number).click()
    page.wait_for_selector(f"h1:text('Solicitud {filed.number}')")
    tab.wait_ready()
    assert page.get_by_text("maria.perez@example.cl").is_visible()
    assert page.get_by_text("Almacén Don Pepe SpA").is_visible()  # the subtype's form, labelled

    page.get_by_label("Mensaje").fill(NOTE)
    page.get_by_role("button", name="Agregar nota interna").click()
    page.wait_for_selector("text=Nota interna guardada.")
    note = page.locator(".timeline li.internal").filter(has_text=NOTE)
    assert note.get_by_text("Nota interna: el ciudadano no la ve").is_visible()

    page.get_by_role("button", name="Asignármela").click()
    page.wait_for_selector("text=La solicitud quedó asignada a usted.")
    assert page.get_by_test_id("staff-status").inner_text() == "Asignada"

    # A canned response, filled in for this ticket, then completed by hand.
    page.get_by_label("Insertar respuesta predefinida").select_option(label="Acuse de recibo")
    message = page.get_by_label("Mensaje")
    canned = message.input_value()
    assert f"Hemos recibido su solicitud N.º {filed.number}" in canned and "{" not in canned
    message.fill(f"{canned}\n\n{REPLY}")
    page.get_by_role("button", name="Responder al ciudadano").click()
    page.wait_for_selector("text=Respuesta enviada al ciudadano.")
    assert page.get_by_test_id("staff-status").inner_text() == "En curso"
    tab.step("agente-3-solicitud")

    page.get_by_label("Nuevo estado").select_option("resolved")
    page.get_by_label("Comentario para el ciudadano").fill(
        "Quedó resuelta; puede escribirnos si necesita algo más."
    )
    page.get_by_role("button", name="Cambiar estado").click()
    page.wait_for_selector("text=Estado cambiado a «Resuelta».")
    assert page.get_by_test_id("staff-status").inner_text() == "Resuelta"
    tab.step("agente-4-resuelta")

    # The citizen sees the reply and the new status, never the internal note.
    citizen.go(f"#/solicitud/{filed.number}?codigo={filed.code}")
    assert citizen.page.get_by_test_id("status").inner_text() == "Resuelta"
    timeline = citizen.page.locator(".timeline").inner_text()
    assert REPLY in timeline
    assert f"Hemos recibido su solicitud N.º {filed.number}" in timeline
    assert "Ana Rojas" in timeline
    assert NOTE not in citizen.page.content()
    citizen.step("seguimiento-3-resuelta")

    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_selector("text=Cerró su sesión.")


def test_sla_rule(tab: Any) -> None:
    """The one function behind the SLA badges: breached from `breached` or a passed `next_due`; at
    risk from a raised warning on a pending target or past the last warning share; paused while
    waiting for the citizen."""
    tab.go("#/")
    states = tab.page.evaluate(
        """async () => {
            const { slaState } = await import('/js/sla.js');
            const t0 = Date.parse('2026-03-02T12:00:00Z'), due = '2026-03-02T22:00:00Z';
            const at = (h) => t0 + h * 3600e3;
            const item = (status, extra = {}) => ({ status, created_at: '2026-03-02T12:00:00Z',
              expected_response_by: '2026-03-02T20:00:00Z', next_due: due, ...extra });
            return [
              slaState(item('received'), at(1)),
              slaState(item('received'), at(7.9)),
              slaState(item('received'), at(8.1)),
              slaState(item('received'), at(5.1), [0.5]),
              slaState(item('assigned'), at(10)),
              slaState(item('in_progress', { warned: ['resolution:warn_50'] }), at(1)),
              slaState(item('in_progress', { warned: ['first_response:warn_50'], first_response_at: '2026-03-02T13:00:00Z' }), at(1)),
              slaState(item('in_progress', { breached: ['first_response'] }), at(1)),
              slaState(item('waiting_citizen'), at(11)),
              slaState(item('waiting_citizen', { breached: ['resolution'] }), at(11)),
              slaState(item('resolved'), at(11)),
              slaState(item('closed', { breached: ['legal'] }), at(11)),
            ];
        }"""
    )
    assert states == [
        "on_time",
        "on_time",
        "at_risk",
        "at_risk",
        "breached",
        "at_risk",
        "on_time",
        "breached",
        "paused",
        "breached",
        None,
        None,
    ]
