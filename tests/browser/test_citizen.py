"""The citizen portal in a real browser: contact flow to confirmation, following the request,
client- and server-side validation shown beside the fields, the help hooks, the language switch."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, PHONE, ROOT
from tests.browser.journeys import (
    NUMBER_RE,
    Citizen,
    api_post,
    choose_topic,
    file_licence_request,
    fill_licence_form,
    identify,
    receipt,
    start,
    to_contact_details,
)

ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def without_help_routes(page: Any, *names: str) -> None:
    """Answer the named help routes as an absent route does (a bare 404), whatever the branch has."""
    for name in names:
        page.route(
            re.compile(rf".*/api/v1/help/{name}([/?].*)?$"), lambda route: route.fulfill(status=404, body="")
        )


def described_by(page: Any, label: str) -> str:
    """The text of the elements a control's aria-describedby points to (its hint and its error)."""
    control = page.get_by_label(label)
    ids = (control.get_attribute("aria-describedby") or "").split()
    return " ".join(
        page.locator(f"[id='{i}']").inner_text() for i in ids if page.locator(f"[id='{i}']").is_visible()
    )


def test_home_search_and_article(tab: Any) -> None:
    page = tab.page
    loaded: dict[str, bytes] = {}
    page.on(
        "response", lambda r: loaded.setdefault(r.url, r.body()) if r.url.endswith((".js", ".css")) else None
    )
    tab.go("#/")
    assert tab.heading() == "¿En qué podemos ayudarle?"
    assert page.get_by_role("search").is_visible()
    tab.step("home")
    page.get_by_label("¿Qué necesita saber?").fill("patente comercial")
    page.get_by_role("button", name="Buscar").click()
    page.wait_for_selector("text=Requisitos para obtener la patente comercial")  # the help API answers
    tab.step("ayuda-resultados")
    tab.go("#/ayuda/patente-comercial-requisitos")
    page.wait_for_selector("h1:has-text('Requisitos para obtener la patente comercial')")
    assert not page.get_by_text("estará disponible próximamente").is_visible()

    # Budgets of the citizen pages (compressed); the agent console is never downloaded here.
    assert not [u for u in loaded if "agent" in u or "auth" in u]
    js = sum(len(gzip.compress(b)) for u, b in loaded.items() if u.endswith(".js"))
    css = sum(len(gzip.compress(b)) for u, b in loaded.items() if u.endswith(".css"))
    assert 0 < js < 100_000 and 0 < css < 50_000, (js, css)


def test_citizen_files_then_follows_and_replies(tab: Any) -> None:
    page = tab.page
    filed = file_licence_request(tab, shots="contacto")
    confirmation = page.locator("main").inner_text()
    assert "Por SMS al +56 9 6123 4567" in confirmation
    assert "maria.perez@example.cl" in confirmation
    assert re.search(r"\d{1,2} de [a-z]+ de 20\d\d", confirmation), "expected date formatted in es-CL"

    # Follow it as someone who only has the number and the code.
    page.evaluate("() => sessionStorage.clear()")
    tab.go("#/solicitud")
    tab.step("seguimiento-1-consulta")
    page.get_by_label("Número de solicitud").fill(filed.number)
    page.get_by_label("Código de acceso").fill(filed.code.lower())  # codes are typed by people
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_selector(f"h1:text('Solicitud {filed.number}')")
    tab.wait_ready()
    assert page.get_by_test_id("status").inner_text() == "Recibida"
    assert page.get_by_text("Solicitud recibida").is_visible()
    assert page.get_by_text(filed.subject).is_visible()
    page.get_by_label("Su mensaje").fill("Agrego el número de ingreso: 4471.")
    page.get_by_role("button", name="Enviar mensaje").click()
    page.wait_for_selector("text=Su mensaje fue enviado.")
    timeline = page.locator(".timeline").inner_text()
    assert "Agrego el número de ingreso: 4471." in timeline
    assert "Usted" in timeline
    tab.step("seguimiento-2-respondida")

    # A wrong code tells nothing about the request.
    page.evaluate("() => sessionStorage.clear()")
    tab.go(f"#/solicitud/{filed.number}?codigo=AAAA-BBBB")
    assert page.get_by_text("No encontramos una solicitud con ese número y código").is_visible()
    assert "codigo" not in page.url  # the code never stays in the address bar


