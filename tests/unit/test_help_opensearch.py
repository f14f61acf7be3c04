"""OpenSearch engine without a server: the settings file, the request bodies and the client calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.help.articles import Article
from ventanilla.help.search import HelpSearchEngine, make_engine
from ventanilla.help.search.opensearch_engine import (
    OpenSearchEngine,
    build_search_body,
    document,
    index_body,
    make_client,
    parse_search_response,
    settings_text,
)
from ventanilla.help.search.text import Synonyms

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "layers" / "core" / "ventanilla" / "help" / "search" / "opensearch_index.json"
BUILTIN_FILTERS = {"lowercase", "asciifolding"}


def art(**over: object) -> Article:
    data: dict[str, object] = {
        "slug": "licencia-b",
        "title": "Licencia clase B",
        "summary": "Resumen.",
        "body_md": "Texto **en negrita** con [enlace](https://x.cl).",
        "section_path": ["transito", "licencias"],
        "section_titles": ["Tránsito", "Licencias"],
        "stage": "informacion",
        "status": "published",
        "request_types": ["tramite/licencia-conducir"],
    }
    data.update(over)
    return Article.model_validate(data)


# --- settings file --------------------------------------------------------------------------


def test_settings_and_synonyms_ship_in_the_package() -> None:
    """Read as package resources (what the Lambda layer has), never from the source tree."""
    from importlib import resources

    packaged = resources.files("ventanilla.help.search")
    assert settings_text() == packaged.joinpath("opensearch_index.json").read_text("utf-8")
    body = json.loads(settings_text())
    assert set(body) == {"settings", "mappings"}
    assert packaged.joinpath("synonyms_es.txt").is_file()
    source = (ROOT / "layers/core/ventanilla/help/search/opensearch_engine.py").read_text(encoding="utf-8")
    assert "parents[" not in source and "__file__" not in source and "infra/" not in source
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"**/*.json"' in pyproject and '"**/*.txt"' in pyproject  # package data of the wheel


def test_every_analyzer_and_filter_referenced_exists() -> None:
    body = json.loads(SETTINGS.read_text(encoding="utf-8"))
    analysis = body["settings"]["analysis"]
    analyzers, filters = analysis["analyzer"], analysis["filter"]
    for name, analyzer in analyzers.items():
        for f in analyzer["filter"]:
            assert f in filters or f in BUILTIN_FILTERS, (name, f)
    referenced: set[str] = set()

    def walk(props: dict[str, Any]) -> None:
        for spec in props.values():
            for key in ("analyzer", "search_analyzer"):
                if key in spec:
                    referenced.add(spec[key])
            walk(spec.get("fields", {}))

    walk(body["mappings"]["properties"])
    assert referenced <= set(analyzers) and {"ventanilla_es", "ventanilla_es_search"} <= referenced
    chain = analyzers["ventanilla_es_search"]["filter"]
    assert chain == ["lowercase", "spanish_stop", "asciifolding", "ventanilla_synonyms", "spanish_stemmer"]
    assert filters["ventanilla_synonyms"]["type"] == "synonym_graph"
    assert "ventanilla_synonyms" not in analyzers["ventanilla_es"]["filter"]  # synonyms at query time only


def test_index_body_fills_synonyms_from_the_shared_list() -> None:
    body = index_body()
    rules = body["settings"]["analysis"]["filter"]["ventanilla_synonyms"]["synonyms"]
    assert len(rules) >= 30 and "contrasena, clave, password, clave de acceso" in rules
    custom = index_body(Synonyms.parse("a1, b1"), SETTINGS)  # an operator's own settings file
    custom_rules = custom["settings"]["analysis"]["filter"]["ventanilla_synonyms"]["synonyms"]
    assert custom_rules[0] == "a1, b1"
    # The Latin American lexicon follows as one-way rules that keep the literal word, and lead on
    # to the words of the institution's country (written out: a synonym graph does not chain).
    assert "cachureos => cachureos, residuos voluminosos, cachureo" in custom_rules
    assert (
        "predial => predial, impuesto predial, contribuciones, contribucion, "
        "contribuciones de bienes raices, impuesto territorial"
    ) in custom_rules
    mexican = index_body(country="MX")["settings"]["analysis"]["filter"]["ventanilla_synonyms"]["synonyms"]
    assert "contribuciones => contribuciones, impuesto predial, predial, el predial" in mexican


def test_document_matches_the_strict_mapping() -> None:
    doc = document(art())
    props = json.loads(SETTINGS.read_text(encoding="utf-8"))["mappings"]["properties"]
    assert set(doc) <= set(props)
    assert doc["body"] == "Texto en negrita con enlace."
    assert doc["section_tree"] == ["transito", "transito/licencias"] and doc["section_top"] == "transito"
    assert doc["request_types"] == ["tramite", "tramite/licencia-conducir"]


# --- request bodies -------------------------------------------------------------------------


def test_search_body_for_a_spanish_query_with_filters() -> None:
    body = build_search_body(
        "lisencia de condusir", section="transito", stage="pago", request_type="tramite", limit=5
    )
    assert body["size"] == 5 and body["track_total_hits"] is True
    bool_q = body["query"]["bool"]
    assert bool_q["filter"] == [
        {"term": {"lang": "es"}},
        {"term": {"section_path": "transito"}},
        {"term": {"stage": "pago"}},
        {"term": {"request_types": "tramite"}},
    ]
    should = bool_q["must"][0]["bool"]["should"]
    fuzzy = [c["multi_match"] for c in should if "fuzziness" in c["multi_match"]]
    assert len(fuzzy) == 1 and fuzzy[0]["fuzziness"].startswith("AUTO")
    assert fuzzy[0]["analyzer"] == "ventanilla_es"  # synonyms and fuzziness do not mix in OpenSearch
    assert fuzzy[0]["fields"] == ["title^3", "tags^2.5", "summary^1.5", "body^1"]
    assert body["highlight"]["pre_tags"] == ["<mark>"] and body["highlight"]["encoder"] == "html"
    assert body["aggs"]["groups"]["terms"]["field"] == "section_tree"
    assert body["aggs"]["groups"]["terms"]["include"] == "(.*/)?transito/[^/]+"
    assert body["suggest"]["did_you_mean"]["phrase"]["field"] == "suggest"
    assert body["suggest"]["did_you_mean"]["text"] == "lisencia de condusir"


def test_search_body_top_level_groups_english_fields_and_browse() -> None:
    body = build_search_body("password", lang="en")
    assert body["aggs"]["groups"]["terms"]["field"] == "section_top"
    assert "title.en^3" in body["query"]["bool"]["must"][0]["bool"]["should"][0]["multi_match"]["fields"]
    assert "suggest" not in body and "body.en" in body["highlight"]["fields"]
    assert build_search_body("   ")["query"]["bool"]["must"] == [{"match_all": {}}]
    assert build_search_body("🙂 ***")["query"]["bool"]["must"] == [{"match_none": {}}]
    assert build_search_body("x", limit=0)["size"] == 1 and build_search_body("x", limit=10**6)["size"] == 100


def test_section_regex_is_escaped() -> None:
    body = build_search_body("x", section='a.b*"c')
    assert body["aggs"]["groups"]["terms"]["include"] == '(.*/)?a\\.b\\*\\"c/[^/]+'


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2500))
def test_any_query_gives_a_serialisable_bounded_body(query: str) -> None:
    body = build_search_body(query)
    encoded = json.dumps(body)
    assert len(encoded) < 6000
    for clause in body["query"]["bool"]["must"]:
        if "bool" in clause:
            assert all(len(c["multi_match"]["query"]) <= 500 for c in clause["bool"]["should"])


# --- responses ------------------------------------------------------------------------------

RESPONSE: dict[str, Any] = {
    "hits": {
        "total": {"value": 3, "relation": "eq"},
        "hits": [
            {
                "_score": 7.5,
                "_source": {
                    "slug": "licencia-b",
                    "lang": "es",
                    "title": "Licencia clase B",
                    "summary": "Resumen <b>",
                    "section_path": ["transito", "licencias"],
                    "section_titles": ["Tránsito", "Licencias"],
                    "stage": "informacion",
                },
                "highlight": {"body": ["Su <mark>licencia</mark> &amp; más"]},
            },
            {
                "_score": 2.0,
                "_source": {
                    "slug": "otra",
                    "title": "Otra",
                    "summary": "Sin <resaltado>",
                    "section_path": ["transito", "permisos"],
                    "section_titles": ["Tránsito", "Permisos"],
                    "stage": "pago",
                },
            },
        ],
    },
    "aggregations": {
        "groups": {
            "buckets": [
                {
                    "key": "transito",
                    "doc_count": 3,
                    "sample": {
                        "hits": {
                            "hits": [
                                {
                                    "_source": {
                                        "section_path": ["transito", "x"],
                                        "section_titles": ["Tránsito", "X"],
                                    }
                                }
                            ]
                        }
                    },
                }
            ]
        }
    },
    "suggest": {"did_you_mean": [{"text": "lisencia", "options": [{"text": "licencia", "score": 0.2}]}]},
}


def test_parse_response() -> None:
    result = parse_search_response(RESPONSE, "lisencia", "es", None)
    assert result.total == 3 and [h.slug for h in result.hits] == ["licencia-b", "otra"]
    assert result.hits[0].snippet == "Su <mark>licencia</mark> &amp; más"
    assert result.hits[1].snippet == "Sin &lt;resaltado&gt;" and result.hits[1].lang == "es"
    assert [(g.slug, g.title, g.count) for g in result.groups] == [("transito", "Tránsito", 3)]
    assert result.did_you_mean == "licencia"
    empty = parse_search_response({"hits": {"total": 0, "hits": []}}, "", "es", None)
    assert empty.total == 0 and empty.did_you_mean is None


# --- the engine over a fake client ----------------------------------------------------------


class FakeIndices:
    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.deleted = 0
        self.present = False
        self.racing = False  # another function creates the index between our exists and create

    def exists(self, index: str) -> bool:
        return self.present

    def create(self, index: str, body: dict[str, Any]) -> None:
        from opensearchpy.exceptions import RequestError

        if self.racing or self.present:
            self.present = True
            raise RequestError(
                400,
                "resource_already_exists_exception",
                {"error": {"type": "resource_already_exists_exception", "reason": f"index [{index}] exists"}},
            )
        self.created.append(body)
        self.present = True

    def delete(self, index: str) -> None:
        self.deleted += 1
        self.present = False


class FakeClient:
    def __init__(self) -> None:
        self.indices = FakeIndices()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def bulk(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("bulk", kw))
        return {"errors": True, "items": [{"delete": {"status": 404, "error": None}}]}

    def delete(self, **kw: Any) -> None:
        from opensearchpy.exceptions import NotFoundError

        self.calls.append(("delete", kw))
        raise NotFoundError(404, "not_found", {})

    def delete_by_query(self, **kw: Any) -> None:
        self.calls.append(("delete_by_query", kw))

    def count(self, **kw: Any) -> dict[str, int]:
        self._needs_index()
        return {"count": 4}

    def search(self, **kw: Any) -> dict[str, Any]:
        self.calls.append(("search", kw))
        self._needs_index()
        return RESPONSE

    def _needs_index(self) -> None:
        from opensearchpy.exceptions import NotFoundError

        if not self.indices.present:
            raise NotFoundError(
                404, "index_not_found_exception", {"error": {"type": "index_not_found_exception"}}
            )


def test_engine_indexes_with_bulk_and_creates_index_once() -> None:
    client = FakeClient()
    engine = OpenSearchEngine(client=client, index="help-test")
    assert isinstance(engine, HelpSearchEngine)
    assert engine.count() == 0
    published, draft = art(), art(slug="borrador", status="draft")
    engine.index([published, draft])
    engine.index([art()])
    assert len(client.indices.created) == 1
    _, kw = client.calls[0]
    actions = kw["body"]

    def versioned(a: Article) -> dict[str, object]:  # its last change, in ms: newer states win
        return {"version": int(a.updated_at.timestamp() * 1000), "version_type": "external_gte"}

    assert actions[0] == {"index": {"_index": "help-test", "_id": "es:licencia-b", **versioned(published)}}
    assert actions[1]["slug"] == "licencia-b"
    assert actions[2] == {"delete": {"_index": "help-test", "_id": "es:borrador", **versioned(draft)}}
    assert kw["refresh"] == "wait_for"
    assert kw["index"] == "help-test"  # the index's own _bulk: allowed by a policy scoped to it
    assert engine.count() == 4
    engine.index([])
    assert len(client.calls) == 2


def test_an_older_state_arriving_last_does_not_overwrite_a_newer_one() -> None:
    """Two indexer invocations race: OpenSearch refuses the older external version (409)."""
    from datetime import timedelta

    client = FakeClient()
    newer = art(title="Licencia clase B (actualizado)")
    older = art(updated_at=newer.updated_at - timedelta(minutes=5))
    client.bulk = lambda **kw: {  # type: ignore[method-assign]
        "errors": True,
        "items": [
            {
                "index": {
                    "status": 409,
                    "error": {
                        "type": "version_conflict_engine_exception",
                        "reason": "current version is higher",
                    },
                }
            }
        ],
    }
    engine = OpenSearchEngine(client=client)
    engine.index([older])  # refused by the index, which keeps the newer state: not an error
    from ventanilla.help.search.opensearch_engine import version_of

    assert version_of(older) < version_of(newer)


def test_engine_raises_on_real_bulk_errors() -> None:
    client = FakeClient()
    client.bulk = lambda **kw: {
        "errors": True,
        "items": [{"index": {"status": 400, "error": {"type": "mapper"}}}],
    }  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="rejected 1"):
        OpenSearchEngine(client=client).index([art()])


def test_the_first_write_creates_the_index_with_the_packaged_settings_and_synonyms() -> None:
    client = FakeClient()
    engine = OpenSearchEngine(client=client, index="help-test")
    engine.remove("nada", "es")  # a removal on no index creates nothing
    assert client.indices.created == []
    engine.index([art()])
    (body,) = client.indices.created
    assert body == index_body()  # the settings shipped in the package, synonyms filled in
    assert body["mappings"] == json.loads(settings_text())["mappings"]
    synonyms = body["settings"]["analysis"]["filter"]["ventanilla_synonyms"]["synonyms"]
    assert "contrasena, clave, password, clave de acceso" in synonyms
    assert OpenSearchEngine(client=client, index="help-test").ensure_index() is False  # exists: kept


def test_index_creation_is_idempotent_when_another_function_creates_it_first() -> None:
    client = FakeClient()
    client.indices.racing = True
    engine = OpenSearchEngine(client=client)
    assert engine.ensure_index() is False  # lost the race: the other one's index is used
    engine.index([art()])
    assert client.indices.created == [] and client.calls[0][0] == "bulk"


def test_other_creation_errors_are_not_swallowed() -> None:
    from opensearchpy.exceptions import RequestError

    client = FakeClient()

    def refuse(index: str, body: dict[str, Any]) -> None:
        raise RequestError(
            400, "illegal_argument_exception", {"error": {"type": "illegal_argument_exception"}}
        )

    client.indices.create = refuse  # type: ignore[method-assign]
    with pytest.raises(RequestError):
        OpenSearchEngine(client=client).index([art()])
    assert client.calls == []  # nothing written into an index of the wrong shape


def test_rebuild_drops_and_creates_the_index_again_with_the_current_settings() -> None:
    client = FakeClient()
    engine = OpenSearchEngine(client=client)
    engine.clear()  # no index yet (a fresh deploy): the rebuild creates it
    assert len(client.indices.created) == 1 and client.indices.deleted == 0
    engine.index([art()])
    engine.clear()
    assert client.indices.deleted == 1 and len(client.indices.created) == 2
    engine.index([art()])
    assert len(client.indices.created) == 2  # created by the rebuild, not again by the write


def test_a_missing_index_answers_nothing_found() -> None:
    client = FakeClient()
    engine = OpenSearchEngine(client=client)
    result = engine.search("licencia de conducir")
    assert result.total == 0 and result.hits == [] and result.query == "licencia de conducir"
    assert engine.sections() == [] and engine.count() == 0


def test_engine_remove_clear_search() -> None:
    client = FakeClient()
    engine = OpenSearchEngine(client=client)
    engine.remove("nada", "es")  # 404 is fine
    assert [c[0] for c in client.calls] == ["delete"]
    client.indices.present = True
    result = engine.search("lisencia", section="transito")
    assert result.total == 3 and result.query == "lisencia"
    assert client.calls[-1][1]["body"]["query"]["bool"]["filter"][1] == {"term": {"section_path": "transito"}}
    calls = len(client.calls)
    assert engine.search("🙂").total == 0 and len(client.calls) == calls  # nothing sent
    engine.drop_index()
    assert client.indices.present is False


def test_factory_and_client_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENSEARCH_URL", raising=False)
    with pytest.raises(ValueError, match="needs a client or a url"):
        make_engine("opensearch")
    local = make_client("http://localhost:9200")
    assert local.transport.hosts[0]["host"] == "localhost"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    from opensearchpy import AWSV4SignerAuth

    aws = make_client("https://search-ventanilla-abc.us-east-1.es.amazonaws.com", region="us-east-1")
    assert isinstance(aws.transport.kwargs["http_auth"], AWSV4SignerAuth)
    assert aws.transport.hosts[0]["port"] == 443
    engine = make_engine("opensearch", url="http://localhost:9200", index="x")
    assert isinstance(engine, OpenSearchEngine) and engine.index_name == "x"
