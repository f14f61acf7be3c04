"""Relevance of help search on the judged Spanish queries, for every configured engine.

tantivy always runs; OpenSearch runs when OPENSEARCH_URL points at a server (a throwaway index
is created and dropped). Floors are the tantivy figures measured on the demo content minus a
safety margin, so a ranking regression fails here before a citizen notices.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.relevance.metrics import evaluate
from ventanilla.help.articles import load_jsonl
from ventanilla.help.search import HelpSearchEngine, make_engine

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "infra" / "seed" / "help_articles.jsonl"
QUERIES = Path(__file__).with_name("queries_es.jsonl")

# Measured with tantivy on 2026 demo content: recall@5 0.991, MRR@10 0.911, nDCG@10 0.939
# (before the Latin American lexicon: 0.986, 0.890, 0.924).
FLOORS = {"recall@5": 0.96, "mrr@10": 0.87, "ndcg@10": 0.9}
# nDCG@10 per kind of query (measured 0.966, 0.893, 0.878, 0.988, 0.926, 0.935; before the lexicon
# 0.959, 0.857, 0.836, 0.988, 0.926, 0.931): a change that helps one kind must not sink another.
KIND_FLOORS = {"plain": 0.94, "colloquial": 0.86, "long": 0.84, "caps": 0.95, "typo": 0.9, "synonym": 0.9}
# OpenSearch has not been measured (no server in the build environment): looser until it is.
FLOORS_OPENSEARCH = {"recall@5": 0.85, "mrr@10": 0.70, "ndcg@10": 0.75}

ENGINES = [
    "tantivy",
    pytest.param(
        "opensearch",
        marks=pytest.mark.skipif(
            not os.environ.get("OPENSEARCH_URL"),
            reason="OPENSEARCH_URL is not set: no OpenSearch endpoint to run the relevance suite against",
        ),
    ),
]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[HelpSearchEngine]:
    kind = request.param
    if kind == "opensearch":
        eng = make_engine(
            "opensearch", url=os.environ["OPENSEARCH_URL"], index=f"help-relevance-{uuid.uuid4().hex[:8]}"
        )
    else:
        eng = make_engine("tantivy")
    eng.index(load_jsonl(SEED))
    yield eng
    if kind == "opensearch":
        eng.drop_index()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def judged() -> list[dict[str, object]]:
    return [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _floors(engine: HelpSearchEngine) -> dict[str, float]:
    return FLOORS_OPENSEARCH if type(engine).__name__ == "OpenSearchEngine" else FLOORS


def test_judged_queries_are_well_formed(judged: list[dict[str, object]]) -> None:
    slugs = {a.slug for a in load_jsonl(SEED) if a.lang == "es"}
    assert len(judged) >= 150
    for item in judged:
        relevant = item["relevant"]
        assert isinstance(relevant, dict) and 2 in relevant.values(), item
        assert set(relevant) <= slugs, item
    assert len({str(i["query"]).lower() for i in judged}) == len(judged)


def test_metrics_stay_above_floors(engine: HelpSearchEngine, judged: list[dict[str, object]]) -> None:
    runs = []
    for item in judged:
        result = engine.search(str(item["query"]), limit=10)
        runs.append(([h.slug for h in result.hits], item["relevant"]))
    scores = evaluate(runs)  # type: ignore[arg-type]
    floors = _floors(engine)
    assert all(scores[m] >= floors[m] for m in floors), scores


def test_each_kind_stays_above_its_floor(engine: HelpSearchEngine, judged: list[dict[str, object]]) -> None:
    if type(engine).__name__ == "OpenSearchEngine":
        pytest.skip("per-kind floors are tantivy's; OpenSearch has the overall floors")
    scores = {}
    for kind in KIND_FLOORS:
        runs = [
            ([h.slug for h in engine.search(str(i["query"]), limit=10).hits], i["relevant"])
            for i in judged
            if i.get("kind") == kind
        ]
        scores[kind] = evaluate(runs)["ndcg@10"]  # type: ignore[arg-type]
    assert all(scores[k] >= KIND_FLOORS[k] for k in KIND_FLOORS), scores


@pytest.mark.parametrize(
    ("query", "expected", "top"),
    [
        # accents and case
        ("certificado de residencia", "certificado-de-residencia", 1),
        ("CERTIFICADO DE RESIDÉNCIA", "certificado-de-residencia", 1),
        ("contrasena", "recuperar-contrasena", 1),
        ("permiso de edificación", "permiso-edificacion-requisitos", 3),
        ("PERMISO DE EDIFICACIÓN", "permiso-edificacion-requisitos", 1),
        # typos
        ("lisencia de condusir", "licencia-conducir-primera-vez", 3),
        ("sertificado de residensia", "certificado-de-residencia", 1),
        ("patnete comercial requisitos", "patente-comercial-requisitos", 1),
        ("contribusiones abril", "contribuciones-fechas-y-cuotas", 1),
        # synonyms and colloquial words
        ("olvide mi clave", "recuperar-contrasena", 1),
        ("no me acuerdo de la password", "recuperar-contrasena", 1),
        ("sin electricidad", "corte-de-luz-que-hacer", 3),
        ("cobro de basura", "derechos-de-aseo-como-pagar", 1),
        ("presupuesto municipal", "transparencia-activa", 1),  # "municipal" is noise: not expanded
        ("licencia comercial para una peluqueria", "patente-comercial-requisitos", 3),
        ("ficha de proteccion social", "registro-social-de-hogares-ingreso", 3),
        # long questions
        (
            "hola quisiera saber cuanto cuesta sacar la patente de mi almacen",
            "patente-comercial-valor-y-pago",
            3,
        ),
        ("cuanto demora la dom en aprobar el permiso", "permiso-edificacion-plazos-y-observaciones", 3),
    ],
)
def test_targeted_queries(engine: HelpSearchEngine, query: str, expected: str, top: int) -> None:
    slugs = [h.slug for h in engine.search(query, limit=top).hits]
    assert expected in slugs, slugs


@pytest.mark.parametrize("query", ["certificado", "pago", "licencia", "reclamo", ""])
def test_groups_add_up_and_sections_filter(engine: HelpSearchEngine, query: str) -> None:
    result = engine.search(query, limit=100)
    assert sum(g.count for g in result.groups) == result.total
    for group in result.groups:
        inside = engine.search(query, section=group.slug, limit=100)
        assert inside.total == group.count
        assert all(group.slug in h.section_path for h in inside.hits)
        assert sum(g.count for g in inside.groups) == inside.total  # every demo article is in a subsection


def test_did_you_mean(engine: HelpSearchEngine) -> None:
    assert engine.search("lisencia de condusir").did_you_mean == "licencia de conducir"
