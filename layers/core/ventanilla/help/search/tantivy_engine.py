"""Embedded help search on tantivy: the default engine on one machine, in memory or in a folder.

Queries are built programmatically from analysed terms (never through a query parser), so any
text a citizen types is safe. Each query word becomes a disjunction over the boosted fields of
its exact stem, a fuzzy variant (typo budget by word length) and, for words the content does not
contain, the nearest words that it does; synonym groups add their alternatives at a lower weight.
"""

from __future__ import annotations

import html
import json
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from ventanilla.help.articles import Article, Stage, plain_text
from ventanilla.help.search.base import SearchHit, SearchResult, SectionGroup
from ventanilla.help.search.text import (
    MAX_QUERY_WORDS,
    QUERY_NOISE,
    Synonyms,
    Vocabulary,
    analyzer_for,
    clip_query,
    default_synonyms,
    fold,
    max_edits,
    spans,
    stem,
    words,
)

FIELD_BOOSTS: dict[str, float] = {"title": 3.0, "tags": 2.5, "summary": 1.5, "body": 1.0}
FUZZY_WEIGHT = 0.4  # fuzzy matches score a constant; keep them below a real BM25 match
CORRECTION_WEIGHT = 0.8  # a word the content does not contain, replaced by its nearest known word
SYNONYM_WEIGHT = 0.6
MIN_CORRECTION_FREQ = 2  # only suggest words the content uses more than once
FEW_RESULTS = 3  # "did you mean" only when the words as typed match fewer articles than this
MAX_LIMIT = 100
SNIPPET_WORDS = 32
_TOKENIZER = "help_text"


def _meta(doc: tantivy.Document) -> dict[str, Any]:
    raw = doc.get_first("meta")
    data: dict[str, Any] = json.loads(bytes(raw)) if raw is not None else {}
    return data


def _count(found: tantivy.SearchResult) -> int:
    # ``count`` is missing from tantivy's type stubs but present at runtime when count=True.
    return int(getattr(found, "count", 0) or 0)


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("slug", stored=True, tokenizer_name="raw")
    for name in FIELD_BOOSTS:
        sb.add_text_field(name, stored=True, tokenizer_name=_TOKENIZER)
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
        self.writer = self.index.writer(heap_size=heap_size, num_threads=1)
        self.index.reload()
        self.searcher = self.index.searcher()
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


