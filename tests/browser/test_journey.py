"""The citizen's whole journey (issue 22), at 360 px and at 1280 px: search -> article -> contact ->
file -> the receipt's link -> a message -> the agent replies and sets "waiting" with a question ->
the citizen answers from that email's link -> the agent resolves with the answer -> the survey from
the resolved email. The citizen walks at 360 px; the agent works on the ticket page at 1280 px
("Asignármela", an internal note, "Responder y esperar al ciudadano", "Responder y resolver"). The outbox is counted: one notice per public message, none for internal steps.

The stack's notice window is a few seconds here (NOTIFY_COALESCE_SECONDS in conftest's stack)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.browser.conftest import CHROMIUM, DESKTOP, PHONE
from tests.browser.journeys import (
    Citizen,
    api_get,
    choose_topic,
    fill_licence_form,
    identify,
    start,
    to_contact_details,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]

STAFF = Path(__file__).resolve().parents[2] / "infra" / "seed" / "staff.json"


def call(url: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(
        f"{url}{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{path}: {error.code} {error.read()!r}") from error


def agent_headers(url: str, username: str = "ana.l1") -> dict[str, str]:
    """The agent's access token, signed in through the dev server's Cognito forward."""
    password = next(s["password"] for s in json.loads(STAFF.read_text()) if s["username"] == username)
    client_id = api_get(url, "/api/v1/config")["user_pool_client_id"]
    result = call(
        url,
        "/dev/cognito",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
    )
    token = result["AuthenticationResult"]["AccessToken"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def mails(url: str, email: str, count: int) -> list[dict[str, Any]]:
    """The emails to ``email``, oldest first, once there are ``count`` (polls the outbox; a loaded
    machine delivers late, never fewer)."""
    deadline = time.monotonic() + 240
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = [
            m
            for m in api_get(url, f"/dev/outbox?format=json&to={quote(email)}")["items"]
            if m.get("channel", "email") == "email"
        ]
        if len(found) >= count:
            return sorted(found, key=lambda m: str(m.get("at") or m.get("sent_at") or ""))
        time.sleep(0.3)
    raise AssertionError(f"expected {count} emails, the outbox has {[m.get('subject') for m in found]}")


def link(mail: dict[str, Any], number: str, page: str = "") -> str:
    found = re.search(rf"/(#/solicitud/{number}{page}\?t=[A-Za-z0-9_-]{{32}})", mail["text"])
    assert found, mail["text"]
    return found.group(1)


def agent_opens(tab: Any, number: str, username: str = "ana.l1") -> None:
    """The agent's ticket page at 1280 px, signed in through the console's own form."""
    page = tab.page
    password = next(s["password"] for s in json.loads(STAFF.read_text()) if s["username"] == username)
    page.set_viewport_size(DESKTOP)
    tab.go(f"#/agente/solicitud/{number}")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector(f"main[aria-busy=false] h1:text('Solicitud {number}')")


def test_the_citizen_journey_from_search_to_survey(tab: Any, new_tab: Any) -> None:
    """One walk: the citizen at 360 px, the agent on the ticket page at 1280 px (the request page is
    checked with axe at both widths)."""
    page, url = tab.page, tab.url
    size = PHONE
    width = size["width"]
    page.set_viewport_size(size)
    email = f"viaje-{uuid.uuid4().hex[:8]}@example.cl"

    # Search, then the article.
    tab.go("#/")
    page.get_by_label("¿Qué necesita saber?").fill("patente comercial")
    page.get_by_role("button", name="Buscar").click()
    page.get_by_role("link", name="Requisitos para obtener la patente comercial").first.click()
    page.wait_for_selector("h1:has-text('Requisitos para obtener la patente comercial')")
    tab.wait_ready()
    tab.check_a11y(f"viaje-{width}-articulo")

    # The article did not solve it: contact, file.
    page.get_by_role("link", name="Contactar").last.click()
    tab.wait_ready()
    choose_topic(tab, "Trámites", "Patente comercial", subject="Estado de mi patente")
    fill_licence_form(tab)
    to_contact_details(tab)
    identify(tab, Citizen(email=email), sms=False)
    page.wait_for_selector("h1:text('Recibimos su solicitud')")
    tab.wait_ready()
    number = page.get_by_test_id("ticket-number").inner_text().strip()
    tab.check_a11y(f"viaje-{width}-confirmacion")

    # The receipt's link opens the request in a browser that has no code: what the citizen wrote
    # first, then the conversation.
    [receipt] = mails(url, email, 1)
    page.evaluate("() => sessionStorage.clear()")
    tab.go(link(receipt, number))
    assert tab.heading() == f"Solicitud {number}"
    assert "Presenté los documentos" in page.get_by_test_id("description").inner_text()
    assert "Almacén Don Pepe SpA" in page.locator(".my-request").inner_text()  # the form's answers
    assert "Respuesta esperada antes del" in page.locator(".facts").first.inner_text()
    page.get_by_label("Su mensaje").fill("Adjunto además mi número de ingreso: 4471.")
    page.get_by_role("button", name="Enviar mensaje").click()
    page.wait_for_selector("text=Su mensaje fue enviado.")
    chat = page.get_by_test_id("conversation")
    mine = chat.locator("li.msg-mine")
    assert "número de ingreso: 4471" in mine.last.inner_text()
    assert mine.last.locator("h3").inner_text() == "Usted"  # who, not only the side and colour
    assert "Solicitud recibida" in chat.locator("li.step").first.inner_text()
    tab.check_a11y(f"viaje-{width}-solicitud")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width

    # The agent, on the ticket page: takes it (internal), a note (internal), then one action,
    # "Responder y esperar al ciudadano", with the answer so far and a question.
    agent = new_tab()
    apage = agent.page
    agent_opens(agent, number)
    apage.get_by_role("button", name="Asignármela").click()
    apage.wait_for_selector("text=La solicitud quedó asignada a usted.")
    message = apage.get_by_label("Mensaje")
    message.fill("Revisar con Obras el expediente 4471.")
    apage.get_by_role("button", name="Agregar nota interna").click()
    apage.locator("[data-testid=conversation] li.msg-internal").first.wait_for()
    question = "¿Nos indica el rol de la propiedad donde funciona el almacén?"
    message.fill(f"Su patente está en revisión de la Dirección de Obras.\n\n{question}")
    apage.get_by_role("button", name="Responder y esperar al ciudadano").click()
    apage.wait_for_selector("text=Respuesta enviada; la solicitud quedó «Esperando al ciudadano».")
    receipt_again, waiting = mails(url, email, 2)
    assert receipt_again["subject"] == receipt["subject"]
    assert "Necesitamos información" in waiting["subject"]
    assert "revisión de la Dirección de Obras" in waiting["text"] and question in waiting["text"]

    # The citizen answers from that email's link: no code asked, the question on top and in the
    # conversation, on the institution's side, marked as the current answer.
    page.evaluate("() => sessionStorage.clear()")
    tab.go(link(waiting, number))
    assert tab.heading() == f"Solicitud {number}"
    current = page.get_by_test_id("current-answer").inner_text()
    assert "Necesitamos su respuesta" in current and question in current
    assert "Respondida el" in page.locator(".facts").first.inner_text()  # "expected before" is gone
    theirs = chat.locator("li.msg-theirs")
    assert question in theirs.last.inner_text() and "Ana Rojas" in theirs.last.locator("h3").inner_text()
    assert "msg-current" in (theirs.last.get_attribute("class") or "")
    assert "Aviso enviado" not in chat.inner_text()
    assert "Revisar con Obras" not in page.content()  # the note stays inside
    page.get_by_label("Su mensaje").fill("El rol es 1234-56.")
    page.get_by_role("button", name="Enviar mensaje").click()
    # On the message itself: the live region still says "sent" from the first message (the link
    # opened in the same document), so waiting on that text raced the agent with this write.
    page.wait_for_selector("[data-testid=conversation] li.msg-mine:has-text('El rol es 1234-56.')")
    order = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=conversation] li')].map(li => li.className)"
    )
    assert [c for c in order if c.startswith("msg")][-1].startswith("msg msg-mine"), order  # newest last
    assert "step tl-message" not in order  # every message is a bubble, steps are the rest

    # The agent sees the answer and resolves with the answer, again one action.
    apage.reload()
    agent.wait_ready()
    assert "1234-56" in apage.locator("[data-testid=conversation] li.msg-citizen").last.inner_text()
    answer = "Su patente quedó aprobada; puede retirarla en la Dirección de Rentas."
    apage.get_by_label("Mensaje").fill(answer)
    apage.get_by_role("button", name="Responder y resolver").click()
    apage.wait_for_selector("text=Respuesta enviada; la solicitud quedó «Resuelta».")
    *_, resolved = mails(url, email, 3)
    assert "resuelta" in resolved["subject"] and answer in resolved["text"]

    # The survey from the email: the request opens at its survey, after the answer.
    page.evaluate("() => sessionStorage.clear()")
    page.goto("about:blank")  # a fresh load, as from a mail client
    tab.go(link(resolved, number, "/encuesta"))
    assert tab.heading() == f"Solicitud {number}"
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "survey-h"
    top = page.evaluate("() => document.getElementById('survey-h').getBoundingClientRect().top")
    assert -5 <= top < size["height"], top  # scrolled to the survey
    order = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=current-answer], section.survey')].map(e => e.className)"
    )
    assert order == ["current-answer", "survey"], order
    assert answer in page.get_by_test_id("current-answer").inner_text()
    tab.check_a11y(f"viaje-{width}-encuesta")
    page.get_by_role("radio", name="5 Muy satisfecho").check()
    page.get_by_role("button", name="Enviar evaluación").click()
    page.wait_for_selector("text=Gracias: recibimos su evaluación.")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    tab.step("viaje-fin")  # screenshots and axe at 360 and 1280 px

    # Counted: the receipt and one notice per public message from staff; nothing for the taking,
    # the note, the routing or the citizen's own messages and survey.
    final = mails(url, email, 3)
    assert len(final) == 3, [m["subject"] for m in final]


def test_the_browser_language_picks_english(browser: Any, web_url: str, axe_source: str) -> None:
    from tests.browser.conftest import Tab

    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    try:
        tab = Tab(page, web_url, axe_source, [])
        tab.go("#/")
        assert tab.heading() == "How can we help you?"
        assert page.evaluate("() => document.documentElement.lang") == "en"
        tab.check_a11y("home-en-360")
    finally:
        context.close()


def test_articles_call_by_tapping_and_the_receipt_copies_the_code(tab: Any) -> None:
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.go("#/ayuda/horarios-y-oficinas-de-atencion")
    phone = page.locator("a.tel").first
    assert phone.get_attribute("href") == "tel:6001234500"
    tab.check_a11y("articulo-telefonos-360")
    # Errors that name the field, then the receipt.
    start(tab)
    choose_topic(tab, "Trámites", "Patente comercial", subject="Recibo impreso")
    fill_licence_form(tab)
    to_contact_details(tab)
    page.get_by_role("button", name="Enviar solicitud").click()
    assert "Escriba su nombre completo." in page.locator(".error-summary").inner_text()
    assert "Este campo es obligatorio" not in page.locator("main").inner_text()
    identify(tab, Citizen(email=f"recibo-{uuid.uuid4().hex[:8]}@example.cl"), sms=False)
    page.wait_for_selector("h1:text('Recibimos su solicitud')")
    tab.wait_ready()
    receipt = page.locator(".receipt").inner_text()
    assert "Recibo impreso" in receipt and "#/solicitud" in receipt
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copiar código").click()
    page.locator(".copy-status").filter(has_text="Código copiado.").wait_for()
    code = page.get_by_test_id("access-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{1,4})+", code), code  # shown in groups
    assert page.evaluate("() => navigator.clipboard.readText()") == code
    tab.step("recibo-copiar")
    # A wrong code: the error is where the focus is.
    page.evaluate("() => sessionStorage.clear()")
    number = page.get_by_test_id("ticket-number").inner_text().strip()
    tab.go("#/solicitud")
    page.get_by_label("Número de solicitud").fill(number)
    page.get_by_label("Código de acceso").fill("AAAA-BBBB")
    page.get_by_role("button", name="Consultar").click()
    page.get_by_test_id("lookup-problem").wait_for()
    assert page.evaluate("() => document.activeElement.dataset.testid") == "lookup-problem"


def test_an_article_opens_the_contact_flow_on_its_topic_with_what_was_searched(tab: Any) -> None:
    """Item 5's deep link: the article's "Contactar" carries its topic, itself and the search words;
    the topic comes preselected, the article read is not suggested again and reaches the agent."""
    page, url = tab.page, tab.url
    page.set_viewport_size(PHONE)
    tab.go("#/ayuda?q=patente%20comercial")
    page.evaluate("() => sessionStorage.removeItem('ventanilla.contact')")
    page.get_by_role("link", name="Requisitos para obtener la patente comercial").first.click()
    page.wait_for_selector("h1:has-text('Requisitos para obtener la patente comercial')")
    tab.wait_ready()
    href = page.get_by_test_id("contact-from-article").get_attribute("href") or ""
    assert "tipo=tramite%2Fpatente-comercial" in href and "desde=patente-comercial-requisitos" in href
    assert "q=patente+comercial" in href
    page.get_by_test_id("contact-from-article").click()
    tab.wait_ready()
    draft = page.evaluate("() => JSON.parse(sessionStorage.getItem('ventanilla.contact'))")
    assert (draft["type"], draft["subtype"]) == ("tramite", "patente-comercial")
    assert (draft["origin"], draft["query"]) == ("patente-comercial-requisitos", "patente comercial")
    email = f"desde-{uuid.uuid4().hex[:8]}@example.cl"
    assert tab.heading() == "¿Sobre qué nos quiere escribir?"  # the topic first, the person last
    assert page.get_by_role("radio", name="Trámites", exact=True).is_checked()  # preselected
    assert page.get_by_label("Asunto").input_value() == "patente comercial"  # the words searched
    page.get_by_label("Asunto").fill("Patente desde el artículo")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("h1:text('Elija el caso que mejor lo describe')")
    tab.wait_ready()
    assert page.get_by_role("radio", name="Patente comercial", exact=True).is_checked()
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("h1:text('Cuéntenos su caso'), h1:text('Estos artículos pueden resolver su duda')")
    if tab.heading() == "Estos artículos pueden resolver su duda":
        assert page.get_by_role("link", name="Requisitos para obtener la patente comercial").count() == 0
        tab.check_a11y("desde-articulo-sugeridos")
        page.get_by_role("link", name="No resolvió mi duda").click()
    fill_licence_form(tab)
    to_contact_details(tab)
    identify(tab, Citizen(email=email), sms=False)
    page.wait_for_selector("h1:text('Recibimos su solicitud')")
    number = page.get_by_test_id("ticket-number").inner_text().strip()
    agent = agent_headers(url)
    request = urllib.request.Request(f"{url}/api/v1/agent/tickets/{number}", headers=agent)
    with urllib.request.urlopen(request, timeout=60) as answer:
        seen = json.loads(answer.read())["ticket"]["seen_articles"]
    assert seen[0] == "patente-comercial-requisitos", seen


def test_a_single_case_is_skipped_the_count_stays_and_hours_read_as_said(tab: Any) -> None:
    """Item 4: five steps counted from the start; "Emergencias" has one case, so that step is skipped
    (its number kept, marked "no aplica"); the time limits say "1 hora hábil" in the type, the
    details and the receipt (and "1 business hour" in English); the draft survives a reload; axe is
    clean on every step at 360 and 1280 px."""
    page = tab.page

    def axe_both(name: str) -> None:
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            tab.check_a11y(f"{name}-{size['width']}")

    page.set_viewport_size(PHONE)
    start(tab)
    assert page.get_by_test_id("step-count").inner_text() == "Paso 1 de 5"
    emergency = "Emergencias y cortes de servicio"
    limits = "Primera respuesta en 1 hora hábil; solución en 1 día hábil"
    described = page.locator("[id='type-emergencia-d']").inner_text()
    assert limits in described, described
    axe_both("contacto-tema")
    page.get_by_role("radio", name=emergency, exact=True).check()
    page.get_by_label("Asunto").fill("Árbol caído en la vereda")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("h1:text('Cuéntenos su caso'), h1:text('Estos artículos pueden resolver su duda')")
    assert "/contacto/subtipo" not in page.url
    if tab.heading() == "Estos artículos pueden resolver su duda":
        assert page.get_by_test_id("step-count").inner_text() == "Paso 3 de 5"
        axe_both("contacto-articulos")
        page.get_by_role("link", name="No resolvió mi duda").click()
        page.wait_for_selector("h1:text('Cuéntenos su caso')")
    tab.wait_ready()
    assert page.get_by_test_id("step-count").inner_text() == "Paso 4 de 5"
    skipped = page.locator(".steps li.skipped").all_inner_texts()
    assert skipped and skipped[0].startswith("Caso"), skipped
    assert "subtipo" not in (page.get_by_role("link", name="Volver").get_attribute("href") or "")
    assert page.get_by_test_id("targets").inner_text() == limits
    page.get_by_label("Servicio afectado").select_option("via")
    page.locator("[name='form.direccion']").fill("Las Acacias 340")
    page.get_by_label("Describa su solicitud").fill("Un árbol cayó sobre la vereda y bloquea el paso.")
    page.reload()  # the draft is kept
    tab.wait_ready()
    assert page.get_by_label("Describa su solicitud").input_value().startswith("Un árbol cayó")
    axe_both("contacto-detalles")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_selector("h1:text('Sus datos de contacto')")
    tab.wait_ready()
    assert page.get_by_test_id("step-count").inner_text() == "Paso 5 de 5"
    assert "Árbol caído en la vereda" in page.locator(".summary").inner_text()
    axe_both("contacto-datos")
    identify(tab, Citizen(email=f"arbol-{uuid.uuid4().hex[:8]}@example.cl"), sms=False)
    page.wait_for_selector("h1:text('Recibimos su solicitud')")
    tab.wait_ready()
    assert page.get_by_test_id("receipt-targets").inner_text() == limits

    # In English the same counts read as English counts.
    page.evaluate("() => localStorage.setItem('ventanilla.lang', 'en')")
    page.reload()
    tab.go("#/contacto")
    assert page.get_by_test_id("step-count").inner_text() == "Step 1 of 5"
    english = page.locator("[id='type-emergencia-d']").inner_text()
    assert "First response within 1 business hour; resolved within 1 business day" in english, english
    page.get_by_role("radio", name="Procedures", exact=True).check()
    page.get_by_label("Subject").fill("Business licence status")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1:text('Choose the case that fits best')")
    tab.wait_ready()
    licence = page.get_by_role("radio", name="Business licence", exact=True).get_attribute("aria-describedby")
    assert "16 business hours" in page.locator(f"[id='{licence}']").inner_text()
    axe_both("contacto-caso-en")