def test_client_side_errors_beside_fields(tab: Any) -> None:
    page = tab.page
    posts: list[str] = []
    # The deflection record of the articles step is sent before the form; the form sends nothing.
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/help/deflections" not in r.url else None,
    )
    tab.go("#/contacto?tipo=soporte-interno/equipos")  # a staff-only topic cannot be preset
    assert page.locator("input[name=type]:checked").count() == 0
    page.get_by_role("button", name="Continuar").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.evaluate("el => el === document.activeElement")
    assert "Elija un tema." in summary.inner_text()
    assert "Escriba un asunto." in described_by(page, "Asunto")
    page.get_by_label("Asunto").fill("Mi patente")
    choose_topic(tab, "Trámites", "Patente comercial", subject="Mi patente")
    fill_licence_form(tab, rut="12.345.678-9")
    page.get_by_label("Giro o actividad").fill("")
    page.get_by_role("button", name="Continuar").click()
    assert "El RUT no es válido" in described_by(page, "RUT")
    assert "Complete «Giro o actividad»." in described_by(page, "Giro o actividad")  # names the field
    tab.step("validacion-2-formulario")
    page.get_by_label("RUT").fill("12.345.678-5")
    page.get_by_label("Giro o actividad").fill("Almacén de barrio")
    to_contact_details(tab)

    page.get_by_label("Nombre completo").fill("Pedro Soto")
    page.get_by_label("Correo electrónico", exact=False).first.fill("pedro@")
    page.get_by_role("button", name="Enviar solicitud").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.evaluate("el => el === document.activeElement")
    assert "El correo no es válido" in described_by(page, "Correo electrónico (opcional)")
    assert page.get_by_label("Correo electrónico (opcional)").get_attribute("aria-invalid") == "true"
    assert "Debe aceptar el aviso de privacidad" in summary.inner_text()
    tab.step("validacion-1-datos")
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name=re.compile("El correo no es válido")).click()
    assert page.get_by_label("Correo electrónico (opcional)").evaluate("el => el === document.activeElement")
    assert posts == [], "nothing is sent while the page finds errors"


def test_server_side_error_shown_beside_field(tab: Any) -> None:
    page = tab.page
    # Two dots in a row pass the page's loose check; the API's stricter one refuses them.
    start(tab)
    choose_topic(tab, "Trámites", "Patente comercial", subject="Consulta por patente")
    fill_licence_form(tab)
    to_contact_details(tab)
    identify(tab, Citizen(name="Rosa Fuentes", email="rosa..fuentes@example.cl", phone="+56 9 8765 4321"))
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "correo" in summary.inner_text().lower()
    tab.step("validacion-3-servidor")
    # Personal data come last: the refused field is on this very page, marked beside it.
    assert "correo" in described_by(page, "Correo electrónico (opcional)").lower()
    assert page.get_by_label("Correo electrónico (opcional)").get_attribute("aria-invalid") == "true"
    tab.step("validacion-4-servidor-campo")
    # What the citizen typed is still there, and the corrected address goes through.
    assert page.get_by_label("Nombre completo").input_value() == "Rosa Fuentes"
    page.get_by_label("Correo electrónico (opcional)").fill("rosa.fuentes@example.cl")
    page.get_by_role("button", name="Enviar solicitud").click()
    page.wait_for_selector("h1:text('Recibimos su solicitud')")


