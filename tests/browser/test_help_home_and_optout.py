"""The home's menu by stage and most consulted articles, an article's related ones, and the page
an opt-out link in a notice opens: all on the real local stack (no stubbed answers) except the
fallbacks, which stub the failing route."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.journeys import api_get, api_post, receipt

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def test_most_consulted_shows_the_demo_articles_citizens_read(tab: Any) -> None:
    page, url = tab.page, tab.url
    most = max((a["views"] for a in api_get(url, "/api/v1/help/popular?limit=20")["articles"]), default=0)
    first, second = "licencia-conducir-valores", "permiso-circulacion-pago"
    for slug, times in ((first, most + 4), (second, most + 2)):
        for _ in range(times):
            api_get(url, f"/api/v1/help/articles/{slug}")
    titles = {s: api_get(url, f"/api/v1/help/articles/{s}")["title"] for s in (first, second)}
    tab.go("#/")
    box = page.get_by_role("region", name="Lo más consultado")
    box.get_by_role("link", name=titles[first]).wait_for()
    links = box.get_by_role("link")
    assert links.count() == 6
    assert [links.nth(i).inner_text() for i in range(2)] == [titles[first], titles[second]]
    assert links.first.get_attribute("href") == f"#/ayuda/{first}"
    tab.step("inicio-lo-mas-consultado")
    links.first.click()
    page.locator("main h1").filter(has_text=titles[first]).wait_for()
    tab.wait_ready()


def test_stage_menu_comes_from_the_api_and_opens_the_stage(tab: Any) -> None:
    page, url = tab.page, tab.url
    stages = [s for s in api_get(url, "/api/v1/help/stages")["stages"] if s["count"] > 0]
    tab.go("#/")
    menu = page.locator("ul.stages[data-source=api]")
    menu.wait_for()
    links = menu.get_by_role("link")
    assert links.count() == len(stages)
    for i, stage in enumerate(stages):
        text = links.nth(i).inner_text()
        assert stage["label"] in text and f"{stage['count']} artículo" in text, text
        assert links.nth(i).get_attribute("href") == f"#/ayuda?etapa={stage['stage']}"
    tab.step("inicio-etapas")
    pago = next(s for s in stages if s["stage"] == "pago")
    menu.get_by_role("link", name=re.compile("Pago")).click()
    page.wait_for_selector("h1:text('Pago')")
    tab.wait_ready()
    hits = page.locator(".hits h2 a")
    assert hits.count() == min(pago["count"], 10)
    assert {a["title"] for a in pago["articles"]} >= {hits.nth(i).inner_text() for i in range(hits.count())}
    assert page.get_by_text(f"{pago['count']} artículos.").is_visible()
    tab.step("etapa-pago")

    # In English the API's labels are English too.
    tab.go("#/")
    page.get_by_role("button", name="Change language to English").click()
    page.wait_for_selector("h1:text('How can we help you?')")
    en = [s for s in api_get(url, "/api/v1/help/stages?lang=en")["stages"] if s["count"] > 0]
    english = page.locator("ul.stages[data-source=api]").get_by_role("link")
    english.filter(has_text=en[0]["label"]).wait_for()
    assert english.count() == len(en)  # stages without English articles are left out
    assert f"{en[0]['count']} article" in english.first.inner_text()
    assert english.first.get_attribute("href") == f"#/ayuda?etapa={en[0]['stage']}"


def test_stage_menu_falls_back_to_the_static_list(tab: Any) -> None:
    page = tab.page
    stages = re.compile(r".*/api/v1/help/stages(\?.*)?$")
    page.route(stages, lambda route: route.fulfill(status=404, body=""))
    with page.expect_response(stages):  # the menu has had its answer (a 404) before it is read
        tab.go("#/")
    page.wait_for_selector("ul.stages")
    menu = page.locator("ul.stages")
    assert menu.get_attribute("data-source") == "static"
    assert menu.get_by_role("link").count() == 6
    assert menu.get_by_role("link", name=re.compile("Registro y postulación")).get_attribute("href") == (
        "#/ayuda?etapa=registro"
    )


def test_article_page_lists_related_articles(tab: Any) -> None:
    page, url = tab.page, tab.url
    slug = "patente-comercial-requisitos"
    related = api_get(url, f"/api/v1/help/articles/{slug}")["related"]
    assert [r["slug"] for r in related[:2]] == ["patente-comercial-valor-y-pago", "pagar-en-linea-portal"]
    tab.go(f"#/ayuda/{slug}")
    box = page.get_by_role("region", name="Artículos relacionados")
    box.wait_for()
    links = box.get_by_role("link")
    assert [links.nth(i).inner_text() for i in range(links.count())] == [r["title"] for r in related]
    assert links.first.get_attribute("href") == "#/ayuda/patente-comercial-valor-y-pago"
    tab.step("ayuda-articulo-relacionados")
    links.first.click()
    page.locator("main h1").filter(has_text=related[0]["title"]).wait_for()
    tab.wait_ready()
    assert slug in [a.get_attribute("href").rsplit("/", 1)[-1] for a in page.locator(".related a").all()]


def _opt_out_token(url: str) -> str:
    """File a request with a fresh address, wait for its receipt in the outbox, read its link."""
    email = f"baja-{uuid.uuid4().hex[:8]}@example.cl"
    api_post(
        url,
        "/api/v1/tickets",
        {
            "type": "consulta",
            "subtype": "general",
            "subject": "Horario de la OIRS",
            "description": "¿Atienden los sábados?",
            "requester": {"name": "Elena Baja", "email": email, "channels": ["email"], "consent": True},
        },
    )
    mail = receipt(url, email)
    link = re.search(r"/#/baja/([A-Za-z0-9_-]+)", mail["text"])
    assert link, mail["text"]
    assert mail["unsubscribe"].endswith(f"/api/v1/notifications/opt-out/{link.group(1)}>")
    return link.group(1)


def test_opt_out_link_opens_a_page_that_confirms_before_unsubscribing(tab: Any) -> None:
    page = tab.page
    token = _opt_out_token(tab.url)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    tab.go(f"#/baja/{token}")
    assert tab.heading() == "Dejar de recibir avisos"
    assert page.get_by_text(
        "Dejará de recibir avisos por correo electrónico sobre sus solicitudes."
    ).is_visible()
    assert posts == [], "opening the link changes nothing"
    tab.step("baja-1-confirmar")
    page.get_by_role("button", name="Confirmar: no quiero más avisos").click()
    page.wait_for_selector("text=Listo: ya no le enviaremos avisos por correo electrónico.")
    assert len(posts) == 1 and posts[0].endswith(f"/api/v1/notifications/opt-out/{token}")
    assert page.evaluate("() => document.activeElement.classList.contains('status-line')")
    assert page.get_by_role("button", name="Confirmar: no quiero más avisos").count() == 0
    tab.step("baja-2-listo")

    page.reload()
    tab.wait_ready()
    assert page.get_by_text("Ya no recibe avisos por correo electrónico.").is_visible()
    assert page.get_by_role("link", name="Consultar mi solicitud").last.is_visible()

    page.get_by_role("button", name="Change language to English").click()
    page.wait_for_selector("h1:text('Stop receiving notices')")
    assert page.get_by_text("You no longer receive email notices.").is_visible()
    tab.step("baja-3-en")


def test_a_damaged_opt_out_link_says_so(tab: Any) -> None:
    page = tab.page
    token = _opt_out_token(tab.url)
    # one character of the signed payload changed (the last one may carry padding bits: malformed)
    tampered = token[:9] + ("B" if token[9] != "B" else "C") + token[10:]
    tab.go(f"#/baja/{tampered}")
    assert tab.heading() == "Enlace no válido"
    assert page.get_by_role("alert").inner_text() == (
        "El enlace para dejar de recibir avisos no es válido (firma incorrecta)."
    )
    assert page.get_by_role("button").filter(has_text="Confirmar").count() == 0
    tab.step("baja-enlace-danado")
