"""Editors' help centre (A1, A5): articles through their lifecycle with the index following the
stream, revisions, order, all-or-nothing imports, export, rebuild, and roles."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import Aws, post, table_items, ticket_body
from tests.integration.help_support import (
    Sync,
    article_body,
    demo_help,
    problem,
    search_slugs,
    send,
    sync,
    unique,
    unique_word,
)

FIXTURES = (demo_help, sync)  # pytest finds fixtures by name in this module

ADMIN = "/api/v1/admin/help"
NDJSON = {"Content-Type": "application/x-ndjson"}


def editor(aws: Aws) -> dict[str, str]:
    return aws.auth("diana.editora")


def create(api: Any, aws: Aws, slug: str, **overrides: Any) -> dict[str, Any]:
    response = send(api, "post", f"{ADMIN}/articles", article_body(slug, **overrides), editor(aws))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def test_lifecycle_draft_publish_edit_archive_and_the_index_follows(api: Any, aws: Aws, sync: Sync) -> None:
    slug = unique("chip-mascotas")
    word = "zorzalito"  # a word no demo article has
    created = create(api, aws, slug, body_md=f"Operativo de microchip {word} cada sábado.")
    assert (
        created["status"] == "draft" and created["revision"] == 1 and created["created_by"] == "diana.editora"
    )
    sync()
    assert slug not in search_slugs(api, word)
    assert problem(api.get(f"/api/v1/help/articles/{slug}"), 404)["code"] == "article_not_found"

    published = send(api, "post", f"{ADMIN}/articles/{slug}/publish", {"revision": 1}, editor(aws)).json_body
    assert published["status"] == "published" and published["revision"] == 2 and published["published_at"]
    sync()
    assert search_slugs(api, word)[0] == slug
    assert api.get(f"/api/v1/help/articles/{slug}").status_code == 200

    edit = {k: v for k, v in article_body(slug).items() if k not in ("slug", "lang")}
    edit.update(body_md="Ahora el operativo es los domingos: chincolito.", revision=2)
    edited = send(api, "put", f"{ADMIN}/articles/{slug}", edit, editor(aws)).json_body
    assert edited["revision"] == 3 and edited["status"] == "published"
    sync()
    assert search_slugs(api, "chincolito") == [slug]
    assert slug not in search_slugs(api, word)
    stale = send(api, "put", f"{ADMIN}/articles/{slug}", edit, editor(aws))
    assert problem(stale, 409)["code"] == "stale_revision"

    archived = send(api, "post", f"{ADMIN}/articles/{slug}/archive", {}, editor(aws)).json_body
    assert archived["status"] == "archived"
    sync()
    assert slug not in search_slugs(api, "chincolito")
    assert problem(api.get(f"/api/v1/help/articles/{slug}"), 404)
    again = send(api, "post", f"{ADMIN}/articles/{slug}/publish", {}, editor(aws))
    assert problem(again, 409)["code"] == "article_archived"

    history = api.get(f"{ADMIN}/articles/{slug}/revisions", headers=editor(aws)).json_body["items"]
    assert [r["action"] for r in history] == ["archived", "edited", "published", "created"]
    assert [r["revision"] for r in history] == [4, 3, 2, 1]
    assert all(r["by"] == "diana.editora" for r in history)
    assert history[1]["changed"] == ["body_md"] and "chincolito" in history[1]["snapshot"]["body_md"]
    assert history[0]["changed"] == ["status"]

    revived = send(api, "put", f"{ADMIN}/articles/{slug}", {**edit, "revision": 4}, editor(aws)).json_body
    assert revived["status"] == "draft" and revived["revision"] == 5


def test_publish_twice_writes_one_revision(api: Any, aws: Aws) -> None:
    slug = unique("dos-veces")
    create(api, aws, slug)
    for _ in range(2):
        assert (
            send(api, "post", f"{ADMIN}/articles/{slug}/publish", {}, editor(aws)).json_body["revision"] == 2
        )
    assert len(api.get(f"{ADMIN}/articles/{slug}/revisions", headers=editor(aws)).json_body["items"]) == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "Con Espacios"}, "slug"),
        ({"title": ""}, "title"),
        ({"body_md": "x" * 50_001}, "body_md"),
        ({"stage": "cosecha"}, "stage"),
        ({"section_titles": ["Solo uno"]}, "body"),
        ({"request_types": ["tramite/no-existe"]}, "request_types.0"),
        ({"lang": "fr"}, "lang"),
        ({"status": "published"}, "status"),
    ],
)
def test_invalid_articles_are_refused_and_nothing_is_written(
    api: Any, aws: Aws, overrides: dict[str, Any], field: str
) -> None:
    before = table_items(aws)
    body = {**article_body(unique("invalido")), **overrides}
    answer = problem(send(api, "post", f"{ADMIN}/articles", body, editor(aws)), 422)
    assert answer["errors"][0]["field"] == field, answer
    assert table_items(aws) == before


def test_duplicate_slug_and_unknown_articles(api: Any, aws: Aws) -> None:
    slug = unique("duplicado")
    create(api, aws, slug)
    again = send(api, "post", f"{ADMIN}/articles", article_body(slug), editor(aws))
    assert problem(again, 409)["code"] == "article_exists"
    assert create(api, aws, slug, lang="en")["lang"] == "en"  # same slug, other language
    for method, path, body in (
        ("get", f"{ADMIN}/articles/no-existe-nada", None),
        ("put", f"{ADMIN}/articles/no-existe-nada", {**article_body("x-y-z"), "revision": 1}),
        ("post", f"{ADMIN}/articles/no-existe-nada/publish", {}),
        ("get", f"{ADMIN}/articles/no-existe-nada/revisions", None),
    ):
        if body is None:
            answer = api.get(path, headers=editor(aws))
        else:
            body = {k: v for k, v in body.items() if k not in ("slug", "lang")}
            answer = send(api, method, path, body, editor(aws))
        assert problem(answer, 404)["code"] == "article_not_found", path


ROUTES = [
    ("get", f"{ADMIN}/articles"),
    ("post", f"{ADMIN}/articles"),
    ("get", f"{ADMIN}/articles/patente-comercial-requisitos"),
    ("put", f"{ADMIN}/articles/patente-comercial-requisitos"),
    ("post", f"{ADMIN}/articles/patente-comercial-requisitos/publish"),
    ("post", f"{ADMIN}/articles/patente-comercial-requisitos/archive"),
    ("get", f"{ADMIN}/articles/patente-comercial-requisitos/revisions"),
    ("post", f"{ADMIN}/reorder"),
    ("post", f"{ADMIN}/import"),
    ("get", f"{ADMIN}/export"),
    ("post", f"{ADMIN}/reindex"),
    ("get", f"{ADMIN}/stats"),
    ("get", f"{ADMIN}/content-gaps"),
    ("get", f"{ADMIN}/searches"),
    ("get", f"{ADMIN}/synonyms"),
    ("post", f"{ADMIN}/synonyms"),
    ("delete", f"{ADMIN}/synonyms/cachureos"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_only_editors_reach_the_editor_routes(api: Any, aws: Aws, method: str, path: str) -> None:
    before = table_items(aws)
    edit = {k: v for k, v in article_body("x-y-z").items() if k not in ("slug", "lang")}
    bodies = {
        f"{ADMIN}/articles": article_body(unique("prohibido")),
        f"{ADMIN}/articles/patente-comercial-requisitos": edit,
        f"{ADMIN}/reorder": {"section": "oirs", "slugs": ["horarios-y-oficinas-de-atencion"]},
        f"{ADMIN}/import": json.dumps(article_body(unique("prohibido"))),
        f"{ADMIN}/synonyms": {"term": "pilucho", "means": "sin ropa"},
    }
    body = bodies.get(path, {}) if method != "get" else ""
    if path.endswith("/articles") and method == "get":
        body = ""
    headers = NDJSON if path.endswith("/import") else {"Content-Type": "application/json"}
    raw: Any = body if isinstance(body, str) else json.dumps(body)
    raw = raw or None
    for who in ("ana.l1", "carla.supervisora"):
        answer = getattr(api, method)(path, body=raw, headers={**headers, **aws.auth(who)})
        assert problem(answer, 403)["code"] == "role_required", (who, path)
    assert problem(getattr(api, method)(path, body=raw, headers=headers), 401)["code"] == "token_missing"
    assert table_items(aws) == before


def test_reorder_sets_the_order_of_a_section(api: Any, aws: Aws) -> None:
    section = unique("seccion")
    slugs = [unique("orden") for _ in range(3)]
    for slug in slugs:
        create(api, aws, slug, section_path=[section], section_titles=["Orden"])
        send(api, "post", f"{ADMIN}/articles/{slug}/publish", {}, editor(aws))
    wanted = [slugs[2], slugs[0], slugs[1]]
    answer = send(api, "post", f"{ADMIN}/reorder", {"section": section, "slugs": wanted}, editor(aws))
    assert answer.status_code == 200, answer.body
    assert [r["position"] for r in answer.json_body["items"]] == [10, 20, 30]
    from ventanilla.storage import help_articles

    assert [s.article.slug for s in help_articles.in_section("es", section)] == wanted
    history = api.get(f"{ADMIN}/articles/{slugs[2]}/revisions", headers=editor(aws)).json_body["items"]
    assert history[0]["action"] == "reordered"
    before = table_items(aws)
    outsider = send(
        api,
        "post",
        f"{ADMIN}/reorder",
        {"section": section, "slugs": [slugs[0], "recuperar-contrasena"]},
        editor(aws),
    )
    assert problem(outsider, 422)["errors"][0]["field"] == "slugs.1"
    twice = send(
        api, "post", f"{ADMIN}/reorder", {"section": section, "slugs": [slugs[0], slugs[0]]}, editor(aws)
    )
    assert problem(twice, 422)["errors"][0]["field"] == "slugs.1"
    assert table_items(aws) == before


def _line(slug: str, **overrides: Any) -> str:
    data = {**article_body(slug), "status": "published", **overrides}
    return json.dumps(data, ensure_ascii=False)


def test_import_reports_every_bad_line_and_writes_nothing(api: Any, aws: Aws) -> None:
    good = unique("importado")
    lines = [
        _line(good),
        _line(unique("sin-titulo"), title=""),
        "{esto no es json",
        "",
        "[1, 2]",
        _line(good),
        _line(unique("tipo"), request_types=["tramite/no-existe"]),
    ]
    before = table_items(aws)
    answer = problem(
        api.post(f"{ADMIN}/import", body="\n".join(lines), headers={**NDJSON, **editor(aws)}), 422
    )
    fields = [e["field"] for e in answer["errors"]]
    assert fields == ["lines.2.title", "lines.3", "lines.5", "lines.6.slug"]
    assert "línea 1" in answer["errors"][3]["message"]
    assert table_items(aws) == before
    # the unknown request type is caught once the lines are otherwise valid
    only_type = "\n".join([lines[0], lines[6]])
    answer = problem(api.post(f"{ADMIN}/import", body=only_type, headers={**NDJSON, **editor(aws)}), 422)
    assert [e["field"] for e in answer["errors"]] == ["lines.2.request_types.0"]
    assert table_items(aws) == before


def test_import_creates_and_updates_and_the_articles_become_searchable(
    api: Any, aws: Aws, sync: Sync
) -> None:
    slugs = [unique("lote") for _ in range(3)]
    text = "\n".join(_line(s, body_md=f"Texto del lote golondrina {i}.") for i, s in enumerate(slugs))
    first = api.post(f"{ADMIN}/import", body=text, headers={**NDJSON, **editor(aws)})
    assert first.status_code == 201, first.body
    assert first.json_body == {"imported": 3, "created": 3, "updated": 0, "slugs": slugs}
    sync()
    assert set(search_slugs(api, "golondrina")) >= set(slugs)
    archived = _line(slugs[0], status="archived")
    second = api.post(f"{ADMIN}/import", body=archived, headers={**NDJSON, **editor(aws)}).json_body
    assert second["updated"] == 1 and second["created"] == 0
    sync()
    assert slugs[0] not in search_slugs(api, "golondrina")
    history = api.get(f"{ADMIN}/articles/{slugs[0]}/revisions", headers=editor(aws)).json_body["items"]
    assert [r["action"] for r in history] == ["imported", "imported"]


def test_bad_import_requests(api: Any, aws: Aws) -> None:
    wrong_type = api.post(
        f"{ADMIN}/import", body=_line("abc-def"), headers={"Content-Type": "application/json", **editor(aws)}
    )
    assert problem(wrong_type, 415)["code"] == "unsupported_import_type"
    empty = api.post(f"{ADMIN}/import", body="\n\n", headers={**NDJSON, **editor(aws)})
    assert problem(empty, 422)["code"] == "import_empty"
    huge = api.post(f"{ADMIN}/import", body="x" * 300_000, headers={**NDJSON, **editor(aws)})
    assert problem(huge, 413)["code"] == "payload_too_large"
    latin1 = api.post(f"{ADMIN}/import", body="ñ".encode("latin-1"), headers={**NDJSON, **editor(aws)})
    assert problem(latin1, 400)["code"] == "malformed_json"


def test_an_import_that_fails_half_way_is_put_back(
    api: Any, aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 articles take two transactions; when the second fails (as a throttled or cancelled
    transaction would), the first one's articles are restored: nothing of the import remains."""
    from ventanilla.services import help_content
    from ventanilla.storage import help_articles

    existing = unique("previo")
    create(api, aws, existing, title="Título original")
    slugs = [existing] + [unique("mitad") for _ in range(59)]
    text = "\n".join(_line(s, title=f"Importado {i}") for i, s in enumerate(slugs))
    real_write = help_articles.write
    calls = {"n": 0}

    def failing_write(items: list[dict[str, Any]], conflict: str = "stale_revision") -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            from ventanilla.errors import Conflict

            raise Conflict(conflict)
        real_write(items, conflict)

    before = table_items(aws)
    monkeypatch.setattr(help_content.store, "write", failing_write)
    answer = api.post(f"{ADMIN}/import", body=text, headers={**NDJSON, **editor(aws)})
    monkeypatch.undo()
    assert problem(answer, 409)["code"] == "stale_revision"
    assert calls["n"] == 2
    assert table_items(aws) == before
    restored = help_articles.get(existing, "es", consistent=True)
    assert restored is not None and restored.article.title == "Título original" and restored.revision == 1


