"""The supervisor's report in a real browser (issue 22, item 11): it follows the dashboard's
period and filters at its own bookmarkable URL, prints without the navigation with its header
(institution, period, filters, generated at), passes axe; at 360 px the dashboard's, the report's
and the open data's tables are stacked cards and nothing scrolls sideways."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import CHROMIUM, DESKTOP, PHONE
from tests.browser.journeys import file_licence_request
from tests.browser.test_agent import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def _query(url: str) -> dict[str, str]:
    fragment = urlsplit(url).fragment
    return {k: v[0] for k, v in parse_qs(fragment.split("?", 1)[1]).items()}


def _fits(page: Any) -> None:
    """Nothing wider than the viewport: no sideways scrolling."""
    width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px viewport"


def _stacked(page: Any, selector: str) -> None:
    """The table's rows are cards: block rows, the header row hidden, each cell labelled."""
    rows = page.locator(f"{selector} tbody tr")
    assert rows.count() >= 1
    assert rows.first.evaluate("tr => getComputedStyle(tr).display") == "block"
    assert page.locator(f"{selector} thead").first.evaluate("t => t.getBoundingClientRect().width") <= 1
    td = page.locator(f"{selector} tbody td").first
    label = td.get_attribute("data-label")
    assert label
    assert td.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'


def test_the_report_follows_the_dashboard_prints_and_stacks_at_360(tab: Any, new_tab: Any) -> None:
    file_licence_request(new_tab())  # a tramite filed on the web: rows in every table
    page = tab.page
    sign_in(tab, "carla.supervisora", "Demo-Ventanilla-3")
    tab.go("#/agente/tablero?type=tramite")
    deadline = time.monotonic() + 30
    while page.get_by_test_id("kpi-created").inner_text() == "0":  # the stream is being aggregated
        assert time.monotonic() < deadline, "the request never reached the dashboard"
        time.sleep(0.5)
        page.reload()
        page.wait_for_selector("[data-testid=kpi-created]")
    assert page.get_by_test_id("kpi-satisfaction").is_visible()
    assert "respuesta" in page.get_by_test_id("kpi-answers").inner_text()
    # a type and a channel on the dashboard, then its report
    page.get_by_label("Canal").select_option("web")
    page.get_by_role("button", name="Aplicar filtros").click()
    page.wait_for_url("**channel=web**")
    tab.wait_ready()
    dashboard = _query(page.url)
    page.get_by_test_id("report-link").click()
    page.wait_for_url("**#/agente/informe?**")
    page.wait_for_selector("h1:text('Informe de supervisión')")
    tab.wait_ready()
    assert _query(page.url) == dashboard  # same period and filters, in the URL
    assert set(dashboard) == {"from", "to", "type", "channel"}
    filters = page.get_by_test_id("report-filters").inner_text()
    assert "Tipo de solicitud: " in filters and "Canal: Web" in filters
    assert int(page.get_by_test_id("report-created").inner_text()) >= 1
    assert page.get_by_test_id("report-institution").inner_text().strip()
    assert page.get_by_test_id("report-generated").inner_text().strip()
    assert page.locator("[data-testid=report-satisfaction]").is_visible()
    assert page.locator("[data-testid=report-reopen]").is_visible()
    tab.step("informe-1-filtros")  # screenshots at 360 and 1280, axe, no stray null/undefined
    with page.expect_download() as download:
        page.get_by_test_id("report-csv").click()
    with open(download.value.path(), encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0] == "section,figure,value"
    assert f"period,from,{dashboard['from']}" in lines and "filter,channel,web" in lines

    # the bookmark in a browser tab that is not signed in: sign in there, and the same report opens
    other = new_tab().page
    other.goto(page.url)
    other.wait_for_selector("h1:text('Consola de atención: ingreso')")
    other.get_by_label("Usuario").fill("carla.supervisora")
    other.get_by_label("Contraseña").fill("Demo-Ventanilla-3")
    other.get_by_role("button", name="Ingresar").click()
    other.wait_for_selector("h1:text('Informe de supervisión')")
    assert _query(other.url) == dashboard
    assert other.get_by_test_id("report-filters").inner_text() == filters

    # bookmarked: the URL alone gives the same report; a period without survey answers says so
    long_ago = date.today() - timedelta(days=700)
    tab.go(f"#/agente/informe?from={long_ago}&to={long_ago + timedelta(days=6)}&channel=web")
    page.wait_for_selector(f"[data-testid=report-period]:has-text('{long_ago.year}')")
    assert "Canal: Web" in page.get_by_test_id("report-filters").inner_text()
    assert page.get_by_test_id("report-satisfaction").inner_text().startswith("Sin datos")
    assert "0 respuestas" in page.get_by_test_id("report-satisfaction").inner_text()
    assert page.get_by_test_id("report-reopen").inner_text().startswith("Sin datos")
    tab.check_a11y("informe-sin-respuestas")

    # printed: no navigation nor buttons, the header kept, rows never cut, headers repeated
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-nav").first.is_visible()
    assert not page.get_by_role("button", name="Imprimir").is_visible()
    for testid in ("report-institution", "report-period", "report-filters", "report-generated"):
        assert page.get_by_test_id(testid).is_visible(), testid
    table = page.locator(".report table").first
    assert table.locator("thead").evaluate("t => getComputedStyle(t).display") == "table-header-group"
    assert table.locator("tbody tr").first.evaluate("tr => getComputedStyle(tr).breakInside") == "avoid"
    page.emulate_media(media="screen")
    assert page.get_by_role("button", name="Imprimir").is_visible()

    # a filter that does not exist: an alert, not a blank page
    tab.go("#/agente/informe?team=no-existe")
    page.wait_for_selector("main [role=alert]")

    # at 360 px: the report's, the dashboard's and the open data's tables are cards, nothing scrolls sideways
    page.set_viewport_size(PHONE)
    tab.go(f"#/agente/informe?{'&'.join(f'{k}={v}' for k, v in dashboard.items())}")
    page.wait_for_selector(".report table")
    _stacked(page, ".report table")
    _fits(page)
    tab.go("#/agente/tablero?type=tramite")
    page.wait_for_selector(".dashboard table.breakdown")
    _stacked(page, ".dashboard table.breakdown")
    _fits(page)
    tab.go("#/datos-abiertos")
    page.wait_for_selector(".open-data table")
    _stacked(page, ".open-data table")
    _fits(page)
    tab.check_a11y("datos-abiertos-360")
    page.set_viewport_size(DESKTOP)
