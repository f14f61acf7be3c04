"""Steps shared by the browser tests: the contact flow as a citizen goes through it."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

NUMBER_RE = re.compile(r"^\d{4}-\d{6}$")


@dataclass(frozen=True)
class Citizen:
    name: str = "María José Pérez"
    email: str = "maria.perez@example.cl"
    phone: str = "+56 9 6123 4567"


@dataclass(frozen=True)
class Filed:
    number: str
    code: str
    subject: str


def start(tab: Any) -> None:
    """The contact flow from its first step (what the draft holds is kept)."""
    tab.go("#/contacto")
    tab.wait_ready()


def choose_topic(
    tab: Any,
    type_name: str,
    subtype_name: str | None,
    *,
    subject: str = "Consulta sobre mi trámite",
    shots: str | None = None,
    past_articles: bool = True,
) -> None:
    """Step 1 (type and subject), step 2 (the case, ``None`` when the type has one and the step is
    skipped); with ``past_articles``, suggested articles (once the help API suggests some) are
    answered with "No resolvió mi duda" so the journey reaches the details either way."""
    page = tab.page
    tab.wait_ready()
    assert tab.heading() == "¿Sobre qué nos quiere escribir?"
    page.get_by_role("radio", name=type_name, exact=True).check()
    page.get_by_label("Asunto").fill(subject)
    if shots:
        tab.step(f"{shots}-1-tema")
    page.get_by_role("button", name="Continuar").click()
    if subtype_name is not None:
        page.wait_for_selector("h1:text('Elija el caso que mejor lo describe')")
        tab.wait_ready()
        page.get_by_role("radio", name=subtype_name, exact=True).check()
        if shots:
            tab.step(f"{shots}-2-caso")
        page.get_by_role("button", name="Continuar").click()
    if not past_articles:
        return
    page.wait_for_selector("h1:text('Cuéntenos su caso'), h1:text('Estos artículos pueden resolver su duda')")
    if tab.heading() == "Estos artículos pueden resolver su duda":
        if shots:
            tab.step(f"{shots}-3-articulos")
        page.get_by_role("link", name="No resolvió mi duda").click()


def fill_licence_form(tab: Any, rut: str = "12.345.678-5") -> None:
    """Step 4, the business licence's details (not sent: "Continuar" leads to the last step)."""
    page = tab.page
    page.wait_for_selector("h1:text('Cuéntenos su caso')")
    tab.wait_ready()
    page.get_by_label("RUT").fill(rut)
    page.get_by_label("Razón social o nombre del negocio").fill("Almacén Don Pepe SpA")
    page.get_by_label("Dirección").fill("Av. Los Aromos 1250, Valle Verde")
    page.get_by_label("Giro o actividad").fill("Almacén de barrio")
    page.get_by_label("Describa su solicitud").fill(
        "Presenté los documentos hace tres semanas y no sé en qué etapa está mi patente."
    )


def to_contact_details(tab: Any) -> None:
    """From the details step to the last one, who the citizen is."""
    tab.page.get_by_role("button", name="Continuar").click()
    tab.page.wait_for_selector("h1:text('Sus datos de contacto')")
    tab.wait_ready()


def identify(
    tab: Any, who: Citizen, *, sms: bool = True, shots: str | None = None, send: bool = True
) -> None:
    """Step 5, last: the citizen's details, then (``send``) "Enviar solicitud"."""
    page = tab.page
    assert tab.heading() == "Sus datos de contacto"
    page.get_by_label("Nombre completo").fill(who.name)
    page.get_by_label("Correo electrónico", exact=False).first.fill(who.email)
    page.get_by_label("Teléfono celular", exact=False).fill(who.phone)
    if sms:
        page.get_by_label("SMS al celular").check()
    page.get_by_label("Acepto el aviso de privacidad", exact=False).check()
    if shots:
        tab.step(f"{shots}-5-datos")
    if send:
        page.get_by_role("button", name="Enviar solicitud").click()


def file_licence_request(tab: Any, *, shots: str | None = None) -> Filed:
    """The whole contact flow for a business licence question; returns number and access code."""
    page = tab.page
    subject = "Estado de mi patente comercial"
    start(tab)
    choose_topic(tab, "Trámites", "Patente comercial", subject=subject, shots=shots)
    fill_licence_form(tab)
    if shots:
        tab.step(f"{shots}-4-detalles")
    to_contact_details(tab)
    identify(tab, Citizen(), shots=shots)
    page.wait_for_selector("h1:text('Recibimos su solicitud')")
    tab.wait_ready()
    number = page.get_by_test_id("ticket-number").inner_text().strip()
    code = page.get_by_test_id("access-code").inner_text().strip()
    assert NUMBER_RE.match(number), number
    assert len(code) >= 6
    if shots:
        tab.step(f"{shots}-6-confirmacion")
    return Filed(number, code, subject)


def api_get(url: str, path: str) -> Any:
    with urllib.request.urlopen(f"{url}{path}", timeout=30) as answer:
        return json.loads(answer.read())


def api_post(url: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{url}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def receipt(url: str, email: str) -> dict[str, Any]:
    """The receipt email sent to ``email``, from the stack's outbox, once it is there."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        mails = api_get(url, f"/dev/outbox?format=json&to={quote(email)}")["items"]
        if mails:
            return dict(mails[0])
        time.sleep(0.5)
    raise AssertionError("the receipt never reached the outbox")
