"""Relevance on a second, different institution (a water utility and another municipality), by
query style, plus "no answer", the lexicon's and the false friends' own checks.

The content (``second_articles.jsonl``) and queries (``second_queries.jsonl``) were written for
this purpose; ``make bench`` prints the same figures beside BM25. Floors are the tantivy figures
measured when the lexicon shipped, minus a margin. The lexicon was written after the queries, so
these floors guard against regressions rather than prove generalisation (see the held-out set).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.relevance.metrics import evaluate, no_answer_scores
from ventanilla.help.articles import load_jsonl
from ventanilla.help.search import make_engine
from ventanilla.help.search.tantivy_engine import TantivyEngine
from ventanilla.help.search.text import default_lexicon, false_friends, glossary, stem, words

HERE = Path(__file__).parent
ARTICLES = HERE / "second_articles.jsonl"
QUERIES = HERE / "second_queries.jsonl"
HELD_OUT = HERE / "second_queries_heldout.jsonl"
STYLES = ("keyword", "question", "typo", "colloquial", "synonym", "english", "no_answer")
COUNTRIES = {"CL", "MX", "CO", "AR", "PE"}

# nDCG@10 floors per style (measured 0.982, 0.925, 0.992, 0.922, 0.986, 0.991, minus about 0.05).
FLOORS = {
    "keyword": 0.93,
    "question": 0.88,
    "typo": 0.94,
    "colloquial": 0.88,
    "synonym": 0.91,
    "english": 0.94,
}


@pytest.fixture(scope="module")
def engine() -> Iterator[TantivyEngine]:
    eng = make_engine("tantivy")
    eng.index(load_jsonl(ARTICLES))
    assert isinstance(eng, TantivyEngine)
    yield eng


def _judged(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _run(engine: TantivyEngine, item: dict[str, object]) -> tuple[list[str], bool]:
    result = engine.search(str(item["query"]), lang="en" if item["style"] == "english" else "es")
    return [h.slug for h in result.hits], bool(result.hits) and result.confident


def test_the_set_is_well_formed() -> None:
    articles = load_jsonl(ARTICLES)
    slugs = {a.slug for a in articles}
    assert len(articles) >= 60 and all(a.status == "published" for a in articles)
    judged = _judged(QUERIES)
    assert len(judged) >= 200 and {str(i["style"]) for i in judged} == set(STYLES)
    assert {str(i.get("country")) for i in judged if i["style"] == "colloquial"} == COUNTRIES
    for item in judged:
        relevant = item["relevant"]
        assert isinstance(relevant, dict) and set(relevant) <= slugs, item
        assert (item["style"] == "no_answer") == (not relevant), item
    assert len({str(i["query"]).lower() for i in judged}) == len(judged)


def test_each_style_stays_above_its_floor(engine: TantivyEngine) -> None:
    judged = _judged(QUERIES)
    scores = {}
    for style in FLOORS:
        runs = [(_run(engine, i)[0], i["relevant"]) for i in judged if i["style"] == style]
        scores[style] = evaluate(runs)["ndcg@10"]  # type: ignore[arg-type]
    assert all(scores[s] >= FLOORS[s] for s in FLOORS), scores


def test_no_answer_is_said_for_most_out_of_scope_questions_and_few_others(engine: TantivyEngine) -> None:
    flagged = [(not _run(engine, i)[1], i["style"] == "no_answer") for i in _judged(QUERIES)]
    scores = no_answer_scores(flagged)
    false_alarms = sum(1 for said, truth in flagged if said and not truth)
    assert scores["recall"] >= 0.8 and false_alarms <= 12, (scores, false_alarms)  # measured 0.818, 9


def test_held_out_regional_and_english_queries(engine: TantivyEngine) -> None:
    """Queries written after the lexicon was frozen: how it generalises, not how it was fitted."""
    judged = _judged(HELD_OUT)
    runs = [(_run(engine, i)[0], i["relevant"]) for i in judged]
    assert len(judged) >= 30
    assert evaluate(runs)["ndcg@10"] >= 0.85  # type: ignore[arg-type]  # measured 0.945


@pytest.mark.parametrize(
    ("query", "lang", "expected", "not_expected"),
    [
        ("boda", "es", "matrimonio-civil", "poda-arboles"),  # no typo budget for 4 letters
        ("casarse por el civil", "es", "matrimonio-civil", None),
        ("por que no tengo agua hoy", "es", "sin-agua-que-hacer", "bache-en-la-calzada"),  # hoy is not hoyo
        ("sacar brevete", "es", "licencia-conducir-primera-vez", None),
        ("pagar el predial", "es", "impuesto-predial-pago", None),
        ("hueco en la pista", "es", "bache-en-la-calzada", None),
        ("street light out", "en", "alumbrado-publico-luminaria-apagada", None),
        ("property tax", "en", "impuesto-predial-pago", None),
    ],
)
def test_targeted(
    engine: TantivyEngine, query: str, lang: str, expected: str, not_expected: str | None
) -> None:
    slugs = [h.slug for h in engine.search(query, lang=lang, limit=3).hits]
    assert expected in slugs, slugs
    if not_expected:
        assert not_expected not in slugs[:1], slugs


def test_english_results_are_labelled_spanish(engine: TantivyEngine) -> None:
    result = engine.search("business licence", lang="en")
    assert result.results_lang == "es" and result.lang == "en" and result.translated_query
    assert result.hits[0].slug == "licencia-funcionamiento-negocio" and result.hits[0].lang == "es"


def test_an_expansion_scores_below_the_word_as_typed() -> None:
    """ "recibo" means "factura" in the lexicon: an article that says "recibo" outranks one that
    says only "factura"."""
    from tests.unit.test_help_tantivy import art

    eng = TantivyEngine()
    eng.index(
        [
            art("dice-factura", "Factura", "Su factura mensual."),
            art("dice-recibo", "Recibo", "Su recibo mensual."),
        ]
    )
    hits = eng.search("recibo").hits
    assert [h.slug for h in hits] == ["dice-recibo", "dice-factura"] and hits[0].score > hits[1].score


def test_the_lexicon_is_data_with_a_source_for_every_entry() -> None:
    rules = default_lexicon().rules
    assert len(rules) >= 500
    assert all(r.source.strip() and r.countries for r in rules)
    seen = {c for r in rules for c in r.countries}
    assert seen >= COUNTRIES and seen <= COUNTRIES | {"*"}
    for country in COUNTRIES:
        assert sum(1 for r in rules if country in r.countries) >= 30, country


def test_each_false_friend_line_still_collides_in_the_stemmer() -> None:
    """Each line lists word groups the stemmer gives one stem: if a stemmer update separates
    them, the entry is no longer needed and this says so."""
    for groups in false_friends().lines():
        stems = [{stem(w) for w in g} for g in groups]
        assert any(a & b for i, a in enumerate(stems) for b in stems[i + 1 :]), groups


def test_glossary_entries_are_english_to_spanish() -> None:
    assert len(glossary().rules) >= 200
    spanish, translated = glossary().translate("Where do I pay my water bill?")
    assert translated >= 3 and set(words("pagar factura de agua")) <= set(spanish.split())