def test_export_round_trips_through_the_import_format(api: Any, aws: Aws, demo_help: int) -> None:
    from ventanilla.help.articles import parse_jsonl

    answer = api.get(f"{ADMIN}/export?lang=es", headers=editor(aws))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/x-ndjson")
    report = parse_jsonl(answer.body.decode("utf-8").splitlines())
    assert report.ok, report.errors[:3]
    assert len(report.articles) >= demo_help and {a.lang for a in report.articles} == {"es"}
    assert problem(api.get(f"{ADMIN}/export?lang=fr", headers=editor(aws)), 400)["code"] == "unknown_lang"


def test_editor_list_pages_and_filters_by_status(api: Any, aws: Aws, demo_help: int) -> None:
    slug = unique("borrador-listado")
    create(api, aws, slug)
    drafts = api.get(f"{ADMIN}/articles?status=draft&limit=100", headers=editor(aws)).json_body["items"]
    assert slug in {r["slug"] for r in drafts} and all(r["status"] == "draft" for r in drafts)
    page = api.get(f"{ADMIN}/articles?limit=5", headers=editor(aws)).json_body
    assert len(page["items"]) == 5 and page["next_cursor"]
    following = api.get(
        f"{ADMIN}/articles?limit=5&cursor={page['next_cursor']}", headers=editor(aws)
    ).json_body
    assert not {r["slug"] for r in page["items"]} & {r["slug"] for r in following["items"]}
    assert problem(api.get(f"{ADMIN}/articles?status=viejo", headers=editor(aws)), 400)
    assert problem(api.get(f"{ADMIN}/articles?cursor=%%%", headers=editor(aws)), 400)


