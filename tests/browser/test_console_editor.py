"""The help editor and the remaining service settings in a real browser (issue 19): an editor
writes an article with the live preview, is refused, meets a concurrent edit (409), restores a
revision, publishes and finds it in the portal, reorders a section, imports JSON Lines with a
per-line error report, opens an unanswered search as a new article and keeps the search terms; a
supervisor keeps the goals (with their compliance), a notification template (preview in both
languages, refused template, 409) and retries dead letters, and proposes an article from a resolved
request. Each screen: its main action, a refused input beside its field, axe at 360 and 1280 px;
the audit trail holds one record per change made here."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
import uuid
from typing import Any

import boto3
import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.test_console_admin import api, field_error, manual_shot, visit
from tests.stack_process import MOTO_URLS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (make browser)"
    ),
]


def sign_in_at(tab: Any, username: str, password: str, route: str, heading: str) -> None:
    """Open a console page signed out (the sign-in form), sign in, land on that page."""
    page = tab.page
    tab.go(route)
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_selector(f"main[aria-busy=false] h1:text-is('{heading}')")


def audit_records(admin: Any, web_url: str, kind: str, target: str) -> list[dict[str, Any]]:
    """The audit trail's records of ``kind`` whose target holds ``target``, read by the admin."""
    query = urllib.parse.urlencode({"kind": kind, "limit": 200})
    items = api(web_url, admin, "GET", f"/admin/audit?{query}")["items"]
    return [r for r in items if target in str(r.get("target"))]


def admin_signed_in(new_tab: Any) -> Any:
    """A second tab where the demo admin is signed in (the audit trail is theirs to read)."""
    admin = new_tab()
    sign_in_at(admin, "elena.admin", "Demo-Ventanilla-5", "#/agente/auditoria", "Auditoría de cambios")
    return admin


