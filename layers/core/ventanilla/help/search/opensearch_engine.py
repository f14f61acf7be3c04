"""Help search on OpenSearch (Amazon OpenSearch Service in AWS, any endpoint locally).

Same contract as the tantivy engine. Spanish analysis lives in the index settings, which ship in
this package (``opensearch_index.json``, read with importlib.resources, so the Lambda layer has
them): lowercase, Spanish stop words, ASCII folding, light Spanish stemmer, and at search time a
synonym_graph filter filled from the packaged ``synonyms_es.txt`` when the index is created. The
index is created when missing (the indexer's first write, the editors' rebuild), idempotently:
a concurrent creator's index is as good as ours. The request bodies are built by pure functions so
they are unit-tested without a server.
"""

from __future__ import annotations

import contextlib
import copy
import html
import json
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ventanilla.help.articles import Article, Stage, plain_text
from ventanilla.help.search.base import HelpSearchEngine, Query, SearchHit, SearchResult, SectionGroup
from ventanilla.help.search.text import (
    DEFAULT_COUNTRY,
    LEXICON_WEIGHT,
    MAX_QUERY_WORDS,
    Rule,
    Synonyms,
    clip_query,
    default_lexicon,
    default_synonyms,
    glossary,
    local_names,
    localise,
    official_names,
    words,
)

DEFAULT_INDEX = "help-articles"
SETTINGS_RESOURCE = "opensearch_index.json"
FIELD_BOOSTS: dict[str, float] = {"title": 3.0, "tags": 2.5, "summary": 1.5, "body": 1.0}
MAX_LIMIT = 100
SOURCE_FIELDS = ["slug", "lang", "title", "summary", "section_path", "section_titles", "stage"]


def settings_text(path: str | Path | None = None) -> str:
    """The index settings and mappings as shipped in this package, or from ``path`` if given."""
    if path is not None:
        return Path(path).read_text(encoding="utf-8")
    return resources.files("ventanilla.help.search").joinpath(SETTINGS_RESOURCE).read_text("utf-8")


def index_body(
    synonyms: Synonyms | None = None,
    path: str | Path | None = None,
    extra: Iterable[Rule] = (),
    country: str = DEFAULT_COUNTRY,
) -> dict[str, Any]:
    """Settings and mappings for ``indices.create``, with the synonym rules filled in."""
    body: dict[str, Any] = json.loads(settings_text(path))
    rules = (synonyms if synonyms is not None else default_synonyms()).as_rules()
    # "term => term, means, the institution's own words for it": literal kept; a synonym graph
    # does not chain, so the second hop the in-process engine takes is written out here.
    local = {rule.phrase: rule.targets for rule in local_names(country).rules}
    lexicon = [
        Rule(r.phrase, tuple(dict.fromkeys([*r.targets, *(n for t in r.targets for n in local.get(t, ()))])))
        for r in default_lexicon().with_rules(extra).rules
    ]
    rules += Synonyms(rules=lexicon).as_rules()
    body["settings"]["analysis"]["filter"]["ventanilla_synonyms"]["synonyms"] = rules
    return body


def _error_type(error: Exception) -> str:
    """The OpenSearch error type of a client exception ("" if it carries none)."""
    info = getattr(error, "info", None)
    if isinstance(info, Mapping):
        err = info.get("error")
        if isinstance(err, Mapping):
            return str(err.get("type", ""))
    return str(getattr(error, "error", "") or "")


def document(article: Article) -> dict[str, Any]:
    """The indexed form of an article: plain-text body, section paths flattened for filters and facets."""
    path = article.section_path
    types = set(article.request_types) | {t.split("/", 1)[0] for t in article.request_types}
    return {
        "slug": article.slug,
        "lang": article.lang,
        "translation_of": article.translation_of,
        "title": article.title,
        "tags": article.tags,
        "summary": article.summary,
        "body": plain_text(article.body_md),
        "section_path": path,
        "section_titles": article.section_titles,
        "section_top": path[0],
        "section_tree": ["/".join(path[: i + 1]) for i in range(len(path))],
        "stage": article.stage.value,
        "request_types": sorted(types),
        "status": article.status,
        "updated_at": article.updated_at.isoformat(),
    }


