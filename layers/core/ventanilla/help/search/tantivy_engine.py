"""Embedded help search on tantivy: the default engine on one machine, in memory or in a folder.

Queries are built programmatically from analysed terms (never through a query parser), so any
text a citizen types is safe. Each query word becomes a disjunction over the boosted fields of
its exact stem, a fuzzy variant (typo budget by word length) and, for words the content does not
contain, the nearest words that it does; synonym groups add their alternatives at a lower weight.
"""

from __future__ import annotations

import html
import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from ventanilla.help.articles import Article, Stage, plain_text
from ventanilla.help.search.base import HelpSearchEngine, Query, SearchHit, SearchResult, SectionGroup
from ventanilla.help.search.confidence import CONFIDENT_AT, Coverage, confidence_of
from ventanilla.help.search.text import (
    CHAINED,
    DEFAULT_COUNTRY,
    MAX_QUERY_WORDS,
    QUERY_NOISE,
    Expansion,
    Rule,
    Synonyms,
    Vocabulary,
    analyzer_for,
    clip_query,
    default_lexicon,
    default_synonyms,
    false_friends,
    glossary,
    local_names,
    localise,
    max_edits,
    official_names,
    plural_key,
    stem,
    unstemmed_analyzer,
    words,
)

FIELD_BOOSTS: dict[str, float] = {"title": 3.0, "tags": 2.5, "summary": 1.5, "body": 1.0}
# Fields listed here score a constant (boost x idf) instead of BM25, so a short field does not win
# by its length alone. Measured on both evaluation sets (make bench): constant titles lost 0.10
# nDCG on the demo's all-caps queries and 0.04 on synonyms; constant tags lost 0.02 on typos and
# broke "sertificado de residensia"; neither gained elsewhere, so both stay BM25 for now.
CONSTANT_FIELDS: frozenset[str] = frozenset()
CONSTANT_SCALE = 1.2  # about what BM25 gives one occurrence in a field of average length
FUZZY_WEIGHT = 0.4  # fuzzy matches score a constant; keep them below a real BM25 match
CORRECTION_WEIGHT = 0.8  # a word the content does not contain, replaced by its nearest known word
PHRASE_SPLIT = 0.5  # a phrase of n words weighs weight/sqrt(n) per word (measured: 0, 0.5, 1)
SPAN_TIE_BREAKER = 0.1  # a word and its expansions score as the best of them plus a little
# Expansions also add a bounded bonus: each one an article contains (by field) scores a constant
# (field boost x its weight x EXPANSION_BONUS), and a word's expansions combine as the best of them
# plus EXPANSION_BONUS_TIE of the others, and only articles that also hold the word as typed get
# it (corroboration: an expansion alone still scores below the word; a word no article uses gets
# no bonus, its expansions rank by BM25 as before). An article that uses both the citizen's word
# and the institution's ("basura" and "aseo", "edificacion" and "construir") ranks above one that
# only repeats the citizen's word, and a word with many synonyms cannot outweigh the rest.
# Tuned with make bench on both sets (even and odd queries checked apart): 3.0 / 0.6 keep every
# demo style within 0.01 of the engine before the lexicon (see the README's relevance rows).
EXPANSION_BONUS = 3.0
EXPANSION_BONUS_TIE = 0.6
FALSE_FRIEND_BOOST = 2.0  # a listed word matched on the unstemmed field (all fields in one)
MIN_CORRECTION_FREQ = 2  # only suggest words the content uses more than once
FEW_RESULTS = 3  # "did you mean" only when the words as typed match fewer articles than this
MAX_LIMIT = 100
KEEP_UNTRANSLATED = 3  # letters: shorter English words left out of a translation are function words
SNIPPET_CHARS = 220
_TOKENIZER = "help_text"
_WORDS_TOKENIZER = "help_words"  # folded, unstemmed: for words the stemmer would confuse


_UNSTEMMED: list[tantivy.TextAnalyzer] = []
_STEMS: dict[tuple[str, str], frozenset[str]] = {}  # (lang, article text) -> its stems


def unstemmed_analyzer_cached() -> tantivy.TextAnalyzer:
    if not _UNSTEMMED:
        _UNSTEMMED.append(unstemmed_analyzer())
    return _UNSTEMMED[0]


CACHE_SIZE = 2048  # per-article work kept between searches (parsed meta, first-hit stems)