def http(web_url: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        f"{web_url}/api/v1{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def test_editor_writes_previews_publishes_and_keeps_the_help_centre(
    tab: Any, new_tab: Any, web_url: str
) -> None:
    page = tab.page
    sign_in_at(tab, "diana.editora", "Demo-Ventanilla-4", "#/agente/ayuda", "Artículos de ayuda")
    assert page.locator("table.queue tbody tr").count() > 0
    manual_shot(tab, "editor-articulos")
    page.get_by_label("Solo los que necesitan revisión").check()
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url("**review=1**")
    tab.wait_ready()
    tab.step("editor-articulos-revisar")

    # a published article's section, to write into (and reorder there later)
    rows = api(web_url, tab, "GET", "/admin/help/articles?lang=es&status=published&limit=100")["items"]
    section = rows[0]["section_path"]
    titles = api(web_url, tab, "GET", f"/admin/help/articles/{rows[0]['slug']}?lang=es")["section_titles"]

    # new: refused first (the API's reasons beside the fields), then with the live preview
    visit(tab, "#/agente/ayuda/nuevo?lang=es", "Nuevo artículo")
    page.get_by_role("button", name="Crear borrador").click()
    page.wait_for_selector(".error-summary:not([hidden])")
    assert field_error(page, "Dirección (slug) *") and field_error(page, "Título *")
    tab.step("editor-nuevo-errores")
    slug = f"horario-feria-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Dirección (slug) *").fill(slug)
    page.get_by_label("Título *").fill("Horario de la feria libre")
    page.get_by_label("Resumen *").fill("Días y horas de la feria libre de Valle Verde.")
    page.get_by_label("Texto (Markdown) *").fill(
        "## Días\n\n**Martes y sábados** de 8:00 a 15:00.\n\n- Traiga bolsa reutilizable\n<script>alert(1)</script>"
    )
    preview = page.get_by_test_id("preview")
    preview.locator("strong", has_text="Martes y sábados").wait_for()
    assert preview.locator("h2", has_text="Días").is_visible() and preview.locator("script").count() == 0
    page.get_by_label("Sección (ruta) *").fill("/".join(section))
    page.get_by_label("Nombres de las secciones *").fill(" / ".join(titles))
    page.get_by_label("Etapa del trámite *").select_option("informacion")
    page.get_by_label("Etiquetas (opcional)").fill("feria, comercio")
    manual_shot(tab, "editor-nuevo-articulo")
    page.get_by_role("button", name="Crear borrador").click()
    page.wait_for_selector("text=Se creó el borrador «Horario de la feria libre».")
    tab.wait_ready()
    assert page.get_by_test_id("article-status").inner_text() == "Borrador"

    # edit and save
    page.get_by_label("Resumen *").fill("Días y horas de la feria libre de Valle Verde, por sector.")
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Se guardó «Horario de la feria libre».")
    tab.wait_ready()

    # someone else saves meanwhile: a 409 in plain words, and a reload
    current = api(web_url, tab, "GET", f"/admin/help/articles/{slug}?lang=es")
    edit = {
        k: current[k]
        for k in ("title", "summary", "body_md", "section_path", "section_titles", "stage", "tags")
    }
    api(
        web_url,
        tab,
        "PUT",
        f"/admin/help/articles/{slug}?lang=es",
        {**edit, "title": "Feria libre: horario", "revision": current["revision"]},
    )
    page.get_by_label("Título *").fill("Horario de la feria (mío)")
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Otra persona cambió esto mientras usted lo editaba.")
    tab.step("editor-conflicto")

    # unsaved changes: leaving asks first and staying keeps the edits
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    with page.expect_event("dialog", timeout=15_000):  # the hashchange runs after the click returns
        page.get_by_role("link", name="Secciones y orden").click()
    page.wait_for_function("() => location.hash.includes('/ayuda/articulo/')")
    assert dialogs and "cambios sin guardar" in dialogs[0]
    assert page.get_by_label("Título *").input_value() == "Horario de la feria (mío)"
    page.get_by_role("button", name="Recargar").click()
    page.wait_for_selector("main[aria-busy=false] .lead:text-is('Feria libre: horario')")

    # revisions: the diff, then restore revision 2 (our own summary edit) and save it
    page.get_by_role("button", name="Ver diferencias con la revisión 1").click()
    page.wait_for_selector("text=Revisión 1 comparada con la actual")
    assert page.locator("table.diff-fields").inner_text().count("Feria libre: horario") == 1
    page.get_by_role("button", name="Restaurar la revisión 2").click()
    assert page.get_by_label("Título *").input_value() == "Horario de la feria libre"
    tab.step("editor-revisiones")
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Se guardó «Horario de la feria libre».")
    tab.wait_ready()

    # publish; the portal shows it
    page.get_by_role("button", name="Publicar").click()
    page.wait_for_selector("text=Se publicó «Horario de la feria libre»: la ciudadanía ya puede verlo.")
    tab.wait_ready()
    assert page.get_by_test_id("article-status").inner_text() == "Publicado"
    manual_shot(tab, "editor-articulo")
    visit(tab, f"#/ayuda/{slug}", "Horario de la feria libre")
    assert page.locator("main strong", has_text="Martes y sábados").is_visible()

    # the section's order: move it down (a new article comes first)
    visit(tab, "#/agente/ayuda/secciones?lang=es", "Secciones y orden de los artículos")
    page.get_by_role("button", name="Bajar «Horario de la feria libre»").click()
    page.wait_for_selector("text=Se cambió el orden")
    tab.wait_ready()
    manual_shot(tab, "editor-secciones")

    # import: one bad line names its line and nothing is written; then a good one
    visit(tab, "#/agente/ayuda/importar", "Importar y exportar artículos")
    good = {
        "slug": f"{slug}-puestos",
        "lang": "es",
        "title": "Puestos de la feria",
        "summary": "Cómo pedir un puesto.",
        "body_md": "Pida su puesto en la Oficina de Rentas.",
        "section_path": section,
        "section_titles": titles,
        "stage": "registro",
    }
    bad = {**good, "slug": f"{slug}-malo", "stage": "nunca"}
    page.get_by_label("Contenido (opcional)").fill(json.dumps(good) + "\n" + json.dumps(bad))
    page.get_by_role("button", name="Importar", exact=True).click()
    page.wait_for_selector("text=No se importó")
    assert "2" in page.locator(".import-report table tbody tr").first.inner_text()
    tab.step("editor-importar-errores")
    page.get_by_label("Contenido (opcional)").fill(json.dumps(good))
    page.get_by_role("button", name="Importar", exact=True).click()
    page.wait_for_selector("text=Se importaron 1 artículos (1 nuevos, 0 actualizados).")
    manual_shot(tab, "editor-importar")

    # an unanswered search becomes a new article's title
    word = f"zorzal{uuid.uuid4().hex[:4]}"
    http(web_url, "GET", f"/help/search?{urllib.parse.urlencode({'q': word, 'lang': 'es'})}")
    visit(tab, "#/agente/ayuda/busquedas?lang=es", "Búsquedas sin respuesta y registro de búsquedas")
    manual_shot(tab, "editor-busquedas")
    page.get_by_role("link", name=f"Crear artículo a partir de «{word}»").first.click()
    page.wait_for_selector("main[aria-busy=false] h1:text-is('Nuevo artículo')")
    assert page.get_by_label("Título *").input_value() == word

    # search terms: refused (same words), then saved, then deleted
    visit(tab, "#/agente/ayuda/terminos", "Términos de búsqueda")
    term = f"cachureo{uuid.uuid4().hex[:4]}"
    page.get_by_label("Lo que escribe la gente *").fill(term)
    page.get_by_label("Lo que dicen los artículos *").fill(term)
    page.get_by_role("button", name="Guardar término").click()
    page.wait_for_selector(".error-summary:not([hidden])")
    tab.step("editor-terminos-errores")
    page.get_by_label("Lo que dicen los artículos *").fill("residuos voluminosos")
    page.get_by_role("button", name="Guardar término").click()
    page.wait_for_selector(f"text=Se guardó el término «{term}».")
    tab.wait_ready()
    manual_shot(tab, "editor-terminos")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name=f"Eliminar el término «{term}»").click()
    page.wait_for_selector(f"text=Se eliminó el término «{term}».")

    # English
    page.get_by_role("button", name="Change language to English").click()
    page.wait_for_selector("main h1:text-is('Search terms')")
    tab.step("editor-terminos-en")

    # the audit trail: one record per change made above
    admin = admin_signed_in(new_tab)
    article = audit_records(admin, web_url, "help-article", slug)
    # create, edit, the concurrent edit, the restore, publish (the import's own record is apart)
    assert len([r for r in article if r["target"] in (slug, f"es/{slug}", f"{slug}/es")]) == 5, article
    assert len(audit_records(admin, web_url, "help-section", "")) >= 1
    assert len(audit_records(admin, web_url, "help-term", "")) >= 2


