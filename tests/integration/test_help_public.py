"""The help centre as citizens use it (A1-A4): search, sections, stages, articles, feedback,
suggestions before the contact form, deflections, and the articles seen shown to the agent."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import boto3
import pytest

from tests.conftest import Aws, post, ticket_body
from tests.integration.help_support import (
    DEMO_SLUG,
    SearchRanking,
    demo_help,
    problem,
    search_slugs,
    sync,
)

FIXTURES = (demo_help, sync)  # pytest finds fixtures by name in this module

pytestmark = pytest.mark.usefixtures("demo_help")


def search(api: Any, **params: str) -> Any:
    return api.get("/api/v1/help/search?" + urlencode(params))


def test_search_tolerates_typos_accents_and_case_and_groups_by_section(api: Any) -> None:
    for q in ("lisencia de conducir", "LICÉNCIA DE CONDUCIR", "licencia conducir"):
        body = search(api, q=q).json_body
        assert body["hits"][0]["section_path"][-1] == "licencias-de-conducir", q
        assert body["total"] == sum(g["count"] for g in body["groups"])
        assert body["groups"][0]["slug"] == "transito-y-transporte"
        assert len(body["search_id"]) == 16
    marked = search(api, q="licencia de conducir").json_body["hits"][0]["snippet"]
    assert "<mark>" in marked and "<script" not in marked
    assert "patente-comercial-requisitos" in search_slugs(api, "requisitos patente negocio")
    assert search(api, q="contrasena").json_body["hits"][0]["section_path"][0] == "mi-cuenta"


def test_search_drills_down_into_a_section_and_its_subsections(api: Any) -> None:
    body = search(api, q="certificado", section="construccion-y-obras").json_body
    assert body["hits"] and all(h["section_path"][0] == "construccion-y-obras" for h in body["hits"])
    assert {g["path"][0] for g in body["groups"]} == {"construccion-y-obras"}
    assert all(len(g["path"]) == 2 for g in body["groups"])


@pytest.mark.parametrize(
    "q",
    [
        "x" * 2000,
        "😀🙈🔥",
        'title:* AND (licencia OR "patente") NOT ~2 ^3 [a TO z] {x} \\ / ? * && || !',
        "' OR 1=1; DROP TABLE articulos; --",
        "<script>alert(1)</script> licencia",
        "\u0000\u200b\ufeff licencia \u202e",
        "???",
        "a " * 600,
    ],
)
def test_any_query_answers_200(api: Any, q: str) -> None:
    response = search(api, q=q)
    assert response.status_code == 200, response.body
    assert isinstance(response.json_body["hits"], list)
    for hit in response.json_body["hits"]:
        assert "<script" not in hit["snippet"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "query_required"),
        ({"q": ""}, "query_required"),
        ({"q": "   "}, "query_required"),
        ({"q": "licencia", "lang": "fr"}, "unknown_lang"),
        ({"q": "licencia", "stage": "cosecha"}, "unknown_stage"),
        ({"q": "licencia", "limit": "0"}, "invalid_query"),
        ({"q": "licencia", "limit": "muchos"}, "invalid_query"),
    ],
)
def test_bad_search_parameters_are_a_clear_400(api: Any, params: dict[str, str], code: str) -> None:
    assert problem(search(api, **params), 400)["code"] == code


def test_odd_filters_and_suggest_texts_answer_200(api: Any) -> None:
    for section in ("😀/../*", "a" * 500, "transito-y-transporte OR 1=1"):
        answer = search(api, q="licencia", section=section)
        assert answer.status_code == 200 and answer.json_body["total"] == 0
    for text in ("😀" * 500, "x" * 2000, 'AND OR NOT "(" [a TO z]'):
        params = urlencode({"type": "tramite", "subtype": "licencia-conducir", "text": text})
        assert api.get(f"/api/v1/help/suggest?{params}").status_code == 200


def test_empty_query_with_a_stage_browses_it(api: Any) -> None:
    body = search(api, q="", stage="pago", limit="50").json_body
    assert body["total"] >= 5 and all(h["stage"] == "pago" for h in body["hits"])


def test_sections_tree_with_counts_and_drill_down(api: Any, demo_help: int) -> None:
    body = api.get("/api/v1/help/sections").json_body
    assert body["total"] >= demo_help
    tops = {n["slug"]: n for n in body["sections"]}
    assert len(tops) >= 9
    for node in body["sections"]:
        assert node["count"] >= sum(c["count"] for c in node["children"])
        assert all(c["path"][:-1] == node["path"] for c in node["children"])
    transito = tops["transito-y-transporte"]
    assert {c["slug"] for c in transito["children"]} >= {"licencias-de-conducir", "permiso-de-circulacion"}
    drill = api.get("/api/v1/help/sections?section=licencias-de-conducir").json_body
    assert drill["section"]["path"] == ["transito-y-transporte", "licencias-de-conducir"]
    assert len(drill["articles"]) == drill["section"]["count"]
    assert all(a["section_path"][-1] == "licencias-de-conducir" for a in drill["articles"])
    assert problem(api.get("/api/v1/help/sections?section=no-existe"), 404)["code"] == "section_not_found"
    english = api.get("/api/v1/help/sections?lang=en").json_body
    assert 0 < english["total"] < body["total"]


def test_stages_menu_covers_every_stage(api: Any) -> None:
    stages = api.get("/api/v1/help/stages").json_body["stages"]
    assert [s["stage"] for s in stages] == [
        "informacion",
        "registro",
        "evaluacion",
        "pago",
        "entrega",
        "seguimiento",
    ]
    assert all(s["count"] > 0 and s["articles"] for s in stages)
    assert stages[3]["label"] == "Pago"
    assert all(a["stage"] == s["stage"] for s in stages for a in s["articles"])
    assert api.get("/api/v1/help/stages?lang=en").json_body["stages"][3]["label"] == "Payment"


def test_article_counts_views_and_links_its_translation(api: Any) -> None:
    first = api.get(f"/api/v1/help/articles/{DEMO_SLUG}").json_body
    second = api.get(f"/api/v1/help/articles/{DEMO_SLUG}").json_body
    assert second["views"] == first["views"] + 1
    assert second["translations"] == {"en": "business-licence-requirements"}
    assert "<h2>" in second["html"] and "<script" not in second["html"]
    english = api.get("/api/v1/help/articles/business-licence-requirements?lang=en").json_body
    assert english["translations"] == {"es": DEMO_SLUG}


@pytest.mark.parametrize("slug", ["no-existe-este-articulo", "..%2F..%2Fetc", "A" * 300, "ñandú"])
def test_unknown_article_is_404(api: Any, slug: str) -> None:
    assert problem(api.get(f"/api/v1/help/articles/{quote(slug)}"), 404)["code"] == "article_not_found"


def test_feedback_counts_votes_and_keeps_no_personal_data(api: Any, aws: Aws) -> None:
    path = f"/api/v1/help/articles/{DEMO_SLUG}/feedback"
    yes = post(api, path, {"helpful": True})
    assert yes.status_code == 201
    comment = "No me sirvió, escríbanme a juan.perez@example.cl o al +56 9 8765 4321, RUT 12.345.678-5"
    no = post(api, path, {"helpful": False, "comment": comment}).json_body
    assert no["helpful_yes"] == yes.json_body["helpful_yes"] and no["helpful_no"] >= 1
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    from boto3.dynamodb.conditions import Key

    items = table.query(
        KeyConditionExpression=Key("PK").eq(f"ARTICLE#es#{DEMO_SLUG}") & Key("SK").begins_with("FEEDBACK#")
    )["Items"]
    stored = " ".join(str(i["comment"]) for i in items)
    assert "No me sirvió" in stored
    assert "juan.perez" not in stored and "8765" not in stored and "12.345.678" not in stored
    article = api.get(f"/api/v1/help/articles/{DEMO_SLUG}").json_body
    assert article["helpful_pct"] is not None and 0 < article["helpful_pct"] < 100


def test_a_vote_and_its_later_comment_count_once(api: Any, aws: Aws) -> None:
    """The portal sends the vote, then the comment with the same vote_id (or retries it)."""
    path = f"/api/v1/help/articles/{DEMO_SLUG}/feedback"
    editor = aws.auth("diana.editora")

    def votes() -> tuple[int, int]:
        rows = api.get("/api/v1/admin/help/stats?lang=es&limit=100", headers=editor).json_body["articles"]
        row = next(r for r in rows if r["slug"] == DEMO_SLUG)
        return row["helpful_yes"], row["helpful_no"]

    yes, no = votes()
    first = post(api, path, {"helpful": False, "vote_id": "voto-0001-abcd"})
    assert first.status_code == 201 and first.json_body["helpful_no"] == no + 1
    commented = post(api, path, {"helpful": False, "vote_id": "voto-0001-abcd", "comment": "Falta el monto."})
    assert commented.status_code == 201 and commented.json_body["helpful_no"] == no + 1
    assert post(api, path, {"helpful": False, "vote_id": "voto-0001-abcd"}).json_body["helpful_no"] == no + 1
    assert votes() == (yes, no + 1)
    other = post(api, path, {"helpful": True, "vote_id": "voto-0002-abcd"})  # another visitor
    assert other.json_body["helpful_yes"] == yes + 1 and votes() == (yes + 1, no + 1)
    assert post(api, path, {"helpful": True}).json_body["helpful_yes"] == yes + 2  # no id: each counts
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    from boto3.dynamodb.conditions import Key

    comments = table.query(
        KeyConditionExpression=Key("PK").eq(f"ARTICLE#es#{DEMO_SLUG}") & Key("SK").begins_with("FEEDBACK#")
    )["Items"]
    assert sum(c["comment"] == "Falta el monto." for c in comments) == 1
    bad = problem(post(api, path, {"helpful": True, "vote_id": "x y"}), 422)
    assert bad["errors"][0]["field"] == "vote_id"


def test_bad_feedback_is_refused(api: Any) -> None:
    path = f"/api/v1/help/articles/{DEMO_SLUG}/feedback"
    assert problem(post(api, path, {}), 422)["errors"][0]["field"] == "helpful"
    assert problem(post(api, path, {"helpful": "quizás"}), 422)["errors"][0]["field"] == "helpful"
    too_long = problem(post(api, path, {"helpful": True, "comment": "x" * 1001}), 422)
    assert too_long["errors"][0]["field"] == "comment"
    assert problem(post(api, path, "{no es json"), 400)["code"] == "malformed_json"
    wrong_type = api.post(path, body="helpful=1", headers={"Content-Type": "text/plain"})
    assert problem(wrong_type, 415)["code"] == "unsupported_media_type"
    unknown = post(api, "/api/v1/help/articles/no-existe-este-articulo/feedback", {"helpful": True})
    assert problem(unknown, 404)["code"] == "article_not_found"


def test_zero_result_searches_become_content_gaps_without_personal_data(api: Any, aws: Aws) -> None:
    editor = aws.auth("diana.editora")
    assert search(api, q="Pterodáctilos trompetistas").json_body["total"] == 0
    assert search(api, q="pterodactilos  TROMPETISTAS").json_body["total"] == 0
    assert search(api, q="kayak juan.perez@example.cl 987654321").json_body["total"] == 0
    gaps = api.get("/api/v1/admin/help/content-gaps", headers=editor).json_body["items"]
    by_query = {g["query"]: g["count"] for g in gaps}
    assert by_query["pterodactilos trompetistas"] >= 2
    assert "kayak [correo] [numero]" in by_query
    assert not any("juan" in q or "987654321" in q for q in by_query)
    assert problem(api.get("/api/v1/admin/help/content-gaps", headers=aws.auth("ana.l1")), 403)


def test_search_log_records_result_counts_and_clicks(api: Any, aws: Aws) -> None:
    found = search(api, q="renovar licencia de conducir").json_body
    opened = found["hits"][0]["slug"]
    article = api.get(f"/api/v1/help/articles/{opened}?search_id={found['search_id']}")
    assert article.status_code == 200
    log = api.get("/api/v1/admin/help/searches", headers=aws.auth("diana.editora")).json_body["items"]
    entry = next(e for e in log if e["id"] == found["search_id"])
    assert entry["query"] == "renovar licencia de conducir"
    assert entry["results"] == found["total"] and entry["clicked"] == [opened]
    bad_day = api.get("/api/v1/admin/help/searches?day=ayer", headers=aws.auth("diana.editora"))
    assert problem(bad_day, 400)["code"] == "invalid_query"


def test_suggest_shows_the_subtype_articles_then_text_matches(api: Any) -> None:
    params = urlencode({"type": "tramite", "subtype": "licencia-conducir", "text": "examen practico"})
    body = api.get(f"/api/v1/help/suggest?{params}").json_body
    linked = {a["slug"] for a in body["linked"]}
    assert len(linked) >= 3
    assert all(a["section_path"][-1] == "licencias-de-conducir" for a in body["linked"])
    assert not linked & {m["slug"] for m in body["matches"]}
    only_linked = api.get("/api/v1/help/suggest?type=cuenta&subtype=acceso-portal").json_body
    assert only_linked["linked"] and only_linked["matches"] == []


def test_suggest_orders_the_subtype_articles_by_the_text_then_by_stage(api: Any) -> None:
    """The portal shows the first five: the order must not be the index's internal one (which
    changes when an article is indexed again), but the citizen's words, then the process's stages."""
    stages = ["informacion", "registro", "evaluacion", "pago", "entrega", "seguimiento"]
    plain = api.get("/api/v1/help/suggest?type=tramite&subtype=patente-comercial").json_body["linked"]
    assert len(plain) >= 6
    ranks = [stages.index(a["stage"]) for a in plain]
    assert ranks == sorted(ranks), [a["slug"] for a in plain]
    slugs = [a["slug"] for a in plain]
    first_later_stage = next(i for i, a in enumerate(plain) if a["stage"] != "informacion")
    assert slugs.index(DEMO_SLUG) < first_later_stage  # information first: the requirements
    params = urlencode({"type": "tramite", "subtype": "patente-comercial", "text": "cuánto cuesta pagar"})
    by_text = api.get(f"/api/v1/help/suggest?{params}").json_body["linked"]
    assert by_text[0]["slug"] == "patente-comercial-valor-y-pago"
    assert {a["slug"] for a in by_text} == {a["slug"] for a in plain}


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("type=tramite", 400, None),
        ("type=tramite&subtype=no-existe", 422, "subtype"),
        ("type=no-existe&subtype=general", 422, "type"),
        ("type=tramite&subtype=licencia-conducir&limit=99", 400, None),
    ],
)
def test_bad_suggest_parameters(api: Any, query: str, status: int, field: str | None) -> None:
    body = problem(api.get(f"/api/v1/help/suggest?{query}"), status)
    if field:
        assert body["errors"][0]["field"] == field


def test_deflections_are_counted_per_subtype_for_editors(api: Any, aws: Aws) -> None:
    editor = aws.auth("diana.editora")

    def totals() -> dict[str, Any]:
        rows = api.get("/api/v1/admin/help/stats", headers=editor).json_body["subtypes"]
        return next(r for r in rows if (r["type"], r["subtype"]) == ("cuenta", "acceso-portal"))

    before = totals()
    shown = ["recuperar-contrasena", "crear-cuenta-en-el-portal"]
    for outcome in ("resolved", "resolved", "contact"):
        answer = post(
            api,
            "/api/v1/help/deflections",
            {
                "type": "cuenta",
                "subtype": "acceso-portal",
                "shown": shown,
                "opened": ["recuperar-contrasena"],
                "outcome": outcome,
            },
        )
        assert answer.status_code == 201
        assert answer.json_body["seen_articles"] == ["recuperar-contrasena", "crear-cuenta-en-el-portal"]
    after = totals()
    assert after["attempts"] == before["attempts"] + 3
    assert after["deflected"] == before["deflected"] + 2
    assert after["deflected_pct"] == round(100 * after["deflected"] / after["attempts"], 1)

    # slugs of no article (well formed, but invented) are left out; the attempt still counts
    answer = post(
        api,
        "/api/v1/help/deflections",
        {
            "type": "cuenta",
            "subtype": "acceso-portal",
            "shown": ["no-existe-este-articulo", "recuperar-contrasena"],
            "opened": ["tampoco-existe"],
            "outcome": "contact",
        },
    )
    assert answer.status_code == 201
    assert answer.json_body["seen_articles"] == ["recuperar-contrasena"]
    assert totals()["attempts"] == after["attempts"] + 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "cuenta", "subtype": "acceso-portal", "outcome": "tal vez"}, "outcome"),
        ({"type": "cuenta", "subtype": "no-existe", "outcome": "contact"}, "subtype"),
        ({"type": "cuenta", "subtype": "acceso-portal", "outcome": "contact", "shown": ["../x"]}, "shown.0"),
        (
            {"type": "cuenta", "subtype": "acceso-portal", "outcome": "contact", "shown": ["a-b-c"] * 21},
            "shown",
        ),
        ({"type": "cuenta", "subtype": "acceso-portal", "outcome": "contact", "email": "x@y.cl"}, "email"),
    ],
)
def test_bad_deflections_are_refused(api: Any, aws: Aws, body: dict[str, Any], field: str) -> None:
    from tests.conftest import table_items

    before = table_items(aws)
    assert problem(post(api, "/api/v1/help/deflections", body), 422)["errors"][0]["field"] == field
    assert table_items(aws) == before


def test_a_ticket_filed_after_suggestions_shows_the_agent_what_was_read(api: Any, aws: Aws) -> None:
    seen = post(
        api,
        "/api/v1/help/deflections",
        {
            "type": "consulta",
            "subtype": "general",
            "shown": ["horarios-y-oficinas-de-atencion", "no-existe-ya"],
            "opened": [],
            "outcome": "contact",
        },
    ).json_body["seen_articles"]
    assert seen == ["horarios-y-oficinas-de-atencion"]  # no article by that slug: left out
    seen = [*seen, "no-existe-ya"]  # as if an article read then were deleted before filing
    created = post(
        api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}, seen_articles=seen)
    )
    assert created.status_code == 201, created.body
    view = api.get(
        f"/api/v1/agent/tickets/{created.json_body['number']}", headers=aws.auth("ana.l1")
    ).json_body
    assert view["ticket"]["seen_articles"] == seen
    titles = {a["slug"]: a["title"] for a in view["seen_articles"]}
    assert titles["no-existe-ya"] is None
    assert titles["horarios-y-oficinas-de-atencion"]
    assert all(a["url"].endswith("/#/ayuda/" + a["slug"]) for a in view["seen_articles"])
    bad = post(
        api,
        "/api/v1/tickets",
        ticket_body(type="consulta", subtype="general", form={}, seen_articles=["<x>"]),
    )
    assert json.loads(bad.body)["errors"][0]["field"] == "seen_articles.0"


def test_help_usage_reaches_the_supervisors_dashboard(api: Any, aws: Aws) -> None:
    supervisor = aws.auth("carla.supervisora")

    def figures() -> dict[str, Any]:
        answer = api.get("/api/v1/stats/dashboard", headers=supervisor)
        assert answer.status_code == 200, answer.body
        return dict(answer.json_body["help"])

    before = figures()
    ranking = SearchRanking(aws)
    assert search(api, q="licencia de conducir").status_code == 200
    assert search(api, q="zzqxw qqvvkj").json_body["total"] == 0
    assert api.get(f"/api/v1/help/articles/{DEMO_SLUG}").status_code == 200
    assert post(api, f"/api/v1/help/articles/{DEMO_SLUG}/feedback", {"helpful": False}).status_code in (
        200,
        201,
    )
    deflected = {
        "type": "cuenta",
        "subtype": "acceso-portal",
        "shown": [],
        "opened": [],
        "outcome": "resolved",
    }
    assert post(api, "/api/v1/help/deflections", deflected).status_code == 201
    ranking.catch_up()  # the queries are ranked off the request path, from the search log
    after = figures()
    assert after["searches"] == before["searches"] + 2
    assert after["zero_result_searches"] == before["zero_result_searches"] + 1
    assert after["article_views"] == before["article_views"] + 1
    assert after["helpful_no"] == before["helpful_no"] + 1
    # the top list is cut at 10, most frequent first, then alphabetical: the once-searched query is
    # in it, or every entry before the cut outranks it (other tests of the stack searched too)
    tops = [(str(q), int(n)) for q, n in after["top_queries"]]
    if ("zzqxw qqvvkj", 1) not in tops:
        assert len(tops) == 10 and all((-n, q) < (-1, "zzqxw qqvvkj") for q, n in tops), tops
    assert "cuenta.acceso-portal" in after["deflection_pct_by_subtype"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("patnte", "patente"),
        ("renovar patnte", "renovar patente"),
        ("certificdo residencia", "certificado residencia"),
        ("como pedir el permizo de edificacion", "como pedir el permiso de edificacion"),
    ],
)
def test_did_you_mean_answers_for_a_word_alone_or_in_a_phrase(api: Any, q: str, expected: str) -> None:
    body = search(api, q=q).json_body
    assert body["did_you_mean"] == expected, body["did_you_mean"]
    assert search(api, q=expected).json_body["did_you_mean"] is None


def test_a_search_in_a_section_that_does_not_exist_is_empty_and_not_a_content_gap(api: Any, aws: Aws) -> None:
    words = "ornitorrinco saltarin"
    answer = search(api, q=words, section="seccion-que-no-existe")
    assert answer.status_code == 200
    assert (answer.json_body["total"], answer.json_body["hits"]) == (0, [])
    editor = aws.auth("diana.editora")
    gaps = api.get("/api/v1/admin/help/content-gaps", headers=editor).json_body["items"]
    assert words not in {g["query"] for g in gaps}
    assert search(api, q=words).json_body["total"] == 0  # the same words in the whole centre are a gap
    gaps = api.get("/api/v1/admin/help/content-gaps", headers=editor).json_body["items"]
    assert {g["query"]: g["count"] for g in gaps}[words] == 1