class TantivyEngine:
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
        heap_size: int = 50_000_000,
        langs: Sequence[str] = ("es", "en"),
    ) -> None:
        self._path = Path(path) if path is not None else None
        self._synonyms = synonyms if synonyms is not None else default_synonyms()
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

    def search(
        self,
        query: str,
        lang: str = "es",
        section: str | None = None,
        stage: str | None = None,
        request_type: str | None = None,
        limit: int = 10,
    ) -> SearchResult:
        text = clip_query(query if isinstance(query, str) else "")
        target = self._langs.get(lang)
        result = SearchResult(query=query if isinstance(query, str) else "", lang=lang, section=section)
        if target is None:
            return result
        limit = max(1, min(int(limit), MAX_LIMIT))
        schema = target.schema
        all_words = words(text)[:MAX_QUERY_WORDS]
        content = [w for w in all_words if w not in QUERY_NOISE] or all_words
        with target.memory_lock:
            plan = self._plan(target, content, all_words)
        if (content and not plan.clauses) or (text.strip() and not all_words):
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
        full = main
        if filters:
            parts = [(tantivy.Occur.Must, main)]
            parts += [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
            full = tantivy.Query.boolean_query(parts)

        searcher = target.searcher  # one snapshot for the whole answer
        found = searcher.search(full, limit=limit, count=True)
        hits = []
        for score, address in found.hits:
            doc = searcher.doc(address)
            meta = _meta(doc)
            snippet = make_snippet(
                str(doc.get_first("body") or ""), meta["summary"], plan.highlight, lang, SNIPPET_WORDS
            )
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
                    snippet=snippet,
                )
            )
        result.hits = hits
        result.total = _count(found)
        result.groups = self._groups(target, searcher, full, section) if result.total else []
        if plan.did_you_mean and self._exact_count(searcher, plan, filters) < FEW_RESULTS:
            result.did_you_mean = plan.did_you_mean
        return result

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
        self, schema: tantivy.Schema, term: str, weight: float, fuzzy: int = 0
    ) -> tantivy.Query:
        subs: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for name, boost in FIELD_BOOSTS.items():
            q = (
                tantivy.Query.fuzzy_term_query(
                    schema, name, term, distance=fuzzy, transposition_cost_one=True
                )
                if fuzzy
                else tantivy.Query.term_query(schema, name, term)
            )
            subs.append((tantivy.Occur.Should, tantivy.Query.boost_query(q, boost * weight)))
        return tantivy.Query.boolean_query(subs)

    def _plan(self, target: _LangIndex, content: list[str], all_words: list[str]) -> _Plan:
        plan = _Plan()
        schema = target.schema
        lang = target.lang
        corrections: dict[str, str] = {}
        exact: list[tantivy.Query] = []
        seen_terms: set[str] = set()
        for w in content:
            s = stem(w, lang)
            if not s or s in seen_terms:
                continue
            seen_terms.add(s)
            plan.highlight.add(s)
            exact.append(self._field_clause(schema, s, 1.0))
            plan.clauses.append(exact[-1])
            budget = max_edits(w)
            if budget:
                distance = min(budget, max(1, max_edits(s)))
                plan.clauses.append(self._field_clause(schema, s, FUZZY_WEIGHT, fuzzy=distance))
            if s in target.stems or not budget:
                continue
            near = target.vocab.similar(w)
            if near and target.vocab.counts[near[0][0]] >= MIN_CORRECTION_FREQ:
                corrections[w] = near[0][0]
            used: set[str] = {s}
            for cand, dist in near:
                cs = stem(cand, lang)
                if cs in used or not cs:
                    continue
                used.add(cs)
                plan.highlight.add(cs)
                plan.clauses.append(self._field_clause(schema, cs, CORRECTION_WEIGHT / dist))
                if len(used) > 3:
                    break
        if lang == "es":
            for exp in self._synonyms.expand(content, key=lambda x: stem(x, lang)):
                for alternative in exp.alternatives:
                    alt_stems = [t for t in (stem(x, lang) for x in alternative) if t]
                    if not alt_stems:
                        continue
                    plan.highlight.update(alt_stems)
                    if len(alt_stems) == 1:
                        plan.clauses.append(self._field_clause(schema, alt_stems[0], SYNONYM_WEIGHT))
                    else:
                        must = [
                            (tantivy.Occur.Must, self._field_clause(schema, t, SYNONYM_WEIGHT))
                            for t in alt_stems
                        ]
                        plan.clauses.append(tantivy.Query.boolean_query(must))
        plan.exact = exact
        if corrections:
            plan.did_you_mean = " ".join(corrections.get(w, w) for w in all_words)
        return plan

    def _groups(
        self, target: _LangIndex, searcher: tantivy.Searcher, query: tantivy.Query, section: str | None
    ) -> list[SectionGroup]:
        agg = searcher.aggregate(query, {"tree": {"terms": {"field": "tree", "size": 10_000}}})
        groups: list[SectionGroup] = []
        for bucket in agg.get("tree", {}).get("buckets", []):
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
        return groups


def make_snippet(
    body: str, summary: str, highlight: set[str], lang: str = "es", size: int = SNIPPET_WORDS
) -> str:
    """A window of about ``size`` words with the most distinct matches, HTML-escaped, matches in <mark>.

    Falls back to the summary when the body has no match, so a hit always shows something.
    """
    for text in (body, summary):
        offsets = list(spans(text))
        if not offsets:
            continue
        keys = [stem(fold(text[a:b]), lang) for a, b in offsets]
        marked = [k in highlight and k != "" for k in keys]
        if not any(marked) and text is body:
            continue
        best_start, best_score = 0, -1
        for i in range(len(offsets)):
            if not marked[i]:
                continue
            start = max(0, i - 4)
            window = {
                k for k, m in zip(keys[start : start + size], marked[start : start + size], strict=True) if m
            }
            if len(window) > best_score:
                best_start, best_score = start, len(window)
        end = min(len(offsets), best_start + size)
        lo = offsets[best_start][0]
        hi = offsets[end - 1][1] if end < len(offsets) else len(text)
        pieces: list[str] = ["…" if lo > 0 else ""]
        cursor = lo
        for (a, b), m in zip(offsets[best_start:end], marked[best_start:end], strict=True):
            if not m:
                continue
            pieces.append(html.escape(text[cursor:a]))
            pieces.append(f"<mark>{html.escape(text[a:b])}</mark>")
            cursor = b
        pieces.append(html.escape(text[cursor:hi]))
        if hi < len(text):
            pieces.append("…")
        return " ".join("".join(pieces).split())
    return html.escape(summary[:300])
