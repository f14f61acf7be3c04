"""The asset inventory in a real browser: the inventory staff imports a CSV (preview with a bad row,
then only the valid rows), an agent links an imported asset to a request and the asset page shows
it in the incident history; the list, asset page, edit and import screens pass axe."""

from __future__ import annotations

import uuid
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


def sign_in_at(tab: Any, route: str, username: str, password: str, heading: str) -> None:
    page = tab.page
    tab.go(route)
    page.wait_for_selector("h1:text('Consola de atención: ingreso')")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector(f"h1:text('{heading}')")
    tab.wait_ready()


def test_import_a_csv_then_link_an_asset_to_a_request(tab: Any, new_tab: Any) -> None:
    tag = uuid.uuid4().hex[:5].upper()
    good, bad = f"NB{tag}-1", f"NB{tag}-2"
    csv_text = (
        "inventory_number,type,name,status,hostname,location,team,warranty_end,field.ram_gb\n"
        f"{good},computador,Notebook de prueba,en uso,nb-{tag.lower()},central-p1,atencion,2028-01-31,16\n"
        f"{bad},computador,Notebook roto,quebrado,,luna,atencion,2028-02-30,mucha\n"
    )
    page = tab.page
    sign_in_at(
        tab, "#/agente/activos/importar", "ines.inventario", "Demo-Ventanilla-6", "Importar activos (CSV)"
    )
    tab.step("activos-1-importar")
    page.get_by_label("O pegue aquí el contenido del CSV").fill(csv_text)
    page.get_by_role("button", name="Vista previa").click()
    page.wait_for_selector("[data-testid=import-report]")
    summary = page.get_by_test_id("import-summary").inner_text()
    assert "1 filas válidas, 1 con errores" in summary
    bad_row = page.locator("tr[data-row='3']")
    text = bad_row.inner_text()
    for column in ("status", "location", "warranty_end", "field.ram_gb"):
        assert column in text, (column, text)
    tab.step("activos-2-vista-previa")
    page.get_by_label("Importar solo las filas válidas").check()
    page.get_by_role("button", name="Importar", exact=True).click()
    page.wait_for_selector("text=1 activos importados")
    tab.step("activos-3-importado")

    # the list by location finds it; the asset page and the edit form pass axe
    tab.go(f"#/agente/activos?por=location&valor=central-p1&q={good}")
    page.wait_for_selector(f"tr[data-inv='{good}']")
    tab.step("activos-4-lista")
    page.get_by_role("link", name=good).click()
    page.wait_for_selector(f"h1:text('{good} — Notebook de prueba')")
    tab.wait_ready()
    assert page.get_by_test_id("asset-status").inner_text() == "En uso"
    page.get_by_role("link", name="Editar").click()
    page.wait_for_selector(f"h1:text('Editar {good}')")
    tab.wait_ready()
    page.get_by_label("Fin de la garantía").fill("2020-01-01")
    page.get_by_label("Fecha de compra").fill("2024-01-01")
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=La garantía no puede terminar antes de la compra.")
    tab.step("activos-5-editar-error")
    page.get_by_label("Fin de la garantía").fill("2027-06-30")
    page.get_by_label("Estado").select_option("in_repair")
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector(f"h1:text('{good} — Notebook de prueba')")
    tab.wait_ready()
    assert page.get_by_test_id("asset-status").inner_text() == "En reparación"
    history = page.get_by_test_id("asset-history").inner_text()
    assert "Modificado" in history and "Estado: En uso → En reparación" in history

    # an agent links the asset to a request by its host name
    filed = file_licence_request(new_tab())
    agent = new_tab()
    sign_in_at(
        agent,
        f"#/agente/solicitud/{filed.number}",
        "bruno.l2",
        "Demo-Ventanilla-2",
        f"Solicitud {filed.number}",
    )
    box = agent.page.get_by_test_id("ticket-assets")
    box.get_by_label("Vincular un activo").fill(f"nb-{tag.lower()}")
    box.get_by_role("button", name="Vincular").click()
    agent.page.wait_for_selector(f"[data-testid=ticket-assets] li[data-inv='{good}']")
    agent.step("activos-6-vinculado")
    agent.page.get_by_role("link", name=f"{good} — Notebook de prueba").click()
    agent.page.wait_for_selector(f"[data-testid=asset-requests] tr[data-number='{filed.number}']")
    agent.wait_ready()
    assert agent.page.get_by_test_id("asset-incidents").inner_text() == "1"
    agent.step("activos-7-ficha")


def test_an_agent_cannot_import(tab: Any) -> None:
    sign_in_at(tab, "#/agente/activos/importar", "ana.l1", "Demo-Ventanilla-1", "Inventario")
    tab.page.wait_for_selector("text=Su perfil no tiene acceso al inventario.")