def test_suggested_articles_step_and_seen_articles(tab: Any) -> None:
    """The contact flow shows the subtype's articles (real GET /help/suggest on the demo content)
    before the form; the ticket carries what was seen and the deflection records the outcome."""
    page = tab.page
    sent: dict[str, list[dict[str, Any]]] = {"tickets": [], "deflections": []}

    def record(r: Any) -> None:
        for name in sent:
            if r.method == "POST" and r.url.endswith(
                f"/api/v1/{'help/' if name == 'deflections' else ''}{name}"
            ):
                sent[name].append(json.loads(r.post_data or "{}"))

    page.on("request", record)
    start(tab)
    choose_topic(
        tab, "Trámites", "Patente comercial", subject="Requisitos de la patente", past_articles=False
    )
    page.wait_for_selector("h1:text('Estos artículos pueden resolver su duda')")
    tab.wait_ready()
    assert page.get_by_test_id("step-count").inner_text() == "Paso 3 de 5"
    title = "Requisitos para obtener la patente comercial"
    page.get_by_role("link", name=title).wait_for(state="visible", timeout=30_000)  # loaded after the heading
    tab.step("contacto-articulos")
    # The citizen opens the article, comes back, and says it did not solve it.
    page.get_by_role("link", name=title).click()
    page.wait_for_selector(f"h1:text('{title}')")
    page.get_by_role("link", name="Volver a mi consulta").click()
    page.wait_for_selector("h1:text('Estos artículos pueden resolver su duda')")
    page.get_by_role("link", name="No resolvió mi duda").click()
    fill_licence_form(tab)
    to_contact_details(tab)
    identify(tab, Citizen(), sms=False)
    page.wait_for_selector("h1:text('Recibimos su solicitud')")
    ticket = sent["tickets"][0]
    assert "patente-comercial-requisitos" in ticket["seen_articles"]
    assert ticket["requester"]["channels"] == ["email"]
    deflection = sent["deflections"][0]
    assert (deflection["type"], deflection["subtype"], deflection["outcome"]) == (
        "tramite",
        "patente-comercial",
        "contact",
    )
    assert deflection["opened"] == ["patente-comercial-requisitos"]
    assert "patente-comercial-requisitos" in deflection["shown"]


def test_language_switch_is_remembered(tab: Any) -> None:
    page = tab.page
    tab.go("#/")
    switch = page.get_by_role("button", name="Change language to English")
    switch.click()
    page.wait_for_selector("h1:text('How can we help you?')")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("navigation").get_by_role("link", name="Contact us").is_visible()
    tab.step("idioma-en")
    page.reload()
    tab.wait_ready()
    assert tab.heading() == "How can we help you?"
    tab.go("#/contacto/datos")  # nothing chosen yet: the flow starts at step 1
    assert tab.heading() == "What is your message about?"
    page.get_by_role("button", name="Cambiar idioma a español").click()
    page.wait_for_selector("h1:text('¿Sobre qué nos quiere escribir?')")
    assert page.locator("html").get_attribute("lang") == "es"


def test_keyboard_skip_link_and_focus_on_navigation(tab: Any) -> None:
    page = tab.page
    tab.go("#/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Saltar al contenido principal")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") == "H1"
    page.get_by_role("navigation").get_by_role("link", name="Consultar mi solicitud").click()
    page.wait_for_selector("h1:text('Consultar mi solicitud')")
    assert page.evaluate("() => document.activeElement.textContent") == "Consultar mi solicitud"
    assert page.title().startswith("Consultar mi solicitud")