def test_supervisor_keeps_goals_templates_and_delivery_and_an_agent_proposes_an_article(
    tab: Any, new_tab: Any, web_url: str
) -> None:
    page = tab.page
    sign_in_at(
        tab,
        "carla.supervisora",
        "Demo-Ventanilla-3",
        "#/agente/ajustes/metas",
        "Metas (carta de compromisos)",
    )

    # goals: a threshold off the histogram edges is refused beside its field; then created, edited
    name = f"Reclamos respondidos {uuid.uuid4().hex[:4]}"
    page.get_by_role("button", name="Nueva meta").click()
    page.get_by_label("Nombre (español) *").fill(name)
    page.get_by_label("Tipo de solicitud *").select_option("reclamo")
    page.get_by_label("Plazo (horas hábiles) *").fill("49")
    page.get_by_role("button", name="Crear meta").click()
    page.wait_for_selector(".error-summary:not([hidden])")
    assert field_error(page, "Plazo (horas hábiles) *")
    tab.step("supervisor-metas-errores")
    page.get_by_label("Plazo (horas hábiles) *").fill("50")
    page.get_by_role("button", name="Crear meta").click()
    page.wait_for_selector(f"text=Se guardó la meta «{name}».")
    tab.wait_ready()
    row = page.get_by_role("row", name=name)
    assert row.get_by_test_id("goal-current").inner_text()
    manual_shot(tab, "supervisor-metas")
    row.get_by_role("button", name=f"Editar la meta «{name}»").click()
    page.get_by_label("Porcentaje comprometido *").fill("85")
    page.get_by_role("button", name="Guardar cambios").click()
    page.get_by_role("row", name=name).filter(has_text="85 % con primera respuesta").wait_for()
    tab.wait_ready()
    goal = next(g for g in api(web_url, tab, "GET", "/stats/goals")["items"] if g["name"]["es"] == name)
    goal_id = goal["id"]
    # someone else saves the goal while carla edits it: her save is refused and she reloads
    page.get_by_role("row", name=name).get_by_role("button", name=f"Editar la meta «{name}»").click()
    page.get_by_label("Porcentaje comprometido *").fill("70")
    fields = {k: goal[k] for k in ("name", "type_code", "metric", "threshold_hours", "period", "public")}
    api(
        web_url,
        tab,
        "PUT",
        f"/stats/goals/{goal_id}",
        {**fields, "target_pct": 95, "version": goal["version"]},
    )
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Otra persona cambió esto mientras usted lo editaba.")
    tab.step("supervisor-metas-conflicto")
    page.get_by_role("button", name="Recargar").click()
    page.get_by_role("row", name=name).filter(has_text="95 % con primera respuesta").wait_for()
    tab.wait_ready()
    assert [
        g["target_pct"] for g in api(web_url, tab, "GET", "/stats/goals")["items"] if g["id"] == goal_id
    ] == [95]

    # the SLA policy: a save from a version someone else replaced meanwhile is refused the same way
    visit(tab, "#/agente/ajustes/sla", "Política de plazos (SLA)")
    policy = api(web_url, tab, "GET", "/admin/sla-policy")
    api(web_url, tab, "PUT", "/admin/sla-policy", policy)
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Otra persona cambió esto mientras usted lo editaba.")
    tab.step("supervisor-sla-conflicto")
    page.get_by_role("button", name="Recargar").click()
    page.wait_for_selector("text=Otra persona cambió esto mientras usted lo editaba.", state="detached")
    tab.wait_ready()
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Cambios guardados.")
    assert api(web_url, tab, "GET", "/admin/sla-policy")["version"] == policy["version"] + 2

    # a notification template: both languages previewed; a refused template; a 409; saved; reset
    visit(tab, "#/agente/ajustes/plantillas?kind=ticket_reopened&channel=sms&lang=es", "Plantillas de avisos")
    previews = page.get_by_test_id("template-previews")
    previews.locator("article.notice-preview").nth(1).wait_for()
    assert (
        previews.locator("article[lang=es]").count() == 1
        and previews.locator("article[lang=en]").count() == 1
    )
    text = page.get_by_label("Texto (opcional)")
    text.fill("{{ ticket_number.__class__.__mro__ }}")
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector(".error-summary:not([hidden])")
    assert field_error(page, "Texto (opcional)")
    tab.step("supervisor-plantillas-errores")
    text.fill("Valle Verde: reabrimos su solicitud {{ ticket_number }}.")
    page.get_by_role("button", name="Vista previa").click()
    previews.locator("article[lang=es]", has_text="reabrimos su solicitud").wait_for()
    manual_shot(tab, "supervisor-plantillas")
    path = "/admin/notifications/templates/ticket_reopened/sms/es"
    api(web_url, tab, "PUT", path, {"text": "Otra persona: {{ ticket_number }}"})
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Otra persona cambió esto mientras usted lo editaba.")
    tab.step("supervisor-plantillas-conflicto")
    page.get_by_role("button", name="Recargar").click()
    page.wait_for_selector("text=Editada por carla.supervisora")
    page.get_by_label("Texto (opcional)").fill("Valle Verde: reabrimos su solicitud {{ ticket_number }}.")
    page.get_by_role("button", name="Guardar cambios").click()
    page.wait_for_selector("text=Se guardó la plantilla.")
    tab.wait_ready()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Volver al texto incluido").click()
    page.wait_for_selector("text=La plantilla volvió al texto incluido.")
    tab.wait_ready()

    # delivery problems: retry 0 is refused beside the field; a real retry answers how many moved
    visit(tab, "#/agente/ajustes/entregas", "Problemas de envío")
    page.get_by_label("Cuántos reintentar *").fill("0")
    page.get_by_role("button", name="Reintentar envío").click()
    page.wait_for_selector(".error-summary:not([hidden])")
    assert field_error(page, "Cuántos reintentar *")
    tab.step("supervisor-entregas-errores")
    page.get_by_label("Cuántos reintentar *").fill("10")
    page.get_by_role("button", name="Reintentar envío").click()
    page.wait_for_selector("text=avisos a la cola de envío.")
    tab.wait_ready()
    manual_shot(tab, "supervisor-entregas")

    # a permanent SES bounce (SNS -> queue -> bounces function of the stack) suppresses an address;
    # the supervisor takes it off the list
    domain = f"rebote-{uuid.uuid4().hex[:6]}.example"
    masked = f"v***@{domain}"
    sns = boto3.client(
        "sns",
        endpoint_url=MOTO_URLS[web_url],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    topic = next(
        t["TopicArn"] for t in sns.list_topics()["Topics"] if "emailfeedbacktopic" in t["TopicArn"].lower()
    )
    bounce = {
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": f"vecina@{domain}"}]},
        "mail": {"source": "avisos@valleverde.example"},
    }
    sns.publish(TopicArn=topic, Message=json.dumps(bounce))

    def suppressed() -> list[dict[str, Any]]:
        listed = api(web_url, tab, "GET", "/admin/notifications/suppressions?limit=100")["items"]
        return [i for i in listed if i["masked"] == masked]

    deadline = time.monotonic() + 60
    while not suppressed():
        assert time.monotonic() < deadline, "the bounce never reached the suppression list"
        page.wait_for_timeout(250)
    page.reload()  # the same page, now listing the address
    page.wait_for_selector("main[aria-busy=false] h1:text-is('Problemas de envío')")
    lift = page.get_by_role("button", name=f"Quitar {masked} de la lista")
    page.once("dialog", lambda d: d.accept())
    lift.click()
    page.wait_for_selector(f"text=Se quitó {masked} de la lista.")
    tab.wait_ready()
    assert page.get_by_role("button", name=f"Quitar {masked} de la lista").count() == 0
    assert suppressed() == []

    # a resolved request's reply proposed as a help article
    filed = http(
        web_url,
        "POST",
        "/tickets",
        {
            "type": "reclamo",
            "subtype": "servicio",
            "subject": "Luminaria apagada en Los Aromos",
            "description": "Hace una semana que la luminaria de Los Aromos está apagada.",
            "form": {"servicio": "alumbrado", "direccion": "Av. Los Aromos 123"},
            "requester": {
                "name": "María Pérez",
                "email": "maria.perez@example.cl",
                "channels": ["email"],
                "consent": True,
            },
        },
    )
    number = filed["number"]
    staff = api(web_url, tab, "GET", f"/agent/tickets/{number}")
    api(
        web_url,
        tab,
        "POST",
        f"/agent/tickets/{number}/status",
        {
            "status": "resolved",
            "version": staff["ticket"]["version"],
            "body": "Las luminarias se reparan en 5 días hábiles; puede seguir el avance con su número.",
        },
    )
    visit(tab, f"#/agente/solicitud/{number}", f"Solicitud {number}")
    page.get_by_role("button", name="Proponer artículo").click()
    page.get_by_label("Título del artículo *").fill("Cuánto tarda la reparación de una luminaria")
    tab.step("agente-proponer-articulo")
    page.get_by_role("button", name="Enviar al equipo editor").click()
    page.wait_for_selector("text=Se creó el borrador «Cuánto tarda la reparación de una luminaria».")

    admin = admin_signed_in(new_tab)
    # one audit record per change: goal created + edited; template saved (the API's and ours) + reset
    # goal created + edited + the concurrent edit (carla's refused save writes none)
    assert len(audit_records(admin, web_url, "goal", goal_id)) == 3
    removed = [r for r in audit_records(admin, web_url, "suppression", "") if r["action"] == "delete"]
    assert any(r["actor"] == "carla.supervisora" for r in removed), removed
    assert len(audit_records(admin, web_url, "notification-template", "ticket_reopened")) >= 3
    assert len(audit_records(admin, web_url, "dead-letters", "")) >= 1