def version_of(article: Article) -> int:
    """The external version of an article's indexed state: its last change, in milliseconds."""
    return int(article.updated_at.timestamp() * 1000)


def doc_id(slug: str, lang: str) -> str:
    return f"{lang}:{slug}"


def _fields(lang: str) -> list[str]:
    suffix = ".en" if lang == "en" else ""
    return [f"{name}{suffix}^{boost:g}" for name, boost in FIELD_BOOSTS.items()]


def _lucene_regex_escape(text: str) -> str:
    return "".join("\\" + ch if ch in '.?+*|{}[]()"\\#@&<>~' else ch for ch in text)


def build_search_body(
    query: str,
    lang: str = "es",
    section: str | None = None,
    stage: str | None = None,
    request_type: str | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """The ``_search`` request for a citizen's query. Never raises; the text is only ever a value.

    Two clauses: a fuzzy ``multi_match`` (fuzziness AUTO) through the index analyzer, and an exact
    one through the search analyzer with synonyms; OpenSearch ignores fuzziness on synonym terms,
    so splitting them keeps both typo tolerance and synonyms.
    """
    text = " ".join(clip_query(query if isinstance(query, str) else "").split()[: MAX_QUERY_WORDS * 2])
    has_words = bool(words(text))
    size = max(1, min(int(limit), MAX_LIMIT))
    fields = _fields(lang)
    filters: list[dict[str, Any]] = [{"term": {"lang": lang}}]
    if section:
        filters.append({"term": {"section_path": section}})
    if stage:
        filters.append({"term": {"stage": stage}})
    if request_type:
        filters.append({"term": {"request_types": request_type}})

    if has_words:
        fuzzy: dict[str, Any] = {
            "multi_match": {
                "query": text,
                "fields": fields,
                "type": "most_fields",
                "fuzziness": "AUTO:4,8",
                "prefix_length": 0,
                "max_expansions": 20,
                "lenient": True,
                "boost": 0.4,
            }
        }
        if lang != "en":
            fuzzy["multi_match"]["analyzer"] = "ventanilla_es"
        must: dict[str, Any] = {
            "bool": {
                "should": [
                    {
                        "multi_match": {
                            "query": text,
                            "fields": fields,
                            "type": "most_fields",
                            "lenient": True,
                            **({} if lang == "en" else {"analyzer": "ventanilla_es"}),
                        }
                    },
                    fuzzy,
                    *(
                        []
                        if lang == "en"
                        else [
                            {  # the words as typed plus the synonym graph (lexicon), below the literal
                                "multi_match": {
                                    "query": text,
                                    "fields": fields,
                                    "type": "most_fields",
                                    "lenient": True,
                                    "analyzer": "ventanilla_es_search",
                                    "boost": LEXICON_WEIGHT,
                                }
                            }
                        ]
                    ),
                    {
                        "multi_match": {
                            "query": text,
                            "fields": fields,
                            "type": "phrase",
                            "slop": 2,
                            "boost": 0.5,
                        }
                    },
                ],
                "minimum_should_match": 1,
            }
        }
    elif text.strip():
        must = {"match_none": {}}  # only punctuation or symbols: nothing to look for
    else:
        must = {"match_all": {}}  # browsing a section, stage or request type

    body: dict[str, Any] = {
        "size": size,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
        "query": {"bool": {"must": [must], "filter": filters}},
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "require_field_match": False,
            "fields": {
                ("body.en" if lang == "en" else "body"): {"fragment_size": 200, "number_of_fragments": 1},
                ("summary.en" if lang == "en" else "summary"): {
                    "fragment_size": 200,
                    "number_of_fragments": 1,
                    "no_match_size": 200,
                },
            },
        },
    }
    if section:
        pattern = f"(.*/)?{_lucene_regex_escape(section)}/[^/]+"
        body["aggs"] = {
            "groups": {
                "terms": {"field": "section_tree", "size": 200, "include": pattern},
                "aggs": {"sample": {"top_hits": {"size": 1, "_source": ["section_path", "section_titles"]}}},
            }
        }
    else:
        body["aggs"] = {
            "groups": {
                "terms": {"field": "section_top", "size": 200},
                "aggs": {"sample": {"top_hits": {"size": 1, "_source": ["section_path", "section_titles"]}}},
            }
        }
    if has_words and lang != "en":
        body["suggest"] = {
            "did_you_mean": {
                "text": " ".join(words(text)),
                "phrase": {
                    "field": "suggest",
                    "size": 1,
                    "gram_size": 3,
                    "max_errors": 2,
                    "confidence": 1.0,
                    "direct_generator": [
                        {"field": "suggest", "suggest_mode": "missing", "min_word_length": 4}
                    ],
                },
            }
        }
    return body