def test_rebuild_reindexes_everything_from_the_table(api: Any, aws: Aws, demo_help: int) -> None:
    from ventanilla.help.search.shared import shared_engine

    engine = shared_engine()
    engine.clear()
    assert search_slugs(api, "patente comercial") == []
    answer = send(api, "post", f"{ADMIN}/reindex", {}, editor(aws)).json_body
    assert answer["engine"] == "tantivy" and answer["indexed"] >= demo_help
    assert "patente-comercial-requisitos" in search_slugs(api, "patente comercial")


def test_editor_stats_show_views_and_helpful_percent(api: Any, aws: Aws, sync: Sync) -> None:
    slug = unique("estadistica")
    create(api, aws, slug)
    send(api, "post", f"{ADMIN}/articles/{slug}/publish", {}, editor(aws))
    for _ in range(3):
        api.get(f"/api/v1/help/articles/{slug}")
    for helpful in (True, True, True, False):
        post(api, f"/api/v1/help/articles/{slug}/feedback", {"helpful": helpful})
    rows = api.get(f"{ADMIN}/stats?limit=100", headers=editor(aws)).json_body["articles"]
    row = next(r for r in rows if r["slug"] == slug)
    assert (row["views"], row["helpful_yes"], row["helpful_no"], row["helpful_pct"]) == (3, 3, 1, 75.0)