def test_help_search_and_article_when_the_routes_exist(tab: Any) -> None:
    """The hooks render the help centre's answers (stubbed here in the shape of SearchResult)."""
    page = tab.page
    hit = {
        "slug": "patente-comercial-requisitos",
        "lang": "es",
        "title": "Requisitos para obtener la patente comercial",
        "summary": "Qué documentos necesita.",
        "section_path": ["tramites", "patentes"],
        "section_titles": ["Trámites", "Patentes"],
        "stage": "registro",
        "score": 3.2,
        "snippet": "Toda actividad necesita una <mark>patente</mark> municipal <img src=x onerror=alert(1)>",
    }
    result = {"query": "patente", "lang": "es", "hits": [hit], "total": 1, "groups": [], "did_you_mean": None}
    article = {
        **hit,
        "body_html": "<h2>Documentos</h2><p>Formulario <b>firmado</b>.</p><script>alert(1)</script>",
    }
    page.route(re.compile(r".*/api/v1/help/search\?.*"), lambda route: route.fulfill(json=result))
    page.route(re.compile(r".*/api/v1/help/articles/.*"), lambda route: route.fulfill(json=article))
    tab.go("#/ayuda?q=patente")
    assert page.get_by_text("1 resultado para «patente».").is_visible()
    assert page.locator(".hits mark").inner_text() == "patente"
    assert page.locator(".hits img").count() == 0
    tab.step("ayuda-resultados")
    page.get_by_role("link", name=hit["title"]).click()
    page.wait_for_selector(f"h1:text('{hit['title']}')")
    tab.wait_ready()
    assert page.get_by_role("heading", name="Documentos").is_visible()
    assert page.locator("main script").count() == 0
    tab.step("ayuda-articulo")
    # Parsing the hostile snippet (inertly) makes Chromium report the blocked onerror= to the console.
    tab.errors[:] = [e for e in tab.errors if not e.startswith("Executing inline event handler")]


def test_no_suggestions_route_goes_straight_to_the_form(tab: Any) -> None:
    """While GET /help/suggest is absent (404), the flow skips the articles step and records nothing."""
    page = tab.page
    without_help_routes(page, "suggest")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    start(tab)
    choose_topic(tab, "Trámites", "Patente comercial", past_articles=False)
    page.wait_for_selector("h1:text('Cuéntenos su caso')")
    # The total was five from the start and stays five; the empty step is marked skipped.
    assert page.get_by_test_id("step-count").inner_text() == "Paso 4 de 5"
    assert page.locator(".steps li.skipped").inner_text().startswith("Ayuda sugerida")
    assert not [u for u in posts if "/help/" in u]


ARTICLE = {
    "slug": "patente-comercial-requisitos",
    "lang": "es",
    "title": "Requisitos para obtener la patente comercial",
    "summary": "Qué documentos necesita.",
    "section_path": ["tramites", "patentes"],
    "section_titles": ["Trámites", "Patentes"],
    "stage": "registro",
    "body_html": "<p>Formulario firmado y certificado de zonificación.</p>",
    "related": [{"slug": "patente-comercial-pago", "title": "Cómo pagar la patente"}],
}


def test_article_breadcrumbs_related_and_was_it_useful(tab: Any) -> None:
    page = tab.page
    page.route(
        re.compile(r".*/api/v1/help/articles/patente-comercial-requisitos\?.*"),
        lambda r: r.fulfill(json=ARTICLE),
    )
    votes: list[dict[str, Any]] = []

    def vote(route: Any) -> None:
        votes.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(status=201, json={"ok": True})

    page.route(re.compile(r".*/api/v1/help/articles/patente-comercial-requisitos/feedback$"), vote)
    tab.go("#/ayuda/patente-comercial-requisitos")
    crumbs = page.get_by_role("navigation", name="Ruta de navegación")
    assert crumbs.inner_text().split("\n") == ["Centro de ayuda", "Trámites", "Patentes", ARTICLE["title"]]
    assert crumbs.get_by_role("link", name="Patentes").get_attribute("href") == "#/ayuda?seccion=patentes"
    assert page.get_by_role("link", name="Cómo pagar la patente").is_visible()
    tab.step("ayuda-articulo-util")
    page.get_by_role("button", name="No", exact=True).click()
    page.wait_for_selector("text=Gracias por su opinión.")
    assert page.evaluate("() => document.activeElement.classList.contains('status-line')")
    page.get_by_role("button", name="Enviar comentario").click()  # empty: said beside the field
    assert page.get_by_label("¿Qué le faltó a este artículo?").get_attribute("aria-invalid") == "true"
    page.get_by_label("¿Qué le faltó a este artículo?").fill("No dice cuánto cuesta.")
    page.get_by_role("button", name="Enviar comentario").click()
    page.wait_for_selector("text=Gracias: recibimos su comentario.")
    vote_id = votes[0].get("vote_id", "")  # the comment goes with the vote's id: counted once
    assert len(vote_id) >= 8 and votes == [
        {"helpful": False, "lang": "es", "vote_id": vote_id},
        {"helpful": False, "comment": "No dice cuánto cuesta.", "lang": "es", "vote_id": vote_id},
    ]
    tab.step("ayuda-articulo-comentario")


