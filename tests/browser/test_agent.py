"""The agent console in a real browser: sign in, queue with SLA badges, the full ticket, internal
note, assign, reply and resolve; then the citizen sees the reply but never the note."""

from __future__ import annotations

import json
import time
import urllib.request
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


def wait_for_schedules(url: str, number: str, timeout: float = 120) -> None:
    """Until the ticket's SLA schedules exist in the stack's scheduler (asked through AWS's API),
    however long a loaded machine takes to deliver the stream."""
    import time

    import boto3

    from tests.stack_process import MOTO_URLS

    scheduler = boto3.client(
        "scheduler",
        endpoint_url=MOTO_URLS[url],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    deadline = time.monotonic() + timeout
    while not scheduler.list_schedules(NamePrefix=f"vt-{number}-")["Schedules"]:
        assert time.monotonic() < deadline, f"no schedules for {number} after {timeout} s"
        time.sleep(0.2)


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

    # The satisfaction survey: a missing score is said beside the group, then 4 with a comment.
    cpage = citizen.page
    survey = cpage.locator("section.survey")
    survey.get_by_role("button", name="Enviar evaluación").click()
    assert "Elija una evaluación de 1 a 5." in survey.locator(".error-summary").inner_text()
    assert cpage.locator("#score-err").is_visible()
    cpage.get_by_role("radio", name="4 Satisfecho").check()
    cpage.get_by_label("Comentario").fill("Me respondieron rápido.")
    citizen.step("seguimiento-4-encuesta")
    survey.get_by_role("button", name="Enviar evaluación").click()
    cpage.wait_for_selector("text=Gracias: recibimos su evaluación.")
    assert "4 de 5" in cpage.get_by_test_id("survey-thanks").inner_text()
    assert "Evaluó la atención con 4 de 5" in cpage.locator(".timeline").inner_text()
    citizen.step("seguimiento-5-encuesta-respondida")
    citizen.page.reload()
    citizen.wait_ready()
    assert cpage.get_by_role("button", name="Enviar evaluación").count() == 0  # once per resolution

    # The agent sees the score in the ticket.
    page.reload()
    tab.wait_ready()
    assert page.get_by_test_id("csat").inner_text().startswith("4 de 5")
    assert "Encuesta de satisfacción: 4 de 5" in page.locator(".timeline").inner_text()

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


def file_over_http(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/api/v1/tickets",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return dict(json.loads(answer.read()))


TRANSPARENCIA = {
    "type": "solicitud-informacion",
    "subtype": "ley-20285",
    "subject": "Contratos de alumbrado público 2025",
    "description": "Solicito copia de los contratos de alumbrado público vigentes en 2025.",
    "form": {"rut": "12.345.678-5", "formato": "correo"},
    "requester": {
        "name": "Julia Soto",
        "email": "julia.soto@example.cl",
        "channels": ["email"],
        "consent": True,
    },
    "seen_articles": ["como-pedir-informacion-publica"],
}


def press_until(page: Any, check: str, limit: int = 60) -> None:
    """Tab until the focused element satisfies ``check`` (a JS predicate on document.activeElement)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean({check}); }}"):
            return
    raise AssertionError(f"never focused: {check}")


def test_agent_service_level_actions_by_keyboard(tab: Any) -> None:
    """Filters, escalation with a reason, legal extension with a justification, reclassification and
    availability, driven from the keyboard; each lands in the full history."""
    filed = file_over_http(tab.url, TRANSPARENCIA)
    number = filed["number"]
    page = tab.page
    tab.go("#/agente")
    page.get_by_label("Usuario").fill("bruno.l2")
    page.get_by_label("Contraseña").fill("Demo-Ventanilla-2")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:text('Bandeja de solicitudes')")
    tab.wait_ready()

    # Filters from the keyboard: team, priority; the URL keeps them.
    press_until(page, "el.name === 'team'")
    page.keyboard.press("Escape")
    page.get_by_label("Equipo").select_option("transparencia")
    page.get_by_label("Solo vencidas").focus()
    page.keyboard.press("Space")
    assert page.get_by_label("Solo vencidas").is_checked()
    page.keyboard.press("Space")  # and off again
    press_until(page, "el.textContent === 'Filtrar'")
    page.keyboard.press("Enter")
    page.wait_for_url("**equipo=transparencia**")
    tab.wait_ready()
    rows = page.locator("table.queue tbody tr")
    assert rows.count() >= 1
    dues = page.locator("table.queue tbody time").evaluate_all("els => els.map(e => Date.parse(e.dateTime))")
    assert dues == sorted(dues), "soonest due first"
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    assert row.locator("[data-sla]").get_attribute("data-sla") == "on_time"
    tab.step("agente-5-bandeja-filtros")

    # Availability.
    page.get_by_label("Disponible para recibir solicitudes nuevas").check()
    page.get_by_label("Capacidad", exact=False).fill("600")
    page.get_by_role("button", name="Guardar disponibilidad").click()
    assert "entre 0 y 500" in page.locator(".availability .error-summary").inner_text()
    page.get_by_label("Capacidad", exact=False).fill("8")
    page.get_by_role("button", name="Guardar disponibilidad").click()
    page.wait_for_selector("text=Quedó disponible, con capacidad 8.")
    page.reload()
    tab.wait_ready()
    page.get_by_label("Disponible para recibir solicitudes nuevas").wait_for()
    assert page.get_by_label("Disponible para recibir solicitudes nuevas").is_checked()
    assert page.get_by_label("Capacidad", exact=False).input_value() == "8"

    # Open the ticket with the keyboard.
    page.get_by_role("link", name=number).focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"h1:text('Solicitud {number}')")
    tab.wait_ready()
    assert page.get_by_test_id("seen-articles").inner_text() == "como-pedir-informacion-publica"
    assert page.get_by_test_id("due-legal").is_visible()
    legal_before = page.get_by_test_id("due-legal").inner_text()
    tab.step("agente-6-solicitud-plazos")

    # The in-page link takes the focus to the escalation form.
    page.get_by_role("link", name="Escalar").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "escalate-h"
    page.get_by_role("button", name="Escalar solicitud").click()
    assert page.get_by_label("Motivo de la escalada").get_attribute("aria-invalid") == "true"
    page.get_by_label("Motivo de la escalada").fill("Requiere revisión jurídica de los contratos.")
    page.get_by_role("button", name="Escalar solicitud").click()
    page.wait_for_selector("text=Solicitud escalada a L2.")
    assert page.get_by_test_id("staff-tier").inner_text().endswith("L2")
    assert page.get_by_test_id("escalation-level").inner_text() == "1"
    assert "Escalada de L1 a L2 (nivel 1)" in page.locator(".timeline").inner_text()

    # Legal extension: the justification is checked in the page, then by the API.
    page.get_by_label("Días hábiles de prórroga").fill("10")
    page.get_by_label("Justificación para el ciudadano").fill("corto")
    page.get_by_role("button", name="Aplicar prórroga").click()
    assert page.get_by_label("Justificación para el ciudadano").get_attribute("aria-invalid") == "true"
    page.get_by_label("Días hábiles de prórroga").fill("99")
    page.get_by_label("Justificación para el ciudadano").fill(
        "Los contratos están en el archivo externo y deben digitalizarse."
    )
    page.get_by_role("button", name="Aplicar prórroga").click()
    page.locator("#extension-h ~ .error-summary:not([hidden])").wait_for()
    assert "10 días hábiles" in page.locator("form:has(#extension-h) .error-summary").inner_text()
    page.get_by_label("Días hábiles de prórroga").fill("10")
    page.get_by_role("button", name="Aplicar prórroga").click()
    page.wait_for_selector("text=Prórroga aplicada; el ciudadano fue informado.")
    assert page.get_by_test_id("due-legal").inner_text() != legal_before
    assert "Prórroga de 10 días hábiles" in page.locator(".timeline").inner_text()
    assert page.get_by_text("La prórroga ya se aplicó (10 días hábiles).").is_visible()

    # Reclassify: another type lists its own subtypes and asks for one; then only the priority.
    page.get_by_label("Tipo de solicitud").select_option("consulta")
    subtypes = page.get_by_label("Subtipo").locator("option").all_inner_texts()
    assert len(subtypes) == 3 and subtypes[0].startswith("Seleccione"), subtypes
    page.get_by_role("button", name="Guardar clasificación").click()
    assert page.get_by_label("Subtipo").get_attribute("aria-invalid") == "true"
    page.get_by_label("Tipo de solicitud").select_option("solicitud-informacion")
    page.get_by_label("Subtipo").select_option("ley-20285")
    page.get_by_label("Prioridad de la solicitud").select_option("critical")
    page.get_by_role("button", name="Guardar clasificación").click()
    page.wait_for_selector("text=Clasificación guardada; los plazos se recalcularon.")
    assert page.get_by_test_id("staff-priority").inner_text() == "Crítica"
    assert "→ Crítica" in page.locator(".timeline").inner_text()
    tab.step("agente-7-escalada-prorroga")

    # Waiting for the citizen pauses the clock: the history says so and the badge is "paused".
    page.get_by_label("Nuevo estado").select_option("assigned")
    page.get_by_role("button", name="Cambiar estado").click()
    page.wait_for_selector("text=Estado cambiado a «Asignada».")
    page.get_by_label("Nuevo estado").select_option("waiting_citizen")
    page.get_by_role("button", name="Cambiar estado").click()
    # Staff read the status as staff say it (the citizen reads "Esperando su respuesta").
    page.wait_for_selector("text=Estado cambiado a «Esperando al ciudadano».")
    assert "Plazo en pausa: se espera al ciudadano" in page.locator(".timeline").inner_text()
    assert page.locator(".badges [data-sla]").get_attribute("data-sla") == "paused"
    assert "(en curso)" in page.locator(".sla-panel").inner_text()

    # The citizen sees the extension's justification and the legal deadline, not the escalation.
    page.goto(f"{tab.url}/#/solicitud/{number}?codigo={filed['access_code']}")
    tab.wait_ready()
    timeline = page.locator(".timeline").inner_text()
    assert "Los contratos están en el archivo externo" in timeline
    assert "Prórroga del plazo legal: 10 días hábiles más" in timeline
    assert "Requiere revisión jurídica" not in page.content()
    assert page.get_by_test_id("legal-due").is_visible()
    assert page.get_by_text("el plazo está suspendido").is_visible()
    tab.step("seguimiento-6-prorroga")


def test_missed_deadlines_show_as_breached(tab: Any) -> None:
    """The local clock moves three weeks on: the timers fire and the console shows the request as
    breached, in the queue, under "breached only", and in its history (warnings already past a
    breach are moot and not recorded)."""
    consulta = {
        **TRANSPARENCIA,
        "type": "consulta",
        "subtype": "general",
        "form": {},
        "subject": "Horario de la OIRS en verano",
        "seen_articles": [],
    }
    number = file_over_http(tab.url, consulta)["number"]
    page = tab.page
    wait_for_schedules(tab.url, number)  # the stream consumer turns the ticket's timers into schedules
    moved = urllib.request.Request(f"{tab.url}/dev/clock?advance=3w", data=b"", method="POST")
    with urllib.request.urlopen(moved, timeout=30) as answer:
        assert answer.status == 200
    tab.go("#/agente")
    page.get_by_label("Usuario").fill("ana.l1")
    page.get_by_label("Contraseña").fill("Demo-Ventanilla-1")
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector("h1:text('Bandeja de solicitudes')")
    history = ""
    # The runner fires every due schedule (the demo requests' too) in turn: minutes on a loaded
    # machine, so the budget is generous and the check is on state.
    deadline = time.monotonic() + 480
    while time.monotonic() < deadline:
        tab.go(f"#/agente/solicitud/{number}")
        history = page.locator(".timeline").inner_text()
        if "Plazo vencido: Primera respuesta" in history and "Plazo vencido: Solución" in history:
            break
        page.wait_for_timeout(2000)
    assert "Plazo vencido: Primera respuesta" in history, history
    assert "Plazo vencido: Solución" in history  # the resolution term went by too
    assert "Aviso enviado por correo (j" in history  # the receipt: by what and to whom (masked)
    assert page.locator(".badges [data-sla]").get_attribute("data-sla") == "breached"
    assert page.get_by_test_id("due-first_response").get_by_text("Vencida").is_visible()
    tab.step("agente-8-vencida")

    tab.go("#/agente?equipo=atencion&vencidas=1")
    rows = page.locator("table.queue tbody tr")
    rows.first.wait_for(state="visible", timeout=30_000)  # the queue answers after the page is drawn
    assert rows.count() >= 1
    assert set(rows.locator("[data-sla]").evaluate_all("els => els.map(e => e.dataset.sla)")) == {"breached"}
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    assert row.get_by_text("Vencida").is_visible()
    tab.step("agente-9-solo-vencidas")
