"""Pure parts of the help centre: personal data kept out of logs, the article events and the index step, the
section tree with counts (tantivy, and OpenSearch's request and answer), and the section tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ventanilla.help.articles import Article, load_jsonl
from ventanilla.help.indexing import apply, article_event, ref_of
from ventanilla.help.privacy import loggable_query, redact, scrub_personal
from ventanilla.help.search import make_engine
from ventanilla.help.search.opensearch_engine import build_sections_body, parse_sections_response

SEED = Path(__file__).resolve().parents[2] / "infra" / "seed" / "help_articles.jsonl"


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("mi correo es Juan.Perez+1@example.cl gracias", "mi correo es", "Juan.Perez"),
        ("llamar al +56 9 8765 4321 por la patente", "por la patente", "8765"),
        ("RUT 12.345.678-5 certificado", "certificado", "12.345.678"),
        ("rut 12345678-K residencia", "residencia", "12345678"),
        ("ver https://malo.example/x?id=9 licencia", "licencia", "malo.example"),
        ("tarjeta 4111 1111 1111 1111", "tarjeta", "4111"),
    ],
)
def test_redact_removes_contacts_and_ids(text: str, kept: str, gone: str) -> None:
    clean = redact(text)
    assert kept in clean and gone not in clean


def test_redact_keeps_short_numbers_people_search_for() -> None:
    assert redact("ley 20.285 plazo 15 días, año 2026") == "ley 20.285 plazo 15 días, año 2026"


def test_loggable_query_is_folded_bounded_and_stable() -> None:
    assert loggable_query("  Licéncia   DE conducir ") == "licencia de conducir"
    assert len(loggable_query("palabra " * 500)) <= 200
    assert loggable_query("😀") == "😀"
    assert loggable_query("") == ""


def test_scrub_personal_removes_the_requester() -> None:
    text = "Estimada MARÍA PÉREZ: su solicitud 2026-000123 está lista. maria@x.cl"
    clean = scrub_personal(text, ["María Pérez", None], ["2026-000123"])
    assert clean == "Su solicitud [solicitud] está lista. [correo]"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Su C.C. 52.123.456 y NIT 900123456-7", "es", "Su C.C. [documento] y NIT [documento]"),
        ("monto $1.500.000 según ley 20.285", "es", "monto $1.500.000 según ley 20.285"),
        ("Tel 2 2345 6789, tarjeta 4111 1111 1111 1111", "es", "Tel [teléfono], tarjeta [número]"),
        (
            "Dear Mrs. Pérez, your ID number 12345678 is ready.\nKind regards,\nAna",
            "en",
            "Your ID number [ID number] is ready.",
        ),
        (
            "Estimado vecino: la Rosa del jardín. ANA ROJAS revisó.",
            "es",
            "La Rosa del jardín. [nombre] revisó.",
        ),
    ],
)
def test_scrub_personal_labels_each_kind(text: str, lang: str, expected: str) -> None:
    assert scrub_personal(text, ["María Pérez", "Ana Rojas"], [], lang) == expected


def _image(article: Article, **extra: Any) -> dict[str, Any]:
    from ventanilla.storage.help_articles import StoredArticle, article_item

    return article_item(StoredArticle(article, 1, 10, article.updated_at, "editora"))


def test_apply_follows_what_the_table_holds() -> None:
    engine = make_engine("tantivy")
    article = load_jsonl(SEED)[0]
    ref = (article.slug, "es")
    assert apply(engine, [ref], {ref: article}).indexed == 1
    assert apply(engine, [ref, ref], {ref: article}).indexed == 1  # a repeated article counts once
    assert engine.count() == 1
    archived = article.model_copy(update={"status": "archived"})
    assert apply(engine, [ref], {ref: archived}).removed == 1
    assert engine.count() == 0
    apply(engine, [ref], {ref: article})
    assert apply(engine, [ref], {}).removed == 1  # gone from the table
    assert engine.count() == 0


def test_article_events_carry_identifiers_only_and_other_items_give_none() -> None:
    article = load_jsonl(SEED)[0]
    keys = {"PK": f"ARTICLE#es#{article.slug}", "SK": "ARTICLE"}
    event = article_event("MODIFY", keys, _image(article))
    assert event is not None and event.source == "ventanilla.help"
    assert event.detail_type == "HelpArticleChanged"
    assert event.detail == {"slug": article.slug, "lang": "es", "status": article.status}
    removed = article_event("REMOVE", keys, None)
    assert removed is not None and removed.detail["status"] == "deleted"
    assert article_event("MODIFY", {**keys, "SK": "STATS"}, _image(article)) is None
    assert article_event("INSERT", {"PK": "TICKET#2026-000001", "SK": "TICKET"}, {}) is None
    assert article_event("INSERT", None, None) is None
    envelope = {"detail-type": "HelpArticleChanged", "detail": event.detail}
    assert ref_of(envelope) == (article.slug, "es")
    for bad in (
        {"detail-type": "TicketCreated", "detail": event.detail},
        {"detail-type": "HelpArticleChanged", "detail": {"slug": "", "lang": "es"}},
        {"detail-type": "HelpArticleChanged", "detail": "x"},
        {},
    ):
        with pytest.raises(ValueError):
            ref_of(bad)


def test_tantivy_sections_count_every_level() -> None:
    engine = make_engine("tantivy")
    articles = load_jsonl(SEED)
    engine.index(articles)
    groups = engine.sections("es")
    by_path = {"/".join(g.path): g for g in groups}
    es = [a for a in articles if a.lang == "es" and a.status == "published"]
    top = sum(g.count for g in groups if len(g.path) == 1)
    assert top == len(es)
    licencias = by_path["transito-y-transporte/licencias-de-conducir"]
    assert licencias.title == "Licencias de conducir"
    assert licencias.count == sum(1 for a in es if a.section_path[-1] == "licencias-de-conducir")
    assert [len(g.path) for g in groups] == sorted(len(g.path) for g in groups)  # parents first
    assert engine.sections("en") and engine.sections("fr") == []
    assert make_engine("tantivy").sections("es") == []


def test_opensearch_sections_request_and_answer() -> None:
    body = build_sections_body("en")
    assert body["size"] == 0 and body["query"]["bool"]["filter"] == [{"term": {"lang": "en"}}]
    answer = {
        "aggregations": {
            "tree": {
                "buckets": [
                    {
                        "key": "a/b",
                        "doc_count": 2,
                        "sample": {
                            "hits": {
                                "hits": [
                                    {"_source": {"section_path": ["a", "b"], "section_titles": ["A", "B"]}}
                                ]
                            }
                        },
                    },
                    {
                        "key": "a",
                        "doc_count": 3,
                        "sample": {
                            "hits": {
                                "hits": [
                                    {"_source": {"section_path": ["a", "c"], "section_titles": ["A", "C"]}}
                                ]
                            }
                        },
                    },
                ]
            }
        }
    }
    groups = parse_sections_response(answer)
    assert [(g.path, g.title, g.count) for g in groups] == [(["a"], "A", 3), (["a", "b"], "B", 2)]
    assert parse_sections_response({}) == []


def test_section_tree_nests_and_sorts() -> None:
    from ventanilla.help.search.base import SectionGroup
    from ventanilla.services.help_public import _find, _tree

    groups = [
        SectionGroup(slug="b", title="Beta", path=["b"], count=1),
        SectionGroup(slug="a", title="Alfa", path=["a"], count=3),
        SectionGroup(slug="z", title="Zeta", path=["a", "z"], count=1),
        SectionGroup(slug="y", title="Ye", path=["a", "y"], count=2),
        SectionGroup(slug="x", title="Equis", path=["a", "y", "x"], count=2),
    ]
    roots = _tree(groups)
    assert [n.slug for n in roots] == ["a", "b"]
    assert [c.slug for c in roots[0].children] == ["y", "z"]
    found = _find(roots, "x")
    assert found is not None and found.path == ["a", "y", "x"]
    assert _find(roots, "nada") is None


def test_an_engine_with_nothing_indexed_answers_nothing_found() -> None:
    """The in-process engine with no index yet (a fresh Lambda container, no HELP_INDEX_PATH)."""
    engine = make_engine("tantivy")
    result = engine.search("licencia de conducir")
    assert result.total == 0 and result.hits == [] and result.did_you_mean is None
    assert engine.search("", section="transito").total == 0
    assert engine.sections() == [] and engine.count() == 0