def test_article_feedback_without_the_route_says_so(tab: Any) -> None:
    page = tab.page
    page.route(re.compile(r".*/feedback$"), lambda route: route.fulfill(status=404, body=""))
    page.route(
        re.compile(r".*/api/v1/help/articles/patente-comercial-requisitos\?.*"),
        lambda r: r.fulfill(json=ARTICLE),
    )
    tab.go("#/ayuda/patente-comercial-requisitos")
    page.get_by_role("button", name="Sí", exact=True).click()
    page.wait_for_selector("text=No pudimos registrar su opinión ahora.")
    assert page.get_by_role("button", name="Sí", exact=True).is_enabled()  # can try again


def test_home_results_as_you_type_sections_and_most_consulted(tab: Any) -> None:
    page = tab.page
    hit = {
        "slug": "patente-comercial-requisitos",
        "title": "Requisitos para obtener la patente comercial",
        "snippet": "la <mark>patente</mark> municipal",
    }
    asked: list[str] = []

    def search(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(json={"query": "patente", "hits": [hit], "total": 1, "groups": []})

    page.route(re.compile(r".*/api/v1/help/search\?.*"), search)
    page.route(
        re.compile(r".*/api/v1/help/sections\?.*"),
        lambda r: r.fulfill(json={"sections": [{"slug": "tramites", "title": "Trámites", "count": 12}]}),
    )
    page.route(
        re.compile(r".*/api/v1/help/popular\?.*"),
        lambda r: r.fulfill(
            json={"articles": [{"slug": "horario-atencion", "title": "Horario de atención"}]}
        ),
    )
    tab.go("#/")
    page.get_by_role("link", name="Horario de atención").wait_for()
    assert page.get_by_role("heading", name="Lo más consultado").is_visible()
    assert page.get_by_role("link", name="Trámites").get_attribute("href") == "#/ayuda?seccion=tramites"
    box = page.get_by_label("¿Qué necesita saber?")
    box.press_sequentially("pat", delay=30)
    page.get_by_text("1 artículos encontrados", exact=False).wait_for()
    box.press_sequentially("ente", delay=30)
    page.locator(".live-hits a", has_text=hit["title"]).wait_for()
    assert page.locator(".live-hits mark").inner_text() == "patente"
    assert len(asked) <= 3, asked  # debounced, not one request per key
    tab.step("home-resultados-al-escribir")
    # Keyboard: Tab from the box reaches the search button then the first result.
    box.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == hit["title"]
    page.keyboard.press("Enter")
    page.wait_for_url("**#/ayuda/patente-comercial-requisitos")


def test_home_without_help_routes_shows_no_empty_boxes(tab: Any) -> None:
    page = tab.page
    without_help_routes(page, "search", "sections", "popular")
    tab.go("#/")
    page.get_by_label("¿Qué necesita saber?").press_sequentially("patente", delay=20)
    page.wait_for_timeout(700)
    assert page.locator("#home-live").is_hidden()
    assert page.get_by_role("heading", name="Lo más consultado").count() == 0
    assert page.get_by_role("heading", name="Temas de ayuda").count() == 0


def test_contact_flow_with_the_keyboard_only(tab: Any) -> None:
    """Every step reached and answered with Tab, typing, Space and Enter: no mouse."""
    page = tab.page
    without_help_routes(page, "suggest")  # the articles step has its own test
    tab.go("#/contacto")
    key = page.keyboard

    def tab_to(label: str) -> None:
        for _ in range(40):
            key.press("Tab")
            name = page.evaluate(
                "() => { const el = document.activeElement; return (el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent) || ''; }"
            )
            if name.strip().startswith(label):
                return
        raise AssertionError(f"Tab never reached {label!r}")

    for _ in range(40):  # past the header's links, to the first radio (arrows move within it)
        key.press("Tab")
        if page.evaluate("() => document.activeElement.name === 'type'"):
            break
    key.press("Space")
    assert page.get_by_role("radio", name="Consulta", exact=True).is_checked()
    tab_to("Asunto")
    key.type("Horario de atención")
    tab_to("Continuar")
    key.press("Enter")
    page.wait_for_selector("h1:text('Elija el caso que mejor lo describe')")
    tab.wait_ready()
    for _ in range(40):
        key.press("Tab")
        if page.evaluate("() => document.activeElement.name === 'subtype'"):
            break
    key.press("Space")
    tab_to("Continuar")
    key.press("Enter")
    page.wait_for_selector("h1:text('Cuéntenos su caso')")
    tab.wait_ready()
    tab_to("Describa su solicitud")
    key.type("¿Atienden los sábados en la oficina central?")
    tab_to("Continuar")
    key.press("Enter")
    page.wait_for_selector("h1:text('Sus datos de contacto')")
    tab.wait_ready()
    tab_to("Nombre completo")
    key.type("Inés Keyboard")
    tab_to("Correo electrónico")
    key.type("ines@example.cl")
    tab_to("Acepto el aviso de privacidad")
    key.press("Space")
    tab_to("Enviar solicitud")
    key.press("Enter")
    page.wait_for_selector("h1:text('Recibimos su solicitud')")
    assert NUMBER_RE.match(page.get_by_test_id("ticket-number").inner_text().strip())


CITIZEN_ROUTES = [
    "#/",
    "#/ayuda",
    "#/ayuda?q=patente",
    "#/ayuda/patente-comercial-requisitos",
    "#/contacto",
    "#/solicitud",
    "#/privacidad",
]


def test_citizen_pages_stay_within_the_asset_budgets(tab: Any) -> None:
    """Every JS and CSS file the citizen pages load, compressed with gzip: under 100 KB and 50 KB,
    all served by the app itself (no CDN, no third party). A size check, not a timing test."""
    page = tab.page
    origin = tab.url.rstrip("/")
    loaded: dict[str, bytes] = {}
    others: list[str] = []

    def seen(response: Any) -> None:
        url = response.url
        if not url.startswith(origin) and not url.startswith("data:"):
            others.append(url)
        elif url.split("?")[0].endswith((".js", ".css")) or "/i18n/" in url:
            loaded.setdefault(url.split("?")[0], response.body())

    page.on("response", seen)
    for route in CITIZEN_ROUTES:
        tab.go(route)
    filed = file_licence_request(tab)
    tab.go(f"#/solicitud/{filed.number}")
    assert others == [], others
    assert not [u for u in loaded if "/views/agent" in u or u.endswith("/auth.js")]
    sizes = {u.removeprefix(origin): len(gzip.compress(b, 9)) for u, b in sorted(loaded.items())}
    js = sum(n for u, n in sizes.items() if u.endswith(".js"))
    css = sum(n for u, n in sizes.items() if u.endswith(".css"))
    texts = sum(n for u, n in sizes.items() if "/i18n/" in u)  # the dictionaries: reported, not budgeted
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "asset-sizes.json").write_text(
        json.dumps(
            {"js_gzip_bytes": js, "css_gzip_bytes": css, "i18n_gzip_bytes": texts, "files": sizes}, indent=1
        ),
        encoding="utf-8",
    )
    assert any(u.endswith("/js/app.js") for u in sizes) and any(u.endswith("/css/app.css") for u in sizes)
    assert 0 < js < 100_000, sizes
    assert 0 < css < 50_000, sizes


