"""The staff workspace in a real browser at 1280x800 and 360 px: its own frame (staff navigation, no
citizen navigation), 15+ queue rows on screen, search by requester, a sort, a bulk assign with each
request's result, and the "N new requests · Refresh" indicator; axe at both widths."""

from __future__ import annotations

import contextlib
import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import CHROMIUM, PHONE
from tests.browser.test_agent import file_over_http

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]

VISIBLE_ROWS = """() => [...document.querySelectorAll('table.queue tbody tr')].filter((r) => {
  const b = r.getBoundingClientRect(); return b.height > 0 && b.top >= 0 && b.bottom <= innerHeight;
}).length"""


def consulta(tag: str, i: int, name: str = "Pedro Soto") -> dict[str, Any]:
    """A request for the 'atencion' team (ana.l1's)."""
    return {
        "type": "consulta",
        "subtype": "general",
        "subject": f"Consulta de horario {tag} {i}",
        "description": f"Quisiera saber el horario de atención de la oficina ({tag}).",
        "form": {},
        "requester": {
            "name": name,
            "email": f"vecino.{tag}.{i}@example.cl",
            "channels": ["email"],
            "consent": True,
        },
    }


def numbers(page: Any) -> list[str]:
    return list(page.locator("table.queue tbody tr").evaluate_all("rows => rows.map(r => r.dataset.number)"))


def test_workspace_queue_search_sort_bulk_assign_and_new_requests(tab: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    filed = [file_over_http(tab.url, consulta(tag, i))["number"] for i in range(15)]
    special = file_over_http(tab.url, consulta(tag, 99, name="Ñandú Gómez"))["number"]
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 800})
    tab.go("#/agente")
    page.get_by_label("Usuario").fill("ana.l1")
    page.get_by_label("Contraseña").fill("Demo-Ventanilla-1")
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector("h1:text('Bandeja de solicitudes')")
    tab.wait_ready()
    page.locator("table.queue tbody tr").first.wait_for()

    # The staff frame: the console's navigation, not the citizens'; the queue fills the width.
    assert not page.locator(".site-nav").is_visible()
    staff_nav = page.get_by_role("navigation", name="Consola de atención")
    assert (
        staff_nav.get_by_role("link", name="Bandeja de solicitudes").get_attribute("aria-current") == "page"
    )
    assert staff_nav.get_by_role("link", name="Nueva solicitud").is_visible()
    assert staff_nav.get_by_role("link", name="Tablero de indicadores").count() == 0  # supervisors only
    assert page.evaluate("() => document.querySelector('table.queue').getBoundingClientRect().width") > 900
    page.screenshot(path="/tmp/ws1280.png")
    assert page.evaluate(VISIBLE_ROWS) >= 15, "15+ rows on a 1280x800 screen"
    total = page.get_by_test_id("queue-total").inner_text()
    assert re.fullmatch(r"\d+ solicitudes", total), total
    assert int(total.split()[0]) >= 16
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=special))
    assert (
        row.get_by_text("Ñandú Gómez").is_visible()
        and row.get_by_text("0 min").count() + row.get_by_text(re.compile(r"^\d+ (min|h)$")).count() >= 1
    )
    tab.check_a11y("workspace-1280")
    tab.check_text("workspace-1280")

    # Search by the requester's name, accents and case aside.
    page.get_by_label("Buscar").fill(f"nandu GOMEZ {tag}")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**buscar=**")
    tab.wait_ready()
    assert numbers(page) == [special]
    assert page.get_by_test_id("queue-total").inner_text() == "1 resultado"

    # Newest first, among this test's requests.
    page.get_by_label("Buscar").fill(tag)
    page.get_by_label("Orden").select_option("newest")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**orden=newest**")
    tab.wait_ready()
    page.locator(f"tr[data-number='{special}']").wait_for()
    shown = numbers(page)
    assert shown == sorted(shown, reverse=True) and shown[0] == special and set(shown) == {*filed, special}

    # Bulk assign three unassigned ones to me; each request's result is listed.
    page.get_by_role("link", name="Sin asignar").click()
    page.wait_for_url("**ver=sin-asignar**")
    tab.wait_ready()
    page.locator("table.queue tbody tr").first.wait_for()
    chosen = numbers(page)[:3]
    assert len(chosen) == 3
    for number in chosen:
        page.get_by_label(f"Seleccionar {number}", exact=True).check()
    assert page.get_by_text("3 seleccionadas").is_visible()
    page.get_by_label("Asignar las seleccionadas").select_option("me")
    page.get_by_role("button", name="Asignar", exact=True).click()
    results = page.get_by_test_id("bulk-results")
    results.locator("li").nth(2).wait_for()
    assert sorted(results.locator("li.ok").all_inner_texts()) == [f"{n}: listo." for n in sorted(chosen)]
    page.wait_for_function(
        "(ns) => ns.every((n) => !document.querySelector(`tr[data-number='${n}']`))", arg=chosen
    )  # no longer unassigned
    page.get_by_role("link", name="Asignadas a mí").click()
    page.wait_for_url("**ver=mias**")
    tab.wait_ready()
    page.locator(f"tr[data-number='{chosen[0]}']").wait_for()
    assert set(chosen) <= set(numbers(page))
    assert (
        page.get_by_role("row")
        .filter(has=page.get_by_role("link", name=chosen[0]))
        .get_by_text("Ana Rojas")
        .is_visible()
    )

    # New requests: two filed while the queue is open; the tab checks when it regains the focus.
    tab.go("#/agente")
    page.locator("table.queue tbody tr").first.wait_for()
    before = int(page.get_by_test_id("queue-total").inner_text().split()[0])
    file_over_http(tab.url, consulta(tag, 100))
    file_over_http(tab.url, consulta(tag, 101))
    indicator = page.get_by_test_id("queue-new")
    for _ in range(12):  # the agent comes back to the tab until the queue has seen them (a loaded
        # machine can still be writing them when the first check asks)
        page.evaluate("() => window.dispatchEvent(new Event('focus'))")
        with contextlib.suppress(PlaywrightTimeout):
            indicator.wait_for(state="visible", timeout=5_000)
            break
    indicator.wait_for(state="visible")
    assert re.fullmatch(r"\d+ nuevas solicitudes · Actualizar", indicator.inner_text().strip())
    assert int(indicator.inner_text().split()[0]) >= 2
    tab.check_a11y("workspace-new")
    page.get_by_role("button", name="Actualizar").click()
    indicator.wait_for(state="hidden")
    assert int(page.get_by_test_id("queue-total").inner_text().split()[0]) >= before + 2

    # 360 px: the navigation above the queue, no sideways scrolling of the page, axe clean.
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert staff_nav.is_visible()
    tab.check_a11y("workspace-360")