# ---- A5: a reply of a resolved request becomes a draft -----------------------------------------------


def _resolved_ticket_with_reply(api: Any, aws: Aws) -> tuple[str, str]:
    created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={})).json_body
    number = created["number"]
    ana = aws.auth("ana.l1")
    reply = (
        "Estimada María Pérez: el certificado de residencia se pide en línea con ClaveÚnica y llega "
        "al correo maria.perez@example.cl en 2 días hábiles. Si no llega, llame al +56 9 8765 4321."
    )
    staff = post(api, f"/api/v1/agent/tickets/{number}/reply", {"body": reply}, ana).json_body
    event_id = next(e["event_id"] for e in staff["history"] if e["action"] == "message")
    return number, event_id


def test_agent_turns_a_resolved_reply_into_a_draft_article(api: Any, aws: Aws, sync: Sync) -> None:
    number, event_id = _resolved_ticket_with_reply(api, aws)
    ana = aws.auth("ana.l1")
    body = {
        "event_id": event_id,
        "title": "Plazo del certificado de residencia en línea",
        "tags": ["residencia"],
    }
    early = post(api, f"/api/v1/agent/tickets/{number}/help-draft", body, ana)
    assert problem(early, 409)["code"] == "ticket_not_resolved"
    resolved = post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "resolved"}, ana)
    assert resolved.status_code == 200, resolved.body
    before = table_items(aws)
    draft = post(api, f"/api/v1/agent/tickets/{number}/help-draft", body, ana)
    assert draft.status_code == 201, draft.body
    article = draft.json_body
    assert article["status"] == "draft" and article["request_types"] == ["consulta/general"]
    assert article["slug"] == "plazo-del-certificado-de-residencia-en-linea"
    assert "ClaveÚnica" in article["body_md"]
    for personal in ("María Pérez", "maria.perez", "8765"):
        assert personal not in article["body_md"] and personal not in article["summary"]
    assert table_items(aws) == before + 3  # the article, its first revision and the audit record
    history = api.get(f"{ADMIN}/articles/{article['slug']}/revisions", headers=editor(aws)).json_body["items"]
    assert history[0]["action"] == "drafted" and number in history[0]["note"] and history[0]["by"] == "ana.l1"
    sync()
    assert article["slug"] not in search_slugs(api, "certificado residencia plazo")  # a draft, not published
    assert (
        problem(post(api, f"/api/v1/agent/tickets/{number}/help-draft", body, ana), 409)["code"]
        == "article_exists"
    )