def build_sections_body(lang: str = "es") -> dict[str, Any]:
    """Every section path prefix of the published articles in ``lang``, counted (one aggregation)."""
    return {
        "size": 0,
        "query": {"bool": {"filter": [{"term": {"lang": lang}}]}},
        "aggs": {
            "tree": {
                "terms": {"field": "section_tree", "size": 2000},
                "aggs": {"sample": {"top_hits": {"size": 1, "_source": ["section_path", "section_titles"]}}},
            }
        },
    }


def parse_sections_response(response: Mapping[str, Any]) -> list[SectionGroup]:
    groups: list[SectionGroup] = []
    for bucket in response.get("aggregations", {}).get("tree", {}).get("buckets", []):
        path = str(bucket["key"]).split("/")
        title = path[-1]
        sample = bucket.get("sample", {}).get("hits", {}).get("hits", [])
        if sample:
            src = sample[0].get("_source", {})
            depth = len(path) - 1
            s_path, s_titles = src.get("section_path", []), src.get("section_titles", [])
            if depth < len(s_titles) and s_path[: depth + 1] == path:
                title = s_titles[depth]
        groups.append(SectionGroup(slug=path[-1], title=title, path=path, count=int(bucket["doc_count"])))
    groups.sort(key=lambda g: (len(g.path), g.path))
    return groups


def parse_search_response(
    response: Mapping[str, Any], query: str, lang: str, section: str | None
) -> SearchResult:
    """Turn an OpenSearch answer into a :class:`SearchResult` (snippets stay HTML-escaped)."""
    hits_block = response.get("hits", {})
    total_raw = hits_block.get("total", 0)
    total = int(total_raw.get("value", 0) if isinstance(total_raw, Mapping) else total_raw)
    hits: list[SearchHit] = []
    for raw in hits_block.get("hits", []):
        src = raw.get("_source", {})
        hl = raw.get("highlight", {})
        fragments = hl.get("body.en" if lang == "en" else "body") or hl.get(
            "summary.en" if lang == "en" else "summary"
        )
        snippet = fragments[0] if fragments else html.escape(str(src.get("summary", ""))[:200])
        hits.append(
            SearchHit(
                slug=src["slug"],
                lang=src.get("lang", lang),
                title=src.get("title", ""),
                summary=src.get("summary", ""),
                section_path=list(src.get("section_path", [])),
                section_titles=list(src.get("section_titles", [])),
                stage=Stage(src.get("stage", Stage.INFORMACION.value)),
                score=round(float(raw.get("_score") or 0.0), 4),
                snippet=snippet,
            )
        )
    groups: list[SectionGroup] = []
    for bucket in response.get("aggregations", {}).get("groups", {}).get("buckets", []):
        key = str(bucket["key"])
        path = key.split("/")
        title = path[-1]
        sample = bucket.get("sample", {}).get("hits", {}).get("hits", [])
        if sample:
            s_path = sample[0].get("_source", {}).get("section_path", [])
            s_titles = sample[0].get("_source", {}).get("section_titles", [])
            depth = len(path) - 1
            if depth < len(s_titles) and depth < len(s_path) and s_path[depth] == path[-1]:
                title = s_titles[depth]
        groups.append(SectionGroup(slug=path[-1], title=title, path=path, count=int(bucket["doc_count"])))
    groups.sort(key=lambda g: (-g.count, g.title))
    suggestion: str | None = None
    for entry in response.get("suggest", {}).get("did_you_mean", []):
        options = entry.get("options", [])
        if options and options[0].get("text") and options[0]["text"] != entry.get("text"):
            suggestion = str(options[0]["text"])
    return SearchResult(
        query=query,
        lang=lang,
        section=section,
        hits=hits,
        total=total,
        groups=groups,
        did_you_mean=suggestion,
    )


