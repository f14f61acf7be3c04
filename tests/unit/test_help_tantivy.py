"""The embedded tantivy engine: upserts, filters, facets, snippets, corrections and hostile input."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.help.articles import Article, load_jsonl
from ventanilla.help.search import HelpSearchEngine, SearchResult, make_engine
from ventanilla.help.search.tantivy_engine import TantivyEngine

SEED = Path(__file__).resolve().parents[2] / "infra" / "seed" / "help_articles.jsonl"


def art(
    slug: str, title: str, body: str, path: tuple[str, ...] = ("tramites", "licencias"), **over: object
) -> Article:
    data: dict[str, object] = {
        "slug": slug,
        "title": title,
        "summary": f"Resumen de {title.lower()}.",
        "body_md": body,
        "section_path": list(path),
        "section_titles": [p.capitalize() for p in path],
        "stage": "informacion",
        "status": "published",
    }
    data.update(over)
    return Article.model_validate(data)


@pytest.fixture(scope="module")
def seeded() -> TantivyEngine:
    engine = TantivyEngine()
    engine.index(load_jsonl(SEED))
    return engine


@pytest.fixture
def engine() -> TantivyEngine:
    return TantivyEngine()


def test_engine_satisfies_protocol_and_factory() -> None:
    assert isinstance(make_engine("tantivy"), HelpSearchEngine)
    with pytest.raises(ValueError, match="unknown search engine"):
        make_engine("solr")


def test_upsert_replaces_by_slug_and_lang(engine: TantivyEngine) -> None:
    engine.index([art("licencia-b", "Licencia clase B", "Examen teórico.")])
    engine.index([art("licencia-b", "Licencia clase B renovada", "Examen práctico de manejo.")])
    assert engine.count() == 1
    hits = engine.search("práctico").hits
    assert [h.title for h in hits] == ["Licencia clase B renovada"]
    assert engine.search("teorico").total == 0


def test_only_published_articles_are_searchable(engine: TantivyEngine) -> None:
    engine.index([art("licencia-b", "Licencia clase B", "Examen.")])
    engine.index([art("licencia-b", "Licencia clase B", "Examen.", status="draft")])
    assert engine.count() == 0 and engine.search("licencia").total == 0
    engine.index([art("otra-cosa", "Otra", "Texto.", status="archived")])
    assert engine.count() == 0


def test_same_slug_in_two_languages_are_separate(engine: TantivyEngine) -> None:
    engine.index(
        [
            art("aaa", "Contraseña del portal", "Recuperar la clave."),
            art("aaa", "Portal password", "Reset it.", lang="en"),
        ]
    )
    assert engine.count() == 2
    assert [h.lang for h in engine.search("password", lang="en").hits] == ["en"]
    # Spanish typed on the English portal: no English article has it, the Spanish one answers,
    # labelled Spanish, with nothing said to be translated.
    typed_spanish = engine.search("contraseña", lang="en")
    assert typed_spanish.results_lang == "es" and [h.lang for h in typed_spanish.hits] == ["es"]
    assert typed_spanish.translated_query is None and typed_spanish.confident
    engine.remove("aaa", "en")
    assert engine.count() == 1
    # With no English article left, the English query finds the Spanish one through the
    # glossary, and the answer says the results are in Spanish.
    fallback = engine.search("password", lang="en")
    assert fallback.results_lang == "es" and [h.lang for h in fallback.hits] == ["es"]
    assert fallback.lang == "en" and fallback.query == "password"
    engine.remove("aaa", "en")  # idempotent
    engine.remove("aaa", "pt")  # unknown language: no-op
    assert engine.search("clave", lang="pt") == SearchResult(query="clave", lang="pt", confident=False)


def test_clear(seeded: TantivyEngine) -> None:
    engine = TantivyEngine()
    engine.index(load_jsonl(SEED)[:5])
    engine.clear()
    assert engine.count() == 0 and engine.search("patente").total == 0


def test_unknown_language_article_is_rejected(engine: TantivyEngine) -> None:
    only_es = TantivyEngine(langs=("es",))
    with pytest.raises(ValueError, match="language 'en'"):
        only_es.index([art("abc", "T", "B", lang="en")])
    assert engine.count() == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("licencia de conducir", "licencia-conducir-primera-vez"),
        ("LICÉNCIA DE CONDUCIR", "licencia-conducir-primera-vez"),
        ("contrasena", "recuperar-contrasena"),
        ("CONTRASEÑA", "recuperar-contrasena"),
        ("olvide mi clave", "recuperar-contrasena"),
        ("certificado de residencia", "certificado-de-residencia"),
    ],
)
def test_accent_case_and_synonyms_find_the_article_in_top3(
    seeded: TantivyEngine, query: str, expected: str
) -> None:
    assert expected in [h.slug for h in seeded.search(query, limit=3).hits]


def test_typos_are_tolerated_and_corrected(seeded: TantivyEngine) -> None:
    result = seeded.search("lisencia de condusir")
    assert result.hits and all(h.slug.startswith("licencia-conducir") for h in result.hits[:3])
    assert result.did_you_mean == "licencia de conducir"
    assert seeded.search("sertificado de residensia").did_you_mean == "certificado de residencia"
    assert seeded.search("licencia de conducir").did_you_mean is None


def test_snippets_highlight_matches_and_escape_html() -> None:
    engine = TantivyEngine()
    body = "Traiga su <cédula> & boleta. " + "relleno " * 60 + "La licencia se retira en Tránsito."
    engine.index([art("html-en-cuerpo", "Retiro", body)])
    hit = engine.search("licencias").hits[0]
    assert "<mark>licencia</mark>" in hit.snippet
    assert hit.snippet.startswith("…") and "<cédula>" not in hit.snippet
    cedula = engine.search("cedula").hits[0].snippet
    assert "&lt;<mark>cédula</mark>&gt; &amp; boleta" in cedula
    engine.index([art("signos-en-cuerpo", "Signos", 'Si a < b y "c" > d, escriba al municipio.')])
    signs = engine.search("municipio").hits[0].snippet
    assert "a &lt; b" in signs and "&quot;c&quot; &gt; d" in signs and "<mark>municipio</mark>" in signs


def test_snippet_falls_back_to_summary() -> None:
    engine = TantivyEngine()
    engine.index([art("solo-titulo", "Licencias", "nada que ver aqui", summary="Resumen <b>útil</b>")])
    assert engine.search("licencias").hits[0].snippet == "Resumen &lt;b&gt;útil&lt;/b&gt;"


def test_section_filter_and_groups(seeded: TantivyEngine) -> None:
    everything = seeded.search("certificado")
    assert sum(g.count for g in everything.groups) == everything.total
    assert all(len(g.path) == 1 for g in everything.groups)
    top = everything.groups[0]
    drill = seeded.search("certificado", section=top.slug, limit=50)
    assert drill.total == top.count
    assert all(h.section_path[0] == top.slug for h in drill.hits)
    assert all(g.path[0] == top.slug and len(g.path) == 2 for g in drill.groups)
    assert sum(g.count for g in drill.groups) == drill.total  # demo articles all sit in subsections
    sub = drill.groups[0]
    leaf = seeded.search("certificado", section=sub.slug, limit=50)
    assert leaf.total == sub.count and all(h.section_path[-1] == sub.slug for h in leaf.hits)
    assert leaf.groups == []


def test_group_titles_come_from_articles(seeded: TantivyEngine) -> None:
    groups = {g.slug: g.title for g in seeded.search("").groups}
    assert groups["transito-y-transporte"] == "Tránsito y transporte"


def test_stage_and_request_type_filters(seeded: TantivyEngine) -> None:
    pago = seeded.search("licencia", stage="pago")
    assert pago.hits and all(h.stage == "pago" for h in pago.hits)
    by_type = seeded.search("", request_type="tramite/licencia-conducir", limit=50)
    assert by_type.total >= 5 and all(h.slug.startswith("licencia-conducir") for h in by_type.hits)
    assert seeded.search("", request_type="tramite", limit=50).total > by_type.total
    assert seeded.search("licencia", section="no-existe").total == 0


def test_empty_query_browses_and_limit_is_clamped(seeded: TantivyEngine) -> None:
    browse = seeded.search("   ", limit=0)
    assert browse.total == 57 and len(browse.hits) == 1
    assert len(seeded.search("", limit=10_000).hits) == 57


HOSTILE = [
    "",
    " ",
    "x" * 2000,
    "licencia " * 300,
    "🙂🔥🚗",
    '"',
    "'",
    'licencia AND "conducir',
    'AND OR NOT ( ) : * ~ ^ " + -',
    "title:licencia OR body:*",
    "licencia~2^10",
    "'; DROP TABLE articles; --",
    "1 OR 1=1",
    "<script>alert('x')</script>",
    "\x00\x01\n\t",
    "[a-z]+",
    "\\",
    "ø" * 50,
    "ｌｉｃｅｎｃｉａ",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_any_query_is_safe(seeded: TantivyEngine, query: str) -> None:
    result = seeded.search(query)
    assert result.total >= len(result.hits) and result.query == query
    for hit in result.hits:
        assert "<script" not in hit.snippet


def test_symbols_only_find_nothing_but_fullwidth_letters_fold(seeded: TantivyEngine) -> None:
    assert seeded.search("🙂🔥🚗").total == 0 and seeded.search("( ) : *").total == 0
    assert seeded.search("ｌｉｃｅｎｃｉａ").total > 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.text(max_size=200),
    section=st.sampled_from([None, "certificados", 'x"y']),
    limit=st.integers(-5, 500),
)
def test_fuzzed_queries_never_raise(
    seeded: TantivyEngine, query: str, section: str | None, limit: int
) -> None:
    result = seeded.search(query, section=section, limit=limit)
    assert len(result.hits) <= max(1, min(limit, 100))


def test_persists_in_a_directory(tmp_path: Path) -> None:
    first = TantivyEngine(tmp_path)
    first.index([art("licencia-b", "Licencia de conducir clase B", "Examen teórico.")])
    del first
    reopened = TantivyEngine(tmp_path)
    assert reopened.count() == 1
    result = reopened.search("lisencia")
    assert result.hits[0].slug == "licencia-b" and result.did_you_mean == "licencia"
    assert result.groups[0].title == "Tramites"


def test_concurrent_searches_while_indexing() -> None:
    engine = TantivyEngine()
    articles = load_jsonl(SEED)
    engine.index(articles[:10])
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for q in ("patente", "licencia de conducir", "lisencia", "aseo", ""):
                for _ in range(10):
                    engine.search(q)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    def writer() -> None:
        try:
            for a in articles[10:]:
                engine.index([a])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert engine.count() == len(articles)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("predial", "contribuciones-fechas-y-cuotas"),  # Mexico's word, the Chilean article's words
        ("abl", "contribuciones-fechas-y-cuotas"),  # Buenos Aires' property rate
    ],
)
def test_another_countrys_word_reaches_the_institutions_own(
    seeded: TantivyEngine, query: str, expected: str
) -> None:
    """predial -> impuesto predial (the lexicon) -> contribuciones (what Chile calls it)."""
    assert [h.slug for h in seeded.search(query, limit=3).hits][:1] == [expected]


def test_the_way_back_follows_the_institutions_country_only() -> None:
    """A Mexican desk's "impuesto predial" does not lead to Chile's "contribuciones"."""
    mexican = TantivyEngine(country="MX")
    mexican.index(load_jsonl(SEED))
    assert "contribuciones-fechas-y-cuotas" not in [h.slug for h in mexican.search("predial").hits]
    # Typed as such, a common name keeps its own meaning: the way back is a second hop only.
    chilean = TantivyEngine()
    chilean.index(
        [
            art("pago-predial", "Impuesto predial", "Cómo pagar el impuesto predial."),
            art("cuotas-contribuciones", "Contribuciones", "Cuotas de contribuciones."),
        ]
    )
    assert [h.slug for h in chilean.search("impuesto predial").hits][:1] == ["pago-predial"]


def test_an_english_query_finds_what_the_institution_calls_it(seeded: TantivyEngine) -> None:
    """business license -> licencia de funcionamiento (glossary) + patente (Chile's official name)."""
    found = seeded.search("business license", lang="es", limit=3)
    assert [h.slug for h in found.hits][:1] == ["patente-comercial-requisitos"] and found.confident
    assert found.translated_query == "licencia de funcionamiento patente"
    # Without the institution's name the driving licences won on the word "licencia".
    assert "permiso-edificacion-requisitos" in [
        h.slug for h in seeded.search("building permit", limit=2).hits
    ]


def test_localise_keeps_the_common_name_and_adds_the_official_one() -> None:
    from ventanilla.help.search.text import localise, official_names

    assert localise("impuesto predial anual", official_names("CL")) == "impuesto predial contribuciones anual"
    # Only official names ("norma" in the lexicon): Chile's everyday "carnet de manejo" is not added.
    assert localise("licencia de conducir", official_names("CL")) == "licencia de conducir"