def test_bad_drafts_from_replies(api: Any, aws: Aws) -> None:
    number, _ = _resolved_ticket_with_reply(api, aws)
    ana = aws.auth("ana.l1")
    post(api, f"/api/v1/agent/tickets/{number}/status", {"status": "resolved"}, ana)
    unknown = {"event_id": "nohayevento", "title": "Un título suficiente"}
    assert (
        problem(post(api, f"/api/v1/agent/tickets/{number}/help-draft", unknown, ana), 404)["code"]
        == "reply_not_found"
    )
    short = problem(
        post(api, f"/api/v1/agent/tickets/{number}/help-draft", {"event_id": "abcd", "title": "x"}, ana), 422
    )
    assert short["errors"][0]["field"] == "title"
    editor_only = post(api, f"/api/v1/agent/tickets/{number}/help-draft", unknown, editor(aws))
    assert problem(editor_only, 403)["code"] == "role_required"
    assert problem(post(api, "/api/v1/agent/tickets/2026-999999/help-draft", unknown, ana), 404)


def test_a_draft_keeps_no_name_greeting_or_contact_and_labels_each_kind(api: Any, aws: Aws) -> None:
    requester = {
        "name": "María José Pérez Núñez",
        "email": "mjose.perez@example.cl",
        "phone": "+56 9 8765 4321",
    }
    body = ticket_body(type="consulta", subtype="general", form={}, requester=requester)
    number = post(api, "/api/v1/tickets", body).json_body["number"]
    ana, bruno, carla = aws.auth("ana.l1"), aws.auth("bruno.l2"), aws.auth("carla.supervisora")
    staff = f"/api/v1/agent/tickets/{number}"
    assert post(api, f"{staff}/assign", {"assignee": aws.logins["ana.l1"].sub}, carla).status_code == 200
    assert post(api, f"{staff}/note", {"body": "Revisado por mí"}, bruno).status_code == 200
    reply = (
        "Hola María, gracias por escribirnos.\n\n"
        "El certificado de residencia se pide en línea con ClaveÚnica. Le escribimos a mjose.perez@example.cl "
        "y al +56 9 8765 4321; tenga a mano su RUT 12.345.678-5 o su cédula 1.023.456.789. "
        "Bruno revisó que la Sra. Pérez Núñez cumple los requisitos.\n\nSaludos, Ana Rojas"
    )
    answer = post(api, f"{staff}/reply", {"body": reply}, ana).json_body
    event_id = next(e["event_id"] for e in answer["history"] if e["action"] == "message")
    resolution = "Estimada María José: su certificado quedó emitido; descárguelo con ClaveÚnica. Atte., Ana"
    resolved = post(api, f"{staff}/status", {"status": "resolved", "body": resolution}, ana)
    assert resolved.status_code == 200, resolved.body
    resolved_id = next(
        e["event_id"] for e in resolved.json_body["history"] if e["action"] == "status_changed" and e["body"]
    )
    personal = (
        "María",
        "Maria",
        "José",
        "Pérez",
        "Núñez",
        "Ana",
        "Rojas",
        "Bruno",
        "mjose",
        "8765",
        "12.345",
    )
    drafted = post(
        api, f"{staff}/help-draft", {"event_id": event_id, "title": "Certificado con ClaveÚnica"}, ana
    )
    assert drafted.status_code == 201, drafted.body
    text = drafted.json_body["body_md"]
    for value in (*personal, "1.023.456.789", "Hola"):
        assert value not in text and value not in drafted.json_body["summary"], (value, text)
    assert text.startswith("Gracias por escribirnos."), text
    assert "ClaveÚnica" in text and "certificado de residencia" in text
    assert "Le escribimos a [correo] y al [teléfono]" in text
    assert "su RUT [documento] o su cédula [documento]" in text
    assert "[nombre] revisó que la Sra. [nombre] cumple" in text
    from_resolution = post(
        api, f"{staff}/help-draft", {"event_id": resolved_id, "title": "Certificado emitido en línea"}, ana
    )
    assert from_resolution.status_code == 201, from_resolution.body
    text = from_resolution.json_body["body_md"]
    assert text.startswith("Su certificado quedó emitido; descárguelo con ClaveÚnica."), text
    for value in personal:
        assert value not in text, (value, text)


