"""Proactive service, console pages in the browser (issue 16 item 6): an admin uploads sectors (a
file that is not JSON and a bowtie polygon are refused in Spanish, each problem named by its
feature), creates, renames and retires a topic; a supervisor composes a campaign, sees its audience
and rendered preview, schedules it, sees it listed with its figures and cancels it; the dashboard
shows the card of the latest alerts and campaigns. axe runs on each page."""

from __future__ import annotations

import json
import random
import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.test_console_admin import sign_in, visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def square(code: str, name: str, lat: float, long: float) -> dict[str, Any]:
    ring = [[long, lat], [long + 0.01, lat], [long + 0.01, lat + 0.01], [long, lat + 0.01], [long, lat]]
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def upload(page: Any, name: str, content: bytes) -> None:
    page.locator("#sector-file").set_input_files(
        files=[{"name": name, "mimeType": "application/geo+json", "buffer": content}]
    )
    page.get_by_role("button", name="Cargar").click()


def test_an_admin_uploads_sectors_and_manages_topics(tab: Any) -> None:
    page = tab.page
    run = uuid.uuid4().hex[:6]
    sign_in(tab, "elena.admin", "Demo-Ventanilla-5", "#/agente/avisos/sectores", "Sectores")
    tab.step("avisos-sectores-1-lista")

    upload(page, "roto.geojson", b'{"type": "FeatureCollection", "features": [')
    page.get_by_test_id("sector-errors").get_by_text("El archivo no es JSON válido").wait_for()

    lat, long = -50.0 - random.random() * 5, -75.0 + random.random() * 3
    good = square(f"lago-{run}", f"Lago {run}", lat, long)
    bowtie = square(f"cerro-{run}", f"Cerro {run}", lat + 0.1, long)
    ring = bowtie["geometry"]["coordinates"][0]
    ring[1], ring[2] = ring[2], ring[1]  # the edges cross: not a valid polygon
    upload(
        page,
        "sectores.geojson",
        json.dumps({"type": "FeatureCollection", "features": [good, bowtie]}).encode(),
    )
    problem = page.get_by_test_id("sector-errors").locator("li").first
    problem.wait_for()
    assert problem.inner_text().startswith(f"Elemento 2 (cerro-{run}):"), problem.inner_text()
    tab.step("avisos-sectores-2-errores")
    assert page.locator(f"tr[data-sector=lago-{run}]").count() == 0  # nothing half written

    upload(page, "sectores.geojson", json.dumps({"type": "FeatureCollection", "features": [good]}).encode())
    page.get_by_role("status").get_by_text(f"Sectores guardados: lago-{run}.").wait_for()
    page.locator(f"tr[data-sector=lago-{run}]").wait_for()
    # Each sector with its confirmed subscribers (counters), and those of every sector.
    assert page.locator(f"tr[data-sector=lago-{run}] [data-testid=sector-subscribers]").inner_text() == "0"
    assert re.match(
        r"Suscripciones confirmadas a todos los sectores: \d+\.",
        page.get_by_test_id("sector-everywhere").inner_text(),
    )
    tab.step("avisos-sectores-3-cargado")

    visit(tab, "#/agente/avisos/temas", "Temas de suscripción")
    code = f"ferias-{run}"
    page.get_by_label("Código").fill(code)
    page.get_by_label("Nombre (español)").first.fill("Ferias libres")
    page.get_by_role("button", name="Crear tema").click()
    row = page.locator(f"form[data-topic={code}]")
    row.wait_for()
    row.get_by_label("Nombre (español)").fill("Ferias y mercados")
    row.get_by_role("button", name="Guardar nombre").click()
    page.get_by_role("status").get_by_text("Tema guardado.").wait_for()
    row = page.locator(f"form[data-topic={code}]")
    assert row.get_by_label("Nombre (español)").input_value() == "Ferias y mercados"
    row.get_by_role("button", name="Retirar").click()
    page.locator(f"form[data-topic={code}]").get_by_text("retirado", exact=True).wait_for()
    tab.step("avisos-temas-1-retirado")
    # a retired topic is no longer offered on the portal
    visit(tab, "#/avisos", "Recibir avisos")
    assert page.get_by_text("Ferias y mercados").count() == 0


def test_a_supervisor_composes_previews_schedules_and_cancels_a_campaign(tab: Any) -> None:
    page = tab.page
    sign_in(tab, "carla.supervisora", "Demo-Ventanilla-3", "#/agente/avisos/campanas", "Campañas y boletines")
    tab.step("avisos-campanas-1-vacio")
    page.get_by_role("button", name="Programar campaña").click()
    page.locator(".error-summary").wait_for()
    tab.step("avisos-campanas-2-errores")

    name = f"Boletín {uuid.uuid4().hex[:4]}"
    page.get_by_label("Nombre interno").fill(name)
    page.get_by_label("Asunto (español)").fill("Novedades del mes")
    page.get_by_label("Texto (español)").fill("Hola vecinos.\n\nEste mes: feria en la plaza.")
    form = page.locator("form")
    form.locator("[data-for=topics]").get_by_label("Cortes de agua").check()
    form.get_by_label("Notificación del navegador").check()
    page.get_by_role("button", name="Vista previa y audiencia").click()
    page.get_by_test_id("campaign-audience").get_by_text(
        re.compile(r"Audiencia: \d+ suscriptores")
    ).wait_for()
    assert page.get_by_test_id("campaign-segment").inner_text().startswith("Sin segmento")
    frame = page.frame_locator("iframe.mail-preview")
    frame.get_by_text("Este mes: feria en la plaza.").wait_for()
    tab.step("avisos-campanas-3-vista-previa")
    # A segment by region, comunas and interests: the preview counts and names it.
    page.get_by_label("Regiones").fill("Metropolitana")
    page.get_by_label("Comunas").fill("Ñuñoa, Providencia, nunoa")
    form.locator("[data-for='segment.interests']").get_by_label("Cortes de agua").check()
    page.get_by_role("button", name="Vista previa y audiencia").click()
    page.get_by_test_id("campaign-segment").get_by_text(
        "Segmento: Regiones: Metropolitana · Comunas: Ñuñoa, Providencia · Intereses: Cortes de agua"
    ).wait_for()
    assert re.match(
        r"Audiencia( estimada)?: \d+ suscriptores", page.get_by_test_id("campaign-audience").inner_text()
    )
    tab.check_a11y("avisos-campanas-segmento")

    page.get_by_label(re.compile("Enviar el")).fill("2099-01-01T09:00")
    page.get_by_label(re.compile("Repetir cada")).fill("30")
    page.get_by_role("button", name="Programar campaña").click()
    item = page.locator("li[data-campaign]").filter(has_text=name)
    item.get_by_text("programada", exact=True).wait_for()
    assert "cada 30 días" in item.inner_text() and "entregados 0" in item.inner_text()
    tab.step("avisos-campanas-4-programada")
    item.get_by_role("button", name="Cancelar próximos envíos").click()
    page.locator("li[data-campaign]").filter(has_text=name).get_by_text("cancelada", exact=True).wait_for()

    visit(tab, "#/agente/tablero", "Tablero de indicadores")
    card = page.get_by_test_id("proactive-card")
    card.get_by_role("rowheader", name=name).wait_for()
    card.get_by_role("columnheader", name="Rebotes").wait_for()
    tab.check_a11y("tablero-avisos")
