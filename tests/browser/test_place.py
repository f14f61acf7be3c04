"""The portal's place field: "use my location" fills the point from the browser's position, the
address is typed, both reach the request; a refused permission says so and the address still works."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.browser.journeys import Citizen, choose_topic, identify, start, to_contact_details

POINT = {"latitude": -33.43721, "longitude": -70.650612}


def _follow(url: str, number: str, code: str) -> Any:
    request = urllib.request.Request(f"{url}/api/v1/tickets/{number}", headers={"X-Access-Code": code})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _fill_service_form(tab: Any) -> None:
    page = tab.page
    page.wait_for_selector("h1:text('Cuéntenos su caso')")
    tab.wait_ready()
    page.get_by_label("Servicio").select_option("alumbrado")
    page.get_by_label("Dirección").fill("Av. Los Aromos 123")
    page.get_by_label("Describa su solicitud").fill("La luminaria de la esquina lleva una semana apagada.")


def test_use_my_location_and_address_reach_the_request(tab: Any, new_tab: Any) -> None:
    page = tab.page
    page.context.grant_permissions(["geolocation"], origin=tab.url)
    page.context.set_geolocation(POINT)
    start(tab)
    choose_topic(tab, "Reclamo", "Falla de un servicio municipal", subject="Luminaria apagada con ubicación")
    _fill_service_form(tab)
    assert page.get_by_test_id("place-point").inner_text() == "Sin ubicación marcada."
    page.get_by_label("Ubicación: calle y número o referencia").fill("Esquina Los Aromos con Las Acacias")
    page.get_by_role("button", name="Usar mi ubicación").click()
    page.wait_for_selector("[data-testid=place-point]:text('Ubicación marcada')")
    assert page.get_by_test_id("place-point").inner_text() == "Ubicación marcada: -33.43721, -70.65061"
    tab.step("lugar-1-ubicacion")
    # Removing the point and setting it again: the button toggles, nothing else changes.
    page.get_by_role("button", name="Quitar ubicación").click()
    assert page.get_by_test_id("place-point").inner_text() == "Sin ubicación marcada."
    page.get_by_role("button", name="Usar mi ubicación").click()
    page.wait_for_selector("[data-testid=place-point]:text('Ubicación marcada')")
    to_contact_details(tab)
    identify(tab, Citizen(email="vecina.lugar@example.cl"), sms=False)
    page.wait_for_selector("[data-testid=ticket-number]")
    number = page.get_by_test_id("ticket-number").inner_text()
    code = page.get_by_test_id("access-code").inner_text()
    view = _follow(tab.url, number, code)
    assert view["location"] == {
        "lat": -33.43721,
        "long": -70.650612,
        "address": "Esquina Los Aromos con Las Acacias",
        "sector": "centro",  # the demo's sectors (GeoJSON) place the point in the centre
    }
    agent = new_tab()
    agent.go("#/agente")
    agent.page.get_by_label("Usuario").fill("bruno.l2")
    agent.page.get_by_label("Contraseña").fill("Demo-Ventanilla-2")
    agent.page.get_by_role("button", name="Ingresar").click()
    agent.page.wait_for_selector("h1:text('Bandeja de solicitudes')")
    agent.go(f"#/agente/solicitud/{number}")
    agent.page.wait_for_selector("[data-testid=ticket-place]")
    place = agent.page.get_by_test_id("ticket-place").inner_text()
    assert place == "Esquina Los Aromos con Las Acacias · -33.43721, -70.65061 · Sector centro"
    agent.step("lugar-3-agente")


def test_refused_location_says_so_and_the_address_alone_is_enough(tab: Any) -> None:
    page = tab.page
    page.context.clear_permissions()
    page.add_init_script(
        """navigator.geolocation.getCurrentPosition = (ok, fail) =>
             setTimeout(() => fail({code: 1, message: 'denied'}), 10);"""
    )
    start(tab)
    choose_topic(tab, "Reclamo", "Falla de un servicio municipal", subject="Luminaria apagada sin ubicación")
    _fill_service_form(tab)
    page.get_by_role("button", name="Usar mi ubicación").click()
    page.wait_for_selector("[data-testid=place-point]:text('No autorizó')")
    page.get_by_label("Ubicación: calle y número o referencia").fill("x")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector(".error-summary")
    assert "al menos 3" in page.locator(".error-summary").inner_text()
    tab.step("lugar-2-rechazada")
    page.get_by_label("Ubicación: calle y número o referencia").fill("Plaza de Armas, frente a la pileta")
    to_contact_details(tab)
    identify(tab, Citizen(email="vecino.sinlugar@example.cl"), sms=False)
    page.wait_for_selector("[data-testid=ticket-number]")
    number = page.get_by_test_id("ticket-number").inner_text()
    view = _follow(tab.url, number, page.get_by_test_id("access-code").inner_text())
    assert view["location"]["address"] == "Plaza de Armas, frente a la pileta"
    assert view["location"]["lat"] is None