def _bounded_put(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Insert into a dict used as a bounded cache: cleared when full (cheap, no LRU bookkeeping)."""
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value


_META: dict[bytes, dict[str, Any]] = {}  # keyed by the stored bytes themselves: never stale


def _meta(doc: tantivy.Document) -> dict[str, Any]:
    raw = doc.get_first("meta")
    if raw is None:
        return {}
    key = bytes(raw)
    data = _META.get(key)
    if data is None:
        data = json.loads(key)
        _bounded_put(_META, key, data)
    return data


def _count(found: tantivy.SearchResult) -> int:
    # ``count`` is missing from tantivy's type stubs but present at runtime when count=True.
    return int(getattr(found, "count", 0) or 0)


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("slug", stored=True, tokenizer_name="raw")
    for name in FIELD_BOOSTS:
        sb.add_text_field(name, stored=True, tokenizer_name=_TOKENIZER)
    sb.add_text_field("words", tokenizer_name=_WORDS_TOKENIZER)  # every field, unstemmed
    sb.add_text_field("sections", tokenizer_name="raw")  # every slug of the path, for filtering
    sb.add_text_field("tree", tokenizer_name="raw", fast=True)  # path prefixes "a", "a/b", for groups
    sb.add_text_field("stage", tokenizer_name="raw")
    sb.add_text_field("rtype", tokenizer_name="raw")  # "type" and "type/subtype"
    sb.add_bytes_field("meta", stored=True)
    return sb.build()


@dataclass
class _Plan:
    """What a query turned into: tantivy clauses, stems to highlight and an optional correction."""

    clauses: list[tantivy.Query] = field(default_factory=list)
    highlight: set[str] = field(default_factory=set)
    did_you_mean: str | None = None
    exact: list[tantivy.Query] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    # The expansion bonuses among ``clauses``: they only score articles another clause already
    # matches, so counting and grouping the matches can leave them out.
    bonus: list[tantivy.Query] = field(default_factory=list)


class _LangIndex:
    """One tantivy index per language, because the analyzer (stop words, stemmer) is per field."""

    def __init__(self, lang: str, path: Path | None, heap_size: int) -> None:
        self.lang = lang
        self.schema = _schema()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        else:
            self.index = tantivy.Index(self.schema)
        self.index.register_tokenizer(_TOKENIZER, analyzer_for(lang))
        self.index.register_tokenizer(_WORDS_TOKENIZER, unstemmed_analyzer())
        self.writer = self.index.writer(heap_size=heap_size, num_threads=1)
        self.index.reload()
        self.searcher = self.index.searcher()
        # Per-term tantivy clauses (fields x boosts), reused by the next searches until a commit:
        # the same words come back query after query, and each clause is several Rust objects.
        self.clauses: dict[tuple[Any, ...], tantivy.Query] = {}
        # Guards vocab/stems/titles: held briefly by writers and by query planning, never during
        # a tantivy search or commit, so searches do not wait for a bulk load.
        self.memory_lock = threading.Lock()
        self.vocab = Vocabulary()  # folded words, for corrections and did_you_mean
        self.stems: Counter[str] = Counter()  # indexed stems: a word is "unknown" if its stem is absent
        self.doc_words: dict[str, list[str]] = {}
        self.titles: dict[str, str] = {}  # section path "a/b" -> human title
        if self.searcher.num_docs:
            self._rebuild_memory()

    def _rebuild_memory(self) -> None:
        """Reopened from disk: recount the vocabulary from the stored documents."""
        result = self.searcher.search(tantivy.Query.all_query(), limit=max(1, self.searcher.num_docs))
        for _, address in result.hits:
            doc = self.searcher.doc(address)
            meta = _meta(doc)
            text = " ".join(str(doc.get_first(f) or "") for f in FIELD_BOOSTS)
            self._remember(meta, words(text))

    def _remember(self, meta: dict[str, Any], ws: list[str]) -> None:
        with self.memory_lock:
            self._remember_locked(meta, ws)

    def _remember_locked(self, meta: dict[str, Any], ws: list[str]) -> None:
        self.doc_words[meta["slug"]] = ws
        self.vocab.add(ws)
        self.stems.update(stem(w, self.lang) for w in set(ws))
        for i, title in enumerate(meta["section_titles"]):
            self.titles["/".join(meta["section_path"][: i + 1])] = title

    def _forget(self, slug: str) -> None:
        with self.memory_lock:
            self._forget_locked(slug)

    def _forget_locked(self, slug: str) -> None:
        old = self.doc_words.pop(slug, None)
        if old:
            self.vocab.subtract(old)
            self.stems.subtract(stem(w, self.lang) for w in set(old))
            self.stems += Counter()  # drop zero counts

    def upsert(self, article: Article) -> None:
        self.writer.delete_documents_by_term("slug", article.slug)
        self._forget(article.slug)
        if article.status != "published":
            return
        body = plain_text(article.body_md)
        tags = " ".join(article.tags)
        doc = tantivy.Document()
        doc.add_text("slug", article.slug)
        doc.add_text("title", article.title)
        doc.add_text("tags", tags)
        doc.add_text("summary", article.summary)
        doc.add_text("body", body)
        doc.add_text("words", f"{article.title} {tags} {article.summary} {body}")
        for i, slug in enumerate(article.section_path):
            doc.add_text("sections", slug)
            doc.add_text("tree", "/".join(article.section_path[: i + 1]))
        doc.add_text("stage", article.stage.value)
        for code in article.request_types:
            doc.add_text("rtype", code)
            if "/" in code:
                doc.add_text("rtype", code.split("/", 1)[0])
        meta = {
            "slug": article.slug,
            "title": article.title,
            "summary": article.summary,
            "section_path": article.section_path,
            "section_titles": article.section_titles,
            "stage": article.stage.value,
        }
        doc.add_bytes("meta", json.dumps(meta, ensure_ascii=False).encode())
        self.writer.add_document(doc)
        self._remember(meta, words(f"{article.title} {tags} {article.summary} {body}"))

    def delete(self, slug: str) -> None:
        self.writer.delete_documents_by_term("slug", slug)
        self._forget(slug)

    def delete_all(self) -> None:
        self.writer.delete_all_documents()
        with self.memory_lock:
            self.vocab = Vocabulary()
            self.stems = Counter()
            self.doc_words.clear()
            self.titles.clear()

    def commit(self) -> None:
        self.writer.commit()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.clauses = {}


class TantivyEngine(HelpSearchEngine):
    """:class:`~ventanilla.help.search.base.HelpSearchEngine` on embedded tantivy.

    ``path=None`` keeps the index in memory (tests, small deployments, a Lambda warm cache);
    a folder persists it, one sub-folder per language. One engine per folder: tantivy allows a
    single writer. Searches run concurrently; writes are serialised and swap in a new searcher
    after each commit.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        synonyms: Synonyms | None = None,
        lexicon: Synonyms | None = None,
        heap_size: int = 50_000_000,
        langs: Sequence[str] = ("es", "en"),
        country: str = DEFAULT_COUNTRY,
    ) -> None:
        self._path = Path(path) if path is not None else None
        self._synonyms = synonyms if synonyms is not None else default_synonyms()
        self._base_lexicon = lexicon if lexicon is not None else default_lexicon()
        self._lexicon = self._base_lexicon
        self._local_names = local_names(country)  # the institution's own words, second hop only
        self._official_names = official_names(country)  # what the glossary's common names are here
        self._keys: dict[str, Callable[[str], str]] = {}
        # Rules reached from one target phrase (the second hop of an expansion): the same targets
        # come back query after query; emptied whenever the rules change.
        self._hops: dict[tuple[str, ...], list[Expansion]] = {}
        self._lock = threading.RLock()
        self._langs: dict[str, _LangIndex] = {
            lang: _LangIndex(lang, self._path / lang if self._path else None, heap_size) for lang in langs
        }

    # --- writes ---------------------------------------------------------------------------

    def index(self, articles: Iterable[Article]) -> None:
        with self._lock:
            touched: set[str] = set()
            for article in articles:
                target = self._langs.get(article.lang)
                if target is None:
                    raise ValueError(f"language '{article.lang}' is not configured for this engine")
                target.upsert(article)
                touched.add(article.lang)
            for lang in touched:
                self._langs[lang].commit()

    def remove(self, slug: str, lang: str) -> None:
        with self._lock:
            target = self._langs.get(lang)
            if target is not None:
                target.delete(slug)
                target.commit()

    def clear(self) -> None:
        with self._lock:
            for target in self._langs.values():
                target.delete_all()
                target.commit()

    def count(self) -> int:
        return sum(int(t.searcher.num_docs) for t in self._langs.values())

    # --- reads ----------------------------------------------------------------------------

    def find(self, q: Query) -> SearchResult:
        lang, section, stage, request_type, limit = q.lang, q.section, q.stage, q.request_type, q.limit
        text = clip_query(q.text)
        result = self._search(text, lang, section, stage, request_type, limit)
        result.query = q.text
        if lang in ("en", "es") and text.strip() and not result.confident and "es" in self._langs:
            # English words the articles of ``lang`` do not answer: look for them, translated by
            # the glossary, in the Spanish articles; the hits say lang "es" and the answer says so.
            spanish_vocab = self._langs["es"].vocab
            # An untranslated word stays when the Spanish content uses it or when it is long
            # enough to be a topic ("passport"): it then counts against confidence, as it should.
            spanish, translated = glossary().translate(
                text, keep=lambda w: w in spanish_vocab or len(w) >= KEEP_UNTRANSLATED
            )
            if translated:
                spanish = localise(spanish, self._official_names)
            if not translated and lang == "en":
                # Nothing to translate: on the English portal the query may be Spanish as typed
                # ("permiso de edificación"); the Spanish articles are then asked as they are.
                spanish = text
            if spanish and (translated or lang == "en"):
                found = self._search(spanish, "es", section, stage, request_type, limit)
                if found.hits and (found.confident or not result.hits):
                    # Also on the Spanish portal: "property tax" typed there finds the same.
                    found.query = result.query
                    found.lang = lang
                    found.results_lang = "es" if lang != "es" else None
                    found.translated_query = spanish if translated else None
                    found.did_you_mean = None
                    return found
        return result

    def _search(
        self,
        text: str,
        lang: str,
        section: str | None,
        stage: str | None,
        request_type: str | None,
        limit: int,
    ) -> SearchResult:
        target = self._langs.get(lang)
        result = SearchResult(query=text, lang=lang, section=section)
        if target is None:
            result.confident = False
            return result
        limit = max(1, min(int(limit), MAX_LIMIT))
        schema = target.schema
        all_words = words(text)[:MAX_QUERY_WORDS]
        content = [w for w in all_words if w not in QUERY_NOISE] or all_words
        searcher = target.searcher  # one snapshot for the whole answer
        with target.memory_lock:
            plan = self._plan(target, searcher, content, all_words)
        if (content and not plan.clauses) or (text.strip() and not all_words):
            result.confident = False
            return result  # only stop words, symbols or emoji: nothing meaningful to look for
        main = (
            tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in plan.clauses])
            if plan.clauses
            else tantivy.Query.all_query()
        )
        filters: list[tantivy.Query] = []
        if section:
            filters.append(tantivy.Query.term_query(schema, "sections", section))
        if stage:
            filters.append(tantivy.Query.term_query(schema, "stage", stage))
        if request_type:
            filters.append(tantivy.Query.term_query(schema, "rtype", request_type))
        full = self._filtered(main, filters)

        # Top hits without counting; the count comes with the section aggregation below (one pass
        # over the matches instead of two).
        found = searcher.search(full, limit=limit)
        snippets = _Snippets(searcher, schema, plan.highlight) if found.hits else None
        hits = []
        for rank, (score, address) in enumerate(found.hits):
            doc = searcher.doc(address)
            meta = _meta(doc)
            assert snippets is not None
            if rank == 0 and plan.coverage:
                result.confidence = round(self._confidence(target, doc, plan), 3)
                result.confident = result.confidence >= CONFIDENT_AT
            hits.append(
                SearchHit(
                    slug=meta["slug"],
                    lang=lang,
                    title=meta["title"],
                    summary=meta["summary"],
                    section_path=meta["section_path"],
                    section_titles=meta["section_titles"],
                    stage=Stage(meta["stage"]),
                    score=round(float(score), 4),
                    snippet=snippets.of(doc, meta["summary"]),
                )
            )
        result.hits = hits
        if not hits:
            result.confident = False
            result.confidence = 0.0 if plan.coverage else None
        if hits:
            matching = main
            if plan.bonus:
                ids = {id(b) for b in plan.bonus}
                matching = self._should([c for c in plan.clauses if id(c) not in ids])
            result.total, result.groups = self._groups(
                target, searcher, self._filtered(matching, filters), section
            )
        if plan.did_you_mean and self._exact_count(searcher, plan, filters) < FEW_RESULTS:
            result.did_you_mean = plan.did_you_mean
        return result

    @staticmethod
    def _filtered(query: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
        if not filters:
            return query
        parts = [(tantivy.Occur.Must, query)]
        parts += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
        return tantivy.Query.boolean_query(parts)

    @staticmethod
    def _confidence(target: _LangIndex, doc: tantivy.Document, plan: _Plan) -> float:
        # The first hit's words and stems through the index's own analyzers (Rust), not Python.
        text = " ".join(str(doc.get_first(f) or "") for f in FIELD_BOOSTS)
        stems = _STEMS.get((target.lang, text))
        if stems is None:  # keyed by the article's text itself: an edited article is a new key
            stems = frozenset(analyzer_for(target.lang).analyze(text))
            _bounded_put(_STEMS, (target.lang, text), stems)
        ws = set(unstemmed_analyzer_cached().analyze(text)) if any(c.forms for c in plan.coverage) else set()
        return confidence_of(plan.coverage, stems, ws, max(1, int(target.searcher.num_docs)))

    def unknown_words(self, text: str, lang: str = "es") -> list[str]:
        """Words of ``text`` that no article uses and no synonym, lexicon entry or search term
        covers: what the content gaps page proposes as new search terms."""
        target = self._langs.get(lang)
        if target is None:
            return []
        found: list[str] = []
        for w in words(clip_query(text))[:MAX_QUERY_WORDS]:
            if w in QUERY_NOISE or w.isdigit() or len(w) < 3:
                continue
            s = stem(w, lang)
            with target.memory_lock:
                known = not s or s in target.stems
            if (
                known
                or self._lexicon.expand([w], key=plural_key)
                or self._synonyms.expand([w], key=self._key(lang))
            ):
                continue
            found.append(w)
        return list(dict.fromkeys(found))

    def set_rules(self, extra: Iterable[Rule]) -> None:
        """Add an institution's own terms (the console's synonyms) to the packaged lexicon."""
        self._lexicon = self._base_lexicon.with_rules(extra)
        self._hops = {}

    def sections(self, lang: str = "es") -> list[SectionGroup]:
        target = self._langs.get(lang)
        if target is None:
            return []
        searcher = target.searcher
        if not searcher.num_docs:
            return []
        agg = searcher.aggregate(
            tantivy.Query.all_query(), {"tree": {"terms": {"field": "tree", "size": 10_000}}}
        )
        with target.memory_lock:
            titles = dict(target.titles)
        groups = [
            SectionGroup(
                slug=str(b["key"]).split("/")[-1],
                title=titles.get(str(b["key"]), str(b["key"]).split("/")[-1]),
                path=str(b["key"]).split("/"),
                count=int(b["doc_count"]),
            )
            for b in agg.get("tree", {}).get("buckets", [])
        ]
        groups.sort(key=lambda g: (len(g.path), g.path))
        return groups

    @staticmethod
    def _exact_count(searcher: tantivy.Searcher, plan: _Plan, filters: list[tantivy.Query]) -> int:
        """How many articles hold every word as typed, without typo tolerance or synonyms: a
        misspelt word in a phrase finds nothing however common the other words are."""
        if not plan.exact:
            return 0
        exact = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in plan.exact])
        if filters:
            exact = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, exact)] + [(tantivy.Occur.Must, f) for f in filters]
            )
        return _count(searcher.search(exact, limit=1, count=True))

    def _field_clause(
        self, searcher: tantivy.Searcher, schema: tantivy.Schema, term: str, weight: float, fuzzy: int = 0
    ) -> tantivy.Query:
        subs: list[tuple[tantivy.Occur, tantivy.Query]] = []
        n_docs = max(1, int(searcher.num_docs))
        for name, boost in FIELD_BOOSTS.items():
            if fuzzy:
                q = tantivy.Query.fuzzy_term_query(
                    schema, name, term, distance=fuzzy, transposition_cost_one=True
                )
            elif name in CONSTANT_FIELDS:
                df = int(searcher.doc_freq(name, term))
                if not df:
                    continue
                idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
                q = tantivy.Query.const_score_query(
                    tantivy.Query.term_query(schema, name, term), CONSTANT_SCALE * idf
                )
            else:
                q = tantivy.Query.term_query(schema, name, term)
            subs.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost * weight)))
        if not subs:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query(subs)

    def _clause(
        self, target: _LangIndex, searcher: tantivy.Searcher, term: str, weight: float, fuzzy: int = 0
    ) -> tantivy.Query:
        key = ("f", term, weight, fuzzy)
        found = target.clauses.get(key)
        if found is None:
            found = self._field_clause(searcher, target.schema, term, weight, fuzzy)
            _bounded_put(target.clauses, key, found)
        return found

    def _bonus(self, target: _LangIndex, stems: tuple[str, ...], weight: float) -> tantivy.Query:
        key = ("b", stems, weight)
        found = target.clauses.get(key)
        if found is None:
            found = self._bonus_clause(target.schema, stems, weight)
            _bounded_put(target.clauses, key, found)
        return found

    @staticmethod
    def _bonus_clause(schema: tantivy.Schema, stems: tuple[str, ...], weight: float) -> tantivy.Query:
        """A constant per field that holds every stem of ``stems`` (field boost x ``weight``)."""
        subs = []
        for name, boost in FIELD_BOOSTS.items():
            inner = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.term_query(schema, name, t)) for t in stems]
            )
            subs.append((tantivy.Occur.Should, tantivy.Query.const_score_query(inner, boost * weight)))
        return tantivy.Query.boolean_query(subs)

    @staticmethod
    def _should(queries: list[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])

    def _forms_clause(self, schema: tantivy.Schema, forms: Iterable[str]) -> tantivy.Query:
        subs = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "words", f)) for f in sorted(forms)]
        return tantivy.Query.boost_query(tantivy.Query.boolean_query(subs), FALSE_FRIEND_BOOST)

    def _key(self, lang: str) -> Callable[[str], str]:
        """How query words and rule phrases compare: by stem, a stop word by itself ("un" != "una")."""
        found = self._keys.get(lang)
        if found is None:
            friends = false_friends()

            def found(w: str) -> str:
                family = friends.family(w)
                if family:
                    return "=" + min(family)  # a false friend matches its own forms only
                return stem(w, lang) or w

            self._keys[lang] = found
        return found

    def _expansions(self, all_words: list[str], content: set[str] | None = None) -> list[Expansion]:
        """Synonym groups (compared by stem) and lexicon rules (compared by plural_key), each target
        followed one hop through both, so a regional word reaches this institution's own word.

        Rules that match the same words are merged into one expansion (one concept, scored once).
        A span made only of words the query drops as noise ("municipal") is not expanded either.
        """
        key = self._key("es")
        found = self._synonyms.expand(all_words, key=key) + self._lexicon.expand(all_words, key=plural_key)
        if content is not None:
            found = [e for e in found if any(w in content for w in all_words[e.start : e.end])]
        out: list[Expansion] = []
        for exp in found:
            weights = dict(
                zip(exp.alternatives, exp.weights or (exp.weight,) * len(exp.alternatives), strict=True)
            )
            literal = tuple(all_words[exp.start : exp.end])
            for target, weight in list(weights.items()):
                hops = self._hop(target)
                for hop in hops:
                    if hop.start != 0 or hop.end != len(target):
                        continue
                    for alt in hop.alternatives:
                        if alt not in weights and alt != literal:
                            weights[alt] = weight * CHAINED
            out.append(Expansion(exp.start, exp.end, tuple(weights), exp.weight, tuple(weights.values())))
        merged: dict[tuple[int, int], dict[tuple[str, ...], float]] = {}
        for exp in out:
            into = merged.setdefault((exp.start, exp.end), {})
            for alt, weight in zip(exp.alternatives, exp.weights, strict=True):
                into[alt] = max(into.get(alt, 0.0), weight)
        return [
            Expansion(start, end, tuple(alts), max(alts.values()), tuple(alts.values()))
            for (start, end), alts in merged.items()
        ]

    def _hop(self, target: tuple[str, ...]) -> list[Expansion]:
        hops = self._hops.get(target)
        if hops is None:
            hops = (
                self._synonyms.expand(target, key=self._key("es"))
                + self._lexicon.expand(target, key=plural_key)
                + self._local_names.expand(target, key=plural_key)
            )
            _bounded_put(self._hops, target, hops)
        return hops

    def _plan(
        self, target: _LangIndex, searcher: tantivy.Searcher, content: list[str], all_words: list[str]
    ) -> _Plan:
        plan = _Plan()
        schema = target.schema
        lang = target.lang
        corrections: dict[str, str] = {}
        exact: list[tantivy.Query] = []
        seen_terms: set[str] = set()
        content_set = set(content)
        expansions = self._expansions(all_words, content_set) if lang == "es" else []
        spans_of: dict[int, list[tuple[str, ...]]] = {}
        alternatives: list[list[tantivy.Query]] = []
        bonuses: list[list[tantivy.Query]] = []
        for exp in expansions:
            alts = [tuple(t for t in (stem(x, lang) for x in alt) if t) for alt in exp.alternatives]
            for i in range(exp.start, exp.end):
                spans_of.setdefault(i, []).extend(a for a in alts if a)
            weights = exp.weights or (exp.weight,) * len(alts)
            queries: list[tantivy.Query] = []
            bonus: list[tantivy.Query] = []
            for alt_stems, weight in zip(alts, weights, strict=True):
                if not alt_stems:
                    continue
                plan.highlight.update(alt_stems)
                bonus.append(self._bonus(target, alt_stems, weight * EXPANSION_BONUS))
                if len(alt_stems) == 1:
                    queries.append(self._clause(target, searcher, alt_stems[0], weight))
                else:
                    # Every word of a phrase must match; together they weigh as one word would.
                    share = weight / len(alt_stems) ** PHRASE_SPLIT
                    must = [(tantivy.Occur.Must, self._clause(target, searcher, t, share)) for t in alt_stems]
                    queries.append(tantivy.Query.boolean_query(must))
            alternatives.append(queries)
            bonuses.append(bonus)
        literal: dict[int, tantivy.Query] = {}
        present: dict[int, tantivy.Query] = {}  # articles that hold a query word as typed
        friends = false_friends() if lang == "es" else None
        for i, w in enumerate(all_words):
            if w not in content_set:
                continue
            s = stem(w, lang)
            if not s or s in seen_terms:
                continue
            seen_terms.add(s)
            cov = Coverage(w, phrases=list(spans_of.get(i, ())))
            plan.coverage.append(cov)
            family = friends.family(w) if friends else None
            if family:
                cov.forms = family
                cov.df = max(1, target.stems.get(s, 0))
                exact.append(self._forms_clause(schema, family))
                literal[i] = exact[-1]
                present[i] = exact[-1]
                continue
            cov.stems.add(s)
            plan.highlight.add(s)
            exact.append(self._clause(target, searcher, s, 1.0))
            literal[i] = exact[-1]
            known = s in target.stems
            if known:
                present[i] = self._should([tantivy.Query.term_query(schema, f, s) for f in FIELD_BOOSTS])
            cov.df = target.stems.get(s, 0)
            if not cov.df and cov.phrases:
                cov.df = max(target.stems.get(p[0], 0) for p in cov.phrases)
            budget = max_edits(w)
            if known or not budget or i in spans_of:
                continue  # typo tolerance only for words the content does not know
            distance = min(budget, max(1, max_edits(s)))
            plan.clauses.append(self._clause(target, searcher, s, FUZZY_WEIGHT, fuzzy=distance))
            near = target.vocab.similar(w)
            if near and target.vocab.counts[near[0][0]] >= MIN_CORRECTION_FREQ:
                corrections[w] = near[0][0]
            used: set[str] = {s}
            for cand, dist in near:
                cs = stem(cand, lang)
                if cs in used or not cs:
                    continue
                used.add(cs)
                cov.stems.add(cs)
                cov.df = max(cov.df, target.stems.get(cs, 0))
                plan.highlight.add(cs)
                plan.clauses.append(self._clause(target, searcher, cs, CORRECTION_WEIGHT / dist))
                if len(used) > 3:
                    break
        # A word and its expansions count once, as the best of them (the word itself scores 1.0, an
        # expansion less): a word with many synonyms must not outweigh the rest of the query.
        for exp, queries, bonus in zip(expansions, alternatives, bonuses, strict=True):
            own = [literal.pop(i) for i in range(exp.start, exp.end) if i in literal]
            if own:
                queries = [own[0] if len(own) == 1 else self._should(own), *queries]
            if queries:
                plan.clauses.append(tantivy.Query.disjunction_max_query(queries, SPAN_TIE_BREAKER))
            typed = [present[i] for i in range(exp.start, exp.end) if i in present]
            if bonus and typed:  # only articles that use the word as typed get the bonus
                holds = tantivy.Query.const_score_query(self._should(typed), 0.0)
                best = tantivy.Query.disjunction_max_query(bonus, EXPANSION_BONUS_TIE)
                plan.bonus.append(
                    tantivy.Query.boolean_query([(tantivy.Occur.Must, holds), (tantivy.Occur.Must, best)])
                )
                plan.clauses.append(plan.bonus[-1])
        plan.clauses.extend(literal.values())
        plan.exact = exact
        if corrections:
            plan.did_you_mean = " ".join(corrections.get(w, w) for w in all_words)
        return plan

    def _groups(
        self, target: _LangIndex, searcher: tantivy.Searcher, query: tantivy.Query, section: str | None
    ) -> tuple[int, list[SectionGroup]]:
        """How many articles match and the section groups. Every article has a top-level section
        and only one, so the top-level buckets add up to the count when none was left out."""
        agg = searcher.aggregate(query, {"tree": {"terms": {"field": "tree", "size": 10_000}}})
        tree = agg.get("tree", {})
        buckets = tree.get("buckets", [])
        total = sum(int(b["doc_count"]) for b in buckets if "/" not in str(b["key"]))
        if tree.get("sum_other_doc_count") or tree.get("doc_count_error_upper_bound"):
            total = _count(searcher.search(query, limit=1, count=True))
        groups: list[SectionGroup] = []
        for bucket in buckets:
            key = str(bucket["key"])
            path = key.split("/")
            if section is None and len(path) != 1:
                continue
            if section is not None and (len(path) < 2 or path[-2] != section):
                continue
            groups.append(
                SectionGroup(
                    slug=path[-1],
                    title=target.titles.get(key, path[-1]),
                    path=path,
                    count=int(bucket["doc_count"]),
                )
            )
        groups.sort(key=lambda g: (-g.count, g.title))
        return total, groups


