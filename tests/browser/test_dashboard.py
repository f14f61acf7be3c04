"""The supervisors' dashboard in a real browser: figures from a request just filed, local SVG
charts, filters, CSV links; axe finds no serious violation; screenshots at both widths."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import file_licence_request
from tests.browser.test_agent import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def test_supervisor_sees_the_dashboard(tab: Any, new_tab: Any) -> None:
    file_licence_request(new_tab())
    page = tab.page
    sign_in(tab, "carla.supervisora", "Demo-Ventanilla-3")
    page.get_by_role("link", name="Tablero de indicadores").click()
    page.wait_for_selector("h1:text('Tablero de indicadores')")
    tab.wait_ready()
    deadline = time.monotonic() + 20
    while page.get_by_test_id("kpi-created").inner_text() == "0":  # the stream is being aggregated
        assert time.monotonic() < deadline, "the request never reached the dashboard"
        time.sleep(0.5)
        page.reload()
        page.wait_for_selector("[data-testid=kpi-created]")
    assert int(page.get_by_test_id("kpi-created").inner_text()) >= 1
    assert int(page.get_by_test_id("kpi-backlog").inner_text()) >= 1
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    assert page.locator("svg.chart rect").count() >= 1
    assert page.locator("a.csv[data-chart=volume]").is_visible()
    assert not page.locator("script[src^=http]").count()  # nothing from a CDN
    # the community forum's card for the same period (the demo seeds a dozen topics today)
    assert int(page.get_by_test_id("forum-topics").inner_text()) >= 1
    assert page.locator("section.dash-card tr[data-by=community]").count() == 1
    assert page.locator("a.csv[data-chart=forum]").is_visible()
    tab.step("tablero-1-supervision")

    page.get_by_label("Tipo de solicitud").select_option("tramite")
    page.get_by_role("button", name="Aplicar filtros").click()
    page.wait_for_url("**type=tramite**")
    tab.wait_ready()
    assert int(page.get_by_test_id("kpi-created").inner_text()) >= 1  # the licence request is a tramite
    # the filtered view has its breakdowns: by subtype (the licence's) and by team
    subtypes = page.locator("table.breakdown[data-dim=subtype] tbody tr[data-value^='tramite.']")
    assert subtypes.count() >= 1
    assert sum(int(subtypes.nth(i).locator("td").nth(0).inner_text()) for i in range(subtypes.count())) >= 1
    assert page.locator("table.breakdown[data-dim=team] tbody tr").count() >= 1
    assert page.locator("table.breakdown[data-dim=type] tr[data-value=tramite]").count() == 1

    with page.expect_download() as download:
        page.locator("a.csv[data-chart=volume]").click()
    path = download.value.path()
    with open(path, encoding="utf-8") as f:
        assert f.readline().strip() == "day,created,resolved,reopened,backlog"


def test_an_agent_is_told_the_dashboard_is_not_for_them(tab: Any) -> None:
    sign_in(tab, "ana.l1", "Demo-Ventanilla-1")
    assert not tab.page.get_by_role("link", name="Tablero de indicadores").count()
    tab.go("#/agente/tablero")
    tab.page.wait_for_selector("text=Solo supervisión y administración ven el tablero.")


def test_open_data_page_shows_figures_without_small_counts(tab: Any) -> None:
    page = tab.page
    tab.go("#/datos-abiertos")
    page.wait_for_selector("h1:text('Datos abiertos')")
    tab.wait_ready()
    assert page.get_by_text("menos de 5 solicitudes").is_visible()
    assert page.get_by_role("table").first.is_visible()
    # the forum's months: the demo's dozen topics this month are published, small counts are not
    forum = page.locator("table[data-table=forum]")
    assert forum.is_visible() and int(forum.locator("tbody tr").last.locator("td").first.inner_text()) >= 5
    assert page.get_by_role("link", name="Foro en CSV").get_attribute("href") == (
        "/api/v1/public/stats?format=csv&table=forum"
    )
    csv_link = page.get_by_role("link", name="Meses en CSV")
    assert csv_link.get_attribute("href") == "/api/v1/public/stats?format=csv"
    tab.step("datos-abiertos")