def make_client(url: str, region: str | None = None, service: str = "es", timeout: int = 10) -> Any:
    """An ``OpenSearch`` client: SigV4-signed with boto3 credentials for AWS, plain for a local URL.

    AWS is detected from the host (``*.amazonaws.com``) or an explicit ``region``; ``service`` is
    ``"es"`` for a managed domain, ``"aoss"`` for OpenSearch Serverless.
    """
    from opensearchpy import OpenSearch, RequestsHttpConnection  # lazy: not needed by tantivy users

    parsed = urlparse(url)
    use_ssl = parsed.scheme == "https"
    port = parsed.port or (443 if use_ssl else 9200)
    host = {"host": parsed.hostname or "localhost", "port": port}
    is_aws = (parsed.hostname or "").endswith(".amazonaws.com") or region is not None
    if is_aws:
        import boto3
        from opensearchpy import AWSV4SignerAuth

        session = boto3.Session()
        credentials = session.get_credentials()
        auth = AWSV4SignerAuth(credentials, region or session.region_name or "us-east-1", service)
        options: dict[str, Any] = {"http_auth": auth, "use_ssl": True, "verify_certs": True}
        options["connection_class"] = RequestsHttpConnection
    else:
        user_auth = (parsed.username, parsed.password or "") if parsed.username else None
        options = {
            "http_auth": user_auth,
            "use_ssl": use_ssl,
            "verify_certs": use_ssl,
            "ssl_show_warn": False,
        }
    return OpenSearch(hosts=[host], timeout=timeout, **options)


