"""The home's most consulted articles (GSI5 ranking by views, published only, the editors' first
articles while views are few) and an article's related ones (editors' picks checked on save,
then its section's neighbours)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from tests.conftest import Aws, table_items
from tests.integration.help_support import (
    DEMO_SLUG,
    article_body,
    demo_help,
    problem,
    send,
    sync,
    unique,
)

FIXTURES = (demo_help, sync)  # pytest finds fixtures by name in this module
pytestmark = pytest.mark.usefixtures("demo_help")

ADMIN = "/api/v1/admin/help"
NDJSON = {"Content-Type": "application/x-ndjson"}


def editor(aws: Aws) -> dict[str, str]:
    return aws.auth("diana.editora")


def publish(api: Any, aws: Aws, slug: str, **overrides: Any) -> None:
    created = send(api, "post", f"{ADMIN}/articles", article_body(slug, **overrides), editor(aws))
    assert created.status_code == 201, created.body
    answer = send(api, "post", f"{ADMIN}/articles/{slug}/publish", {}, editor(aws))
    assert answer.status_code == 200, answer.body


def popular(api: Any, **params: str) -> Any:
    return api.get(f"/api/v1/help/popular?{urlencode(params)}")


def view(api: Any, slug: str, times: int) -> None:
    for _ in range(times):
        assert api.get(f"/api/v1/help/articles/{slug}").status_code == 200


def stats_item(aws: Aws, slug: str, lang: str = "es") -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(aws.env["TABLE_NAME"])
    return dict(table.get_item(Key={"PK": f"ARTICLE#{lang}#{slug}", "SK": "STATS"}).get("Item") or {})


@pytest.fixture
def dynamodb_calls() -> Iterator[list[str]]:
    """The DynamoDB operations boto3 sends while the test runs (names only)."""
    from ventanilla.storage.table import client

    calls: list[str] = []
    events = client().meta.events

    def seen(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events.register("before-call.dynamodb", seen)
    yield calls
    events.unregister("before-call.dynamodb", seen)


# ---- most consulted ----------------------------------------------------------------------------


def test_most_viewed_published_articles_come_first_and_leave_when_archived(api: Any, aws: Aws) -> None:
    top, second = unique("muy-leido"), unique("bastante-leido")
    section = unique("seccion")
    for slug in (top, second):
        publish(api, aws, slug, section_path=[section], section_titles=["Populares"])
    ranked = popular(api, limit="20").json_body["articles"]
    most = max((a["views"] for a in ranked if a["reason"] == "views"), default=0)
    view(api, top, most + 3)
    view(api, second, most + 1)
    body = popular(api, limit="3").json_body
    assert body["lang"] == "es"
    assert [a["slug"] for a in body["articles"][:2]] == [top, second]
    first = body["articles"][0]
    assert first["views"] == most + 3 and first["reason"] == "views"
    assert first["title"] == article_body(top)["title"] and first["section_path"] == [section]
    assert len(body["articles"]) == 3
    views = [a["views"] for a in body["articles"] if a["reason"] == "views"]
    assert views == sorted(views, reverse=True)

    archived = send(api, "post", f"{ADMIN}/articles/{top}/archive", {}, editor(aws))
    assert archived.status_code == 200
    after = [a["slug"] for a in popular(api, limit="20").json_body["articles"]]
    assert top not in after and after[0] == second
    assert "GSI5PK" not in stats_item(aws, top)  # taken out of the ranking: the next reads skip it
    assert stats_item(aws, top)["views"] == most + 3  # the counter itself stays for the editors


def test_a_draft_is_never_listed_nor_counted(api: Any, aws: Aws) -> None:
    draft = unique("borrador-leido")
    assert send(api, "post", f"{ADMIN}/articles", article_body(draft), editor(aws)).status_code == 201
    assert problem(api.get(f"/api/v1/help/articles/{draft}"), 404)["code"] == "article_not_found"
    assert stats_item(aws, draft) == {}
    slugs = [a["slug"] for a in popular(api, limit="20").json_body["articles"]]
    assert draft not in slugs


def test_an_article_unpublished_by_import_leaves_the_list(api: Any, aws: Aws) -> None:
    slug = unique("importado-leido")
    publish(api, aws, slug)
    ranked = popular(api, limit="20").json_body["articles"]
    view(api, slug, max((a["views"] for a in ranked), default=0) + 2)
    assert popular(api, limit="1").json_body["articles"][0]["slug"] == slug
    line = json.dumps({**article_body(slug), "status": "draft"}, ensure_ascii=False)
    assert api.post(f"{ADMIN}/import", body=line, headers={**NDJSON, **editor(aws)}).status_code == 201
    assert slug not in [a["slug"] for a in popular(api, limit="20").json_body["articles"]]


def test_with_few_views_the_editors_first_articles_fill_the_list(api: Any) -> None:
    body = popular(api, lang="en", limit="20").json_body
    articles = body["articles"]
    reasons = [a["reason"] for a in articles]
    assert "featured" in reasons, "English has fewer viewed articles than 20"
    assert reasons == sorted(reasons, key=lambda r: r != "views"), "viewed ones first"
    slugs = [a["slug"] for a in articles]
    assert len(slugs) == len(set(slugs))
    featured = [a for a in articles if a["reason"] == "featured"]
    tops = [a["section_path"][0] for a in featured]
    assert len(tops) == len(set(tops)), "one per top section"
    assert all(a["lang"] == "en" and a["views"] == 0 for a in featured)
    published = {a["slug"] for a in articles}
    for slug in published:
        assert api.get(f"/api/v1/help/articles/{slug}?lang=en").status_code == 200


def test_popular_reads_a_bounded_number_of_items(api: Any, dynamodb_calls: list[str]) -> None:
    answer = popular(api, limit="6")
    assert answer.status_code == 200 and len(answer.json_body["articles"]) == 6
    assert "Scan" not in dynamodb_calls
    assert dynamodb_calls.count("Query") <= 1 + 6 + 5 and dynamodb_calls.count("BatchGetItem") <= 1
    assert answer.headers["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    ("params", "code", "named"),
    [
        ({"limit": "0"}, "invalid_query", "limit"),
        ({"limit": "21"}, "invalid_query", "limit"),
        ({"limit": "seis"}, "invalid_query", "limit"),
        ({"lang": "fr"}, "unknown_lang", None),
        ({"lang": "es'--"}, "unknown_lang", None),
    ],
)
def test_bad_popular_parameters_are_a_clear_400(
    api: Any, params: dict[str, str], code: str, named: str | None
) -> None:
    answer = problem(popular(api, **params), 400)
    assert answer["code"] == code
    if named:
        assert named in answer["detail"]
    english = problem(api.get("/api/v1/help/popular?lang=fr", headers={"Accept-Language": "en"}), 400)
    assert "use es or en" in english["detail"]


# ---- related --------------------------------------------------------------------------------------


def test_related_lists_the_editors_published_picks_then_the_section(api: Any, aws: Aws) -> None:
    section = unique("relacionados")
    where = {"section_path": [section], "section_titles": ["Relacionados"]}
    picked, neighbour, draft = unique("elegido"), unique("vecino"), unique("borrador")
    publish(
        api, aws, picked, title="Artículo elegido", section_path=["otra-seccion"], section_titles=["Otra"]
    )
    publish(api, aws, neighbour, title="Artículo vecino", **where)
    assert (
        send(api, "post", f"{ADMIN}/articles", article_body(draft, **where), editor(aws)).status_code == 201
    )
    main = unique("principal")
    publish(api, aws, main, related=[draft, picked], **where)
    saved = api.get(f"{ADMIN}/articles/{main}?lang=es", headers=editor(aws)).json_body
    assert saved["related"] == [draft, picked]

    related = api.get(f"/api/v1/help/articles/{main}").json_body["related"]
    assert related[0] == {
        "slug": picked,
        "title": "Artículo elegido",
        "summary": article_body(picked)["summary"],
        "chosen": True,
    }
    assert [r["slug"] for r in related] == [picked, neighbour]
    assert related[1]["chosen"] is False
    # The neighbour, with no picks of its own, lists its section (the main article) and not itself.
    assert [r["slug"] for r in api.get(f"/api/v1/help/articles/{neighbour}").json_body["related"]] == [main]


def test_related_of_a_demo_article_names_published_articles_only(api: Any) -> None:
    related = api.get(f"/api/v1/help/articles/{DEMO_SLUG}").json_body["related"]
    assert 1 <= len(related) <= 5 and DEMO_SLUG not in {r["slug"] for r in related}
    for r in related:
        assert api.get(f"/api/v1/help/articles/{r['slug']}").status_code == 200


@pytest.mark.parametrize(
    ("related", "field", "code"),
    [
        (["no-existe-este-articulo"], "related.0", "unknown_related"),
        ([DEMO_SLUG, "business-licence-requirements"], "related.1", "unknown_related"),  # English slug
        (["SELF"], "related.0", "related_self"),
        (["a-b-c", "d-e-f", "g-h-i", "j-k-l", "m-n-o", "p-q-r"], "related", "too_long"),
        (["../etc"], "related.0", "string_pattern_mismatch"),
        ("patente", "related", "list_type"),
    ],
)
def test_bad_related_slugs_are_refused_and_nothing_is_written(
    api: Any, aws: Aws, related: Any, field: str, code: str
) -> None:
    slug = unique("con-relacionados")
    chosen = [slug if r == "SELF" else r for r in related] if isinstance(related, list) else related
    before = table_items(aws)
    answer = problem(
        send(api, "post", f"{ADMIN}/articles", article_body(slug, related=chosen), editor(aws)), 422
    )
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [(field, code)], answer
    assert table_items(aws) == before


def test_related_is_checked_on_edit_and_import(api: Any, aws: Aws) -> None:
    slug = unique("editado")
    publish(api, aws, slug)
    edit = {k: v for k, v in article_body(slug).items() if k not in ("slug", "lang")}
    bad = send(
        api, "put", f"{ADMIN}/articles/{slug}", {**edit, "related": [DEMO_SLUG, "no-hay"]}, editor(aws)
    )
    answer = problem(bad, 422)
    assert [e["field"] for e in answer["errors"]] == ["related.1"]
    assert "no-hay" in answer["errors"][0]["message"]
    good = send(api, "put", f"{ADMIN}/articles/{slug}", {**edit, "related": [DEMO_SLUG]}, editor(aws))
    assert good.json_body["related"] == [DEMO_SLUG]
    history = api.get(f"{ADMIN}/articles/{slug}/revisions", headers=editor(aws)).json_body["items"]
    assert history[0]["changed"] == ["related"]

    first, second = unique("lote-a"), unique("lote-b")
    lines = [
        json.dumps({**article_body(first), "status": "published", "related": [second]}),
        json.dumps({**article_body(second), "status": "published", "related": ["tampoco-existe"]}),
    ]
    before = table_items(aws)
    refused = problem(
        api.post(f"{ADMIN}/import", body="\n".join(lines), headers={**NDJSON, **editor(aws)}), 422
    )
    assert [e["field"] for e in refused["errors"]] == ["lines.2.related.0"]
    assert table_items(aws) == before
    lines[1] = json.dumps({**article_body(second), "status": "published", "related": [first, DEMO_SLUG]})
    ok = api.post(f"{ADMIN}/import", body="\n".join(lines), headers={**NDJSON, **editor(aws)})
    assert ok.status_code == 201, ok.body
    assert [r["slug"] for r in api.get(f"/api/v1/help/articles/{second}").json_body["related"]][:2] == [
        first,
        DEMO_SLUG,
    ]