def test_search_terms_expand_searches_below_the_literal_and_are_checked(
    api: Any, aws: Aws, sync: Sync, demo_help: int
) -> None:
    """An editor maps a local word to the articles' word; searches use it at once; bad input is a
    422 naming the field with nothing written; deleting it stops the expansion."""
    term = unique("chuchoca")  # a word no article uses
    assert search_slugs(api, term) == []
    body = {"term": term, "means": "certificado de residencia", "countries": ["CL"], "note": "uso local"}
    created = send(api, "post", f"{ADMIN}/synonyms", body, editor(aws))
    assert created.status_code == 201, created.body
    assert created.json_body["id"] == term and created.json_body["updated_by"] == "diana.editora"
    listed = api.get(f"{ADMIN}/synonyms", headers=editor(aws)).json_body
    assert term in {t["id"] for t in listed["items"]} and listed["lexicon_entries"] >= 500
    found = api.get("/api/v1/help/search?" + urlencode({"q": term})).json_body
    assert found["hits"] and found["hits"][0]["slug"] == "certificado-de-residencia", (term, found)
    assert found["confident"] is True

    before = table_items(aws)
    for bad, field in (
        ({"term": "¿?", "means": "algo"}, "term"),
        ({"term": "casa", "means": "CASA"}, "means"),
        ({"term": "casa", "means": "hogar", "countries": ["ES"]}, "countries.0"),
        ({"term": "x" * 61, "means": "hogar"}, "term"),
        ({"means": "hogar"}, "term"),
    ):
        answer = problem(send(api, "post", f"{ADMIN}/synonyms", bad, editor(aws)), 422)
        assert field in {e["field"] for e in answer["errors"]}, (bad, answer)
    assert table_items(aws) == before

    gone = api.delete(f"{ADMIN}/synonyms/{term}", headers=editor(aws))
    assert gone.status_code == 204
    assert (
        problem(api.delete(f"{ADMIN}/synonyms/{term}", headers=editor(aws)), 404)["code"] == "term_not_found"
    )
    assert search_slugs(api, term) == []