class OpenSearchEngine(HelpSearchEngine):
    """:class:`~ventanilla.help.search.base.HelpSearchEngine` on an OpenSearch index.

    Pass ``client`` (any object with the opensearch-py methods used here) or ``url``. The index is
    created on the first write if missing; searching a missing index answers nothing found.
    ``refresh="wait_for"`` makes writes visible to the next search, which the tests and the
    editor's preview rely on; bulk loaders may pass ``False``.
    """

    def __init__(
        self,
        url: str | None = None,
        client: Any = None,
        index: str = DEFAULT_INDEX,
        region: str | None = None,
        service: str = "es",
        synonyms: Synonyms | None = None,
        settings_file: str | Path | None = None,
        refresh: bool | str = "wait_for",
        country: str = DEFAULT_COUNTRY,
    ) -> None:
        self._country = country
        if client is None:
            target = url or os.environ.get("OPENSEARCH_URL")
            if not target:
                raise ValueError("OpenSearchEngine needs a client or a url (or OPENSEARCH_URL)")
            client = make_client(target, region=region, service=service)
        self.client = client
        self.index_name = index
        self._synonyms = synonyms
        self._extra_rules: list[Rule] = []
        self._settings_file = settings_file
        self._refresh = refresh
        self._ready = False

    def ensure_index(self) -> bool:
        """Create the index with the Spanish analysis settings if it does not exist yet; True if
        this call created it. Another function creating it at the same moment is not an error."""
        if self._ready:
            return False
        created = False
        if not self.client.indices.exists(index=self.index_name):
            from opensearchpy.exceptions import RequestError

            body = index_body(self._synonyms, self._settings_file, self._extra_rules, self._country)
            try:
                self.client.indices.create(index=self.index_name, body=body)
                created = True
            except RequestError as error:
                if _error_type(error) != "resource_already_exists_exception":
                    raise
        self._ready = True
        return created

    def drop_index(self) -> None:
        """Delete the whole index (tests, re-creation after changing analysis settings)."""
        if self.client.indices.exists(index=self.index_name):
            self.client.indices.delete(index=self.index_name)
        self._ready = False

    def index(self, articles: Iterable[Article]) -> None:
        """Upsert the published, delete the others, in one bulk request. Each operation carries
        the article's ``updated_at`` as an external version: when two indexer invocations race,
        an older state arriving last is refused (409) instead of overwriting a newer one."""
        actions: list[dict[str, Any]] = []
        for article in articles:
            meta = {
                "_index": self.index_name,
                "_id": doc_id(article.slug, article.lang),
                "version": version_of(article),
                "version_type": "external_gte",  # the same state again (a replay) is accepted
            }
            if article.status == "published":
                actions.append({"index": meta})
                actions.append(document(article))
            else:
                actions.append({"delete": meta})
        if not actions:
            return
        self.ensure_index()
        # POST /<index>/_bulk, so a policy scoped to the index allows it (not the domain-wide /_bulk).
        response = self.client.bulk(body=actions, index=self.index_name, refresh=self._refresh)
        if response.get("errors"):
            failures = [
                item
                for item in response.get("items", [])
                for op, result in item.items()
                if result.get("error")
                and result.get("status") != 409  # a newer state of that article is already there
                and not (op == "delete" and result.get("status") == 404)
            ]
            if failures:
                raise RuntimeError(f"OpenSearch rejected {len(failures)} article(s): {failures[:3]}")

    def remove(self, slug: str, lang: str) -> None:
        from opensearchpy.exceptions import NotFoundError

        # Removing what is not there is a no-op, so retried events are harmless.
        with contextlib.suppress(NotFoundError):
            self.client.delete(index=self.index_name, id=doc_id(slug, lang), refresh=self._refresh)

    def clear(self) -> None:
        """Drop the index and create it again with the settings shipped now (the editors' rebuild
        then takes changed analysis or synonyms)."""
        self.drop_index()
        self.ensure_index()

    def sections(self, lang: str = "es") -> list[SectionGroup]:
        from opensearchpy.exceptions import NotFoundError

        try:
            response = self.client.search(index=self.index_name, body=build_sections_body(lang))
        except NotFoundError:  # no index yet (nothing published since the deploy)
            return []
        return parse_sections_response(response)

    def count(self) -> int:
        from opensearchpy.exceptions import NotFoundError

        try:
            return int(self.client.count(index=self.index_name)["count"])
        except NotFoundError:
            return 0

    def find(self, q: Query) -> SearchResult:
        lang, section, stage, request_type, limit = q.lang, q.section, q.stage, q.request_type, q.limit
        body = build_search_body(q.text, lang, section, stage, request_type, limit)
        original = q.text
        if body["query"]["bool"]["must"] == [{"match_none": {}}]:
            return SearchResult(query=original, lang=lang, section=section)
        from opensearchpy.exceptions import NotFoundError

        try:
            response = self.client.search(index=self.index_name, body=copy.deepcopy(body))
        except NotFoundError:  # no index yet: nothing is searchable, which is not the citizen's fault
            return SearchResult(query=original, lang=lang, section=section, confident=False)
        result = parse_search_response(response, original, lang, section)
        result.confident = bool(result.hits)  # coverage-based confidence: tantivy engine only
        if lang == "en" and not result.hits and original.strip():
            spanish, translated = glossary().translate(original, keep=lambda w: False)
            if translated and spanish:
                spanish = localise(spanish, official_names(self._country))
                found = self.search(spanish, "es", section, stage, request_type, limit)
                if found.hits:
                    found.query, found.lang = original, "en"
                    found.results_lang, found.translated_query = "es", spanish
                    found.did_you_mean = None
                    return found
        return result

    def set_rules(self, extra: Iterable[Rule]) -> None:
        """Institution terms need the index's synonym filter rebuilt: ``clear`` and reindex (the
        console's reindex does both) after ``index_body`` has them; kept here for the interface."""
        self._extra_rules = list(extra)