@pytest.mark.parametrize("lang", ["es", "en"])
def test_remaining_pages_pass_axe_in_both_languages(tab: Any, lang: str) -> None:
    """The pages no journey above passes through, checked in Spanish and in English."""
    page = tab.page
    tab.go("#/")
    if lang == "en":
        page.get_by_role("button", name="Change language to English").click()
        page.wait_for_selector("h1:text('How can we help you?')")
    for name, route in [
        ("privacidad", "#/privacidad"),
        ("ayuda-inicio", "#/ayuda"),
        ("no-encontrada", "#/no-existe"),
        ("consulta-solicitud", "#/solicitud"),
        ("agente-ingreso", "#/agente"),
    ]:
        tab.go(route)
        tab.step(f"{name}-{lang}")


def file_by_api(url: str, email: str) -> dict[str, Any]:
    body = {
        "type": "consulta",
        "subtype": "general",
        "subject": "Horario de la OIRS en enero",
        "description": "¿Atienden en enero los sábados?",
        "requester": {
            "name": "Elena Avisos",
            "email": email,
            "phone": "+56 9 6123 4567",
            "channels": ["email"],
            "consent": True,
        },
    }
    return dict(api_post(url, "/api/v1/tickets", body))


def test_the_receipt_link_opens_the_request_once_and_notices_are_changed_at_360px(
    tab: Any, new_tab: Any
) -> None:
    page = tab.page
    email = f"avisos-{uuid.uuid4().hex[:8]}@example.cl"
    filed = file_by_api(tab.url, email)
    number, code = filed["number"], filed["access_code"]
    mail = receipt(tab.url, email)
    link = re.search(rf"/(#/solicitud/{number}\?t=[A-Za-z0-9_-]+)", mail["text"])
    assert link and code not in link.group(1), mail["text"]
    page.set_viewport_size(PHONE)
    tab.go(link.group(1))
    assert tab.heading() == f"Solicitud {number}"  # no code asked
    assert "t=" not in page.url and code not in page.url
    email_box, sms_box = page.get_by_label("Correo electrónico"), page.get_by_label("SMS al celular")
    assert email_box.is_checked() and not sms_box.is_checked()
    assert page.get_by_role("radio", name="Español").is_checked()
    sms_box.check()
    page.get_by_role("radio", name="English").check()
    page.get_by_role("button", name="Guardar preferencias de aviso").click()
    page.get_by_role("status").filter(has_text="Guardamos sus preferencias de aviso.").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # nothing wider than a phone
    tab.step("seguimiento-avisos")  # screenshots at both widths and the accessibility check
    page.set_viewport_size(PHONE)
    page.reload()
    tab.wait_ready()
    assert tab.heading() == f"Solicitud {number}"  # the tab's session survives a reload
    assert (
        page.get_by_label("SMS al celular").is_checked()
        and page.get_by_label("Correo electrónico").is_checked()
    )
    assert page.get_by_role("radio", name="English").is_checked()
    # The link works once: another browser gets the lookup form and is told why.
    other = new_tab()
    other.go(link.group(1))
    assert other.heading() == "Consultar mi solicitud"
    assert other.page.get_by_text("Este enlace ya se usó o venció").is_visible()
    assert other.page.get_by_label("Número de solicitud").input_value() == number


def test_an_unknown_api_route_is_a_404_problem_on_the_dev_server(web_url: str) -> None:
    request = urllib.request.Request(f"{web_url}/api/v1/no-existe", headers={"Authorization": "Bearer x"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30)
    assert answer.value.code == 404
    assert answer.value.headers["Content-Type"] == "application/problem+json"
    body = json.loads(answer.value.read())
    assert (body["code"], body["detail"]) == ("route_not_found", "Ruta desconocida.")
