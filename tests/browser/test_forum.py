"""The community forum in a real browser against ``make dev``'s stack: reading anonymously, the
demo citizen accepting the rules and posting (held as a new account's first post, personal data
masked), the moderator approving it in the console, a reply, a report and the moderator hiding the
reported post with a reason; axe and screenshots at 360 and 1280 px on every step, English too."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.test_account import sign_in
from tests.browser.test_assets import sign_in_at

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def test_read_post_moderate_reply_report_and_hide(tab: Any, new_tab: Any) -> None:
    page = tab.page
    # Anyone reads: categories, a category with its pinned announcement, a topic with an accepted answer.
    tab.go("#/foro")
    assert tab.heading() == "Foro de la comunidad"
    tab.step("foro-1-categorias")
    page.get_by_role("link", name="Trámites y certificados").click()
    page.wait_for_selector("h1:text('Trámites y certificados')")
    tab.wait_ready()
    assert "Anuncio" in page.locator(".forum-topic").first.inner_text()
    page.get_by_role("link", name="¿Cuánto demora el certificado de residencia?").click()
    page.wait_for_selector(".forum-post.accepted")
    tab.wait_ready()
    assert "Personal municipal" in page.locator(".forum-post.accepted").inner_text()
    assert "Para publicar necesita una cuenta." in page.locator("main").inner_text()
    tab.step("foro-2-tema")
    topic_url = "#" + page.url.split("#")[1]
    page.locator("#lang-switch").click()
    page.wait_for_selector("text=Accepted answer")
    tab.step("foro-2-tema-en")
    page.locator("#lang-switch").click()
    page.wait_for_selector("text=Respuesta aceptada")

    # The demo citizen: the rules once, then a topic with a preview; her first post waits for review.
    sign_in(tab, "vecina@example.cl", "Demo-Vecina-1")
    tab.go("#/foro/nuevo?categoria=barrio")
    page.wait_for_selector("text=Normas del foro")
    tab.step("foro-3-normas")
    page.get_by_role("button", name="Acepto las normas del foro").click()
    page.wait_for_selector("label:text('Título')")
    tab.wait_ready()
    title = f"Microbasural en la esquina {uuid.uuid4().hex[:4]}"
    page.get_by_label("Título").fill(title)
    page.get_by_label("Mensaje", exact=False).first.fill(
        "Hay basura acumulada. Mi RUT es 12.345.678-5 por si acaso."
    )
    page.get_by_label("Etiquetas", exact=False).fill("aseo, basura")
    page.get_by_role("button", name="Vista previa").click()
    page.wait_for_selector("text=Al publicar ocultaremos: RUT.")
    tab.step("foro-4-redactar")
    page.get_by_role("button", name="Publicar").click()
    page.wait_for_selector(f"h1:text('{title}')")
    tab.wait_ready()
    text = page.locator("main").inner_text()
    assert "En revisión" in text and "[RUT oculto]" in text and "12.345.678-5" not in text
    assert "quedó en revisión" in text
    tab.step("foro-5-retenido")
    held_url = "#" + page.url.split("#")[1]

    # The moderator approves it in the console; approving needs no reason (hiding does).
    mod = new_tab()
    sign_in_at(
        mod, "#/agente/foro?tipo=retenidos", "mario.moderador", "Demo-Ventanilla-7", "Moderación del foro"
    )
    item = mod.page.locator(".mod-item", has_text=title)
    current = mod.page.locator("nav.subnav a[aria-current=page]")
    assert current.inner_text() == "Retenidos"  # the queue shown is the one marked, in bold
    assert current.evaluate("a => getComputedStyle(a).fontWeight") == "700"
    other = mod.page.locator("nav.subnav a", has_text="Reportados")
    assert other.evaluate("a => getComputedStyle(a).fontWeight") != "700"
    mod.step("foro-6-moderacion-retenidos")
    item.get_by_role("button", name="Ocultar").click()
    mod.page.wait_for_selector(".mod-item >> text=Escriba el motivo", state="attached")
    item.get_by_role("button", name="Aprobar").click()
    mod.page.wait_for_selector("text=Acción registrada.", state="attached")
    mod.page.wait_for_selector(f".mod-item:has-text('{title}')", state="detached")
    tab.go("#/foro")
    tab.go(held_url)
    assert "En revisión" not in page.locator("main").inner_text()

    # She replies to another topic and reports a post there.
    tab.go(topic_url)
    page.get_by_label("Mensaje", exact=False).first.fill("A mí también me pasó, llegó al tercer día.")
    page.get_by_role("button", name="Responder").click()
    page.wait_for_selector("text=llegó al tercer día")
    tab.wait_ready()
    post = page.locator(".forum-post", has_text="Revise la carpeta de spam")
    post.get_by_role("button", name="Reportar").click()
    post.get_by_label("Motivo del reporte", exact=False).select_option("off_topic")
    tab.step("foro-7-reportar")
    post.get_by_role("button", name="Enviar reporte").click()
    page.wait_for_selector("text=Gracias: la moderación revisará el mensaje.")

    # The moderator sees it reported and hides it; the reason goes to its author.
    mod.go("#/agente/foro")
    reported = mod.page.locator(".mod-item", has_text="Revise la carpeta de spam")
    assert re.search(r"1 reportes: Fuera de tema", reported.inner_text())
    reported.get_by_label("Motivo", exact=False).fill("Consejo engañoso")
    mod.step("foro-8-moderacion-reportados")
    reported.get_by_role("button", name="Ocultar").click()
    mod.page.wait_for_selector(".mod-item:has-text('Revise la carpeta de spam')", state="detached")
    assert "Consejo engañoso" in mod.page.locator("table").inner_text()
    tab.go("#/foro")
    tab.go(topic_url)
    assert "Revise la carpeta de spam" not in page.locator("main").inner_text()