class _Snippets:
    """Snippets from tantivy's SnippetGenerator over the body (matches in <mark>, HTML-escaped).

    The generator scores fragments by the query's body terms in Rust; nothing is re-folded or
    re-stemmed per hit. Falls back to the summary when the body holds no match.
    """

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema, highlight: set[str]) -> None:
        self._generator: tantivy.SnippetGenerator | None = None
        terms = sorted(t for t in highlight if t)
        if terms:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t)) for t in terms]
            )
            self._generator = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
            self._generator.set_max_num_chars(SNIPPET_CHARS)

    def of(self, doc: tantivy.Document, summary: str) -> str:
        if self._generator is not None:
            snippet = self._generator.snippet_from_doc(doc)
            marks = snippet.highlighted()
            if marks:
                body = str(doc.get_first("body") or "")
                span = snippet.fragment_range()
                lo, hi = span.start, span.end
                return _marked(body, lo, hi, [(r.start, r.end) for r in marks])
        return html.escape(summary[:300])


_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks, escaped past html.escape then swapped for tags
_OPEN_B, _CLOSE_B = _OPEN.encode(), _CLOSE.encode()


def _marked(text: str, lo: int, hi: int, marks: list[tuple[int, int]]) -> str:
    """``text[lo:hi]`` escaped, with each (start, end) range (relative to ``lo``) wrapped in <mark>.

    Offsets from tantivy are byte offsets into the UTF-8 text. The text is encoded, decoded and
    escaped once per snippet (not once per piece): this runs for every hit of every search."""
    if _OPEN in text or _CLOSE in text:
        return _marked_by_piece(text, lo, hi, marks)
    whole = text.encode("utf-8")
    raw = whole[lo:hi]
    parts: list[bytes] = []
    cursor = 0
    for a, b in sorted(marks):
        if a < cursor:
            continue
        parts += (raw[cursor:a], _OPEN_B, raw[a:b], _CLOSE_B)
        cursor = b
    parts.append(raw[cursor:])
    out = html.escape(b"".join(parts).decode("utf-8", "ignore"))
    out = out.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    if lo > 0:
        out = "…" + out
    if hi < len(whole):
        out += "…"
    return " ".join(out.split())


def _marked_by_piece(text: str, lo: int, hi: int, marks: list[tuple[int, int]]) -> str:
    """:func:`_marked` for a text that holds the private-use marks itself: piece by piece."""
    raw = text.encode("utf-8")[lo:hi]
    pieces = ["…" if lo > 0 else ""]
    cursor = 0
    for a, b in sorted(marks):
        if a < cursor:
            continue
        pieces.append(html.escape(raw[cursor:a].decode("utf-8", "ignore")))
        pieces.append(f"<mark>{html.escape(raw[a:b].decode('utf-8', 'ignore'))}</mark>")
        cursor = b
    pieces.append(html.escape(raw[cursor:].decode("utf-8", "ignore")))
    if hi < len(text.encode("utf-8")):
        pieces.append("…")
    return " ".join("".join(pieces).split())