def test_content_gaps_count_unsure_searches_and_propose_term_candidates(
    api: Any, aws: Aws, demo_help: int
) -> None:
    word = unique_word("pasaportito")
    unsure = f"{word} renovar"  # renewing is in the help, this word is not: not a confident answer
    for _ in range(3):  # asked three times: among the most asked of the suite's shared stack
        answer = api.get("/api/v1/help/search?" + urlencode({"q": unsure})).json_body
        assert answer["total"] > 0 and answer["confident"] is False
    gaps = api.get(f"{ADMIN}/content-gaps?limit=500", headers=editor(aws)).json_body
    row = {g["query"]: g for g in gaps["items"]}[unsure]
    assert row["unsure"] == 3 and row["count"] == 0 and row["candidates"] == [word]
    assert word in gaps["term_candidates"]


def test_content_gaps_rank_the_most_asked_whatever_their_number(api: Any, aws: Aws) -> None:
    """The page used to read the first 500 queries in alphabetical order and rank only those: a
    frequent gap that sorted late was missing. Now the most asked are read first (GSI5)."""
    from datetime import UTC, datetime

    from ventanilla.storage import help_usage

    tag = unique("g").replace("-", "")
    now = datetime.now(UTC)
    for i in range(520):  # 520 rare gaps that sort before the frequent one
        help_usage.log_search(f"{tag}{i}", now, f"aaa {tag} {i:03d}", "en", None, 0)
    frequent = f"zzz {tag}"
    for i in range(7):
        help_usage.log_search(f"{tag}z{i}", now, frequent, "en", None, 0)
    items = api.get(f"{ADMIN}/content-gaps?lang=en&limit=20", headers=editor(aws)).json_body["items"]
    assert len(items) == 20
    asked = [g["count"] + g["unsure"] for g in items]
    assert asked == sorted(asked, reverse=True)
    assert {g["query"]: g["count"] for g in items}[frequent] == 7
    everything = api.get(f"{ADMIN}/content-gaps?lang=en&limit=500", headers=editor(aws)).json_body
    assert len(everything["items"]) == 500


def test_preview_renders_like_the_portal_and_stores_nothing(api: Any, aws: Aws) -> None:
    """The editor's live preview: the portal's Markdown and sanitiser, no article, no audit record."""
    body = {"body_md": "# Horario\n\n**Lunes** <script>alert(1)</script> [x](javascript:alert(1))"}
    before = table_items(aws)
    answer = send(api, "post", f"{ADMIN}/preview", body, editor(aws))
    assert answer.status_code == 200, answer.body
    html = answer.json_body["html"]
    assert "<h1>Horario</h1>" in html and "<strong>Lunes</strong>" in html
    assert "<script" not in html and "alert(1)<" not in html and 'href="javascript' not in html
    assert table_items(aws) == before
    too_long = send(api, "post", f"{ADMIN}/preview", {"body_md": "x" * 50_001}, editor(aws))
    assert problem(too_long, 422)["errors"][0]["field"] == "body_md"
    agent = send(api, "post", f"{ADMIN}/preview", body, aws.auth("ana.l1"))
    assert agent.status_code == 403
