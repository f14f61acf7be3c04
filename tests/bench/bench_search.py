"""Help search benchmark: relevance by query style on two institutions' help content, beside BM25
and substring baselines, "no answer" precision/recall, then latency on 10,000 articles beside
tantivy's bare query time.

Run from the repository root: ``.venv/bin/python -m tests.bench search``. Figures go to stdout;
nothing here asserts timings.

Sets: the demo municipality (``infra/seed``, ``tests/relevance/queries_es.jsonl``) and a second,
different institution, a water utility plus another municipality
(``tests/relevance/second_*.jsonl``), and held-out regional and English queries on the second
set, written after the lexicon was frozen. Queries of style ``english`` are sent with ``lang=en`` as the
English portal sends them; ``no_answer`` queries have no relevant article and are scored only by
whether the engine says it has no confident answer.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rank_bm25 import BM25Okapi

from tests.bench.sizes import size
from tests.relevance.metrics import evaluate, no_answer_scores
from ventanilla.help.articles import Article, load_jsonl, plain_text
from ventanilla.help.search import HelpSearchEngine, make_engine

ROOT = Path(__file__).resolve().parents[2]
REL = ROOT / "tests" / "relevance"
SETS = {
    "demo municipality": (ROOT / "infra" / "seed" / "help_articles.jsonl", REL / "queries_es.jsonl"),
    "water utility + municipality": (REL / "second_articles.jsonl", REL / "second_queries.jsonl"),
    "held out (written after the lexicon)": (
        REL / "second_articles.jsonl",
        REL / "second_queries_heldout.jsonl",
    ),
}
N_ARTICLES = size(10_000, 200)
N_SEARCHES = size(2_000, 20)
NO_ANSWER = "no_answer"

Ranker = Callable[[str, str], tuple[list[str], bool]]  # (query, style) -> (slugs, confident)


@dataclass(frozen=True)
class Judged:
    query: str
    relevant: dict[str, int]
    style: str


def judged_queries(path: Path) -> list[Judged]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Judged(i["query"], i["relevant"], i.get("style") or i.get("kind") or "plain") for i in items]


def _doc_text(a: Article) -> str:
    return f"{a.title} {' '.join(a.tags)} {a.summary} {plain_text(a.body_md)}"


def bm25_ranker(articles: Sequence[Article]) -> Ranker:
    """Plain BM25 (rank_bm25) over lowercase whitespace tokens: no stemming, folding or typos."""
    bm25 = BM25Okapi([_doc_text(a).lower().split() for a in articles])

    def rank(query: str, style: str) -> tuple[list[str], bool]:
        scores = bm25.get_scores(query.lower().split())
        order = sorted(range(len(articles)), key=lambda i: -scores[i])
        found = [articles[i].slug for i in order[:10] if scores[i] > 0]
        return found, bool(found)

    return rank


def substring_ranker(articles: Sequence[Article]) -> Ranker:
    """What a SQL ``LIKE '%word%'`` per query word gives: ranked by how many words occur."""
    texts = [_doc_text(a).lower() for a in articles]

    def rank(query: str, style: str) -> tuple[list[str], bool]:
        ws = query.lower().split()
        counts = [sum(1 for w in ws if w in t) for t in texts]
        order = sorted(range(len(articles)), key=lambda i: -counts[i])
        found = [articles[i].slug for i in order[:10] if counts[i] > 0]
        return found, bool(found)

    return rank


def engine_ranker(engine: HelpSearchEngine) -> Ranker:
    def rank(query: str, style: str) -> tuple[list[str], bool]:
        result = engine.search(query, lang="en" if style == "english" else "es")
        slugs = [h.slug for h in result.hits]
        confident = getattr(result, "confident", None)
        return slugs, bool(slugs) if confident is None else bool(confident and slugs)

    return rank


def score_by_style(ranker: Ranker, judged: Sequence[Judged]) -> dict[str, dict[str, float]]:
    """Ranking metrics per style and over every answerable query ("all"), plus no-answer P/R."""
    runs: dict[str, list[tuple[list[str], dict[str, int]]]] = {}
    flagged: list[tuple[bool, bool]] = []  # (engine said "no answer", truly no answer)
    for j in judged:
        slugs, confident = ranker(j.query, j.style)
        flagged.append((not confident, j.style == NO_ANSWER))
        if j.style != NO_ANSWER:
            runs.setdefault(j.style, []).append((slugs, j.relevant))
            runs.setdefault("all", []).append((slugs, j.relevant))
    out = {style: {**evaluate(pairs), "n": float(len(pairs))} for style, pairs in runs.items()}
    out[NO_ANSWER] = no_answer_scores(flagged)
    return out


def generate(articles: Sequence[Article], n: int, seed: int = 7) -> list[Article]:
    """``n`` plausible articles recombined from the demo content (title, summary, body paragraphs)."""
    rng = random.Random(seed)
    paragraphs = [p for a in articles for p in a.body_md.split("\n\n") if p.strip()]
    out: list[Article] = []
    for i in range(n):
        base = rng.choice(articles)
        other = rng.choice(articles)
        body = "\n\n".join(rng.sample(paragraphs, 4))
        out.append(
            base.model_copy(
                update={
                    "slug": f"{base.slug[:100]}-{i}",
                    "title": f"{base.title} ({other.section_titles[-1].lower()})",
                    "summary": f"{base.summary} {other.summary}"[:500],
                    "body_md": body[:50_000],
                    "tags": [*base.tags[:3], *other.tags[:2]],
                    "related": [],
                }
            )
        )
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _print_set(
    name: str, n_articles: int, n_queries: int, rows: list[tuple[str, dict[str, dict[str, float]]]]
) -> None:
    print(f"\n== {name}: {n_queries} judged queries, {n_articles} Spanish articles ==")
    styles = [s for s in rows[0][1] if s not in ("all", NO_ANSWER)] + ["all"]
    head = f"{'style':<12} {'n':>4}"
    for engine, _ in rows:
        head += f" | {engine[:22]:<22} nDCG   MRR  R@5"
    print(head)
    for style in styles:
        n = int(rows[0][1].get(style, {}).get("n", 0))
        line = f"{style:<12} {n:>4}"
        for _, m in rows:
            s = m.get(style, {})
            line += (
                f" | {'':<22} {s.get('ndcg@10', 0):.3f} {s.get('mrr@10', 0):.3f} {s.get('recall@5', 0):.3f}"
            )
        print(line)
    for engine, m in rows:
        na = m[NO_ANSWER]
        print(
            f"no answer, {engine:<28} precision {na['precision']:.3f}  recall {na['recall']:.3f}"
            f"  (flagged {int(na['flagged'])}, of {int(na['positives'])} with no answer)"
        )


def relevance() -> None:
    for name, (articles_path, queries_path) in SETS.items():
        articles = load_jsonl(articles_path)
        es = [a for a in articles if a.lang == "es"]
        judged = judged_queries(queries_path)
        rows: list[tuple[str, dict[str, dict[str, float]]]] = []
        engine = make_engine("tantivy")
        engine.index(articles)
        rows.append(("tantivy engine", score_by_style(engine_ranker(engine), judged)))
        if os.environ.get("OPENSEARCH_URL"):
            osx = make_engine(
                "opensearch", url=os.environ["OPENSEARCH_URL"], index=f"help-bench-{uuid.uuid4().hex[:8]}"
            )
            try:
                osx.index(articles)
                rows.append(("opensearch engine", score_by_style(engine_ranker(osx), judged)))
            finally:
                osx.drop_index()  # type: ignore[attr-defined]
        rows.append(("BM25 (rank_bm25)", score_by_style(bm25_ranker(es), judged)))
        rows.append(("substring match", score_by_style(substring_ranker(es), judged)))
        _print_set(name, len(es), len(judged), rows)
    if not os.environ.get("OPENSEARCH_URL"):
        print("(opensearch engine skipped: OPENSEARCH_URL is not set)")


_BARE = re.compile(r"[^\w ]+", re.UNICODE)


def latency() -> None:
    articles = load_jsonl(SETS["demo municipality"][0])
    es = [a for a in articles if a.lang == "es"]
    queries = [j.query for j in judged_queries(SETS["demo municipality"][1])]
    queries += [
        j.query for j in judged_queries(SETS["water utility + municipality"][1]) if j.style != "english"
    ]
    big = generate(es, N_ARTICLES)
    large = make_engine("tantivy")
    started = time.perf_counter()
    large.index(big)
    index_s = time.perf_counter() - started
    large.search("lisencia")  # builds the spelling lookup once, as the first real query would
    timings: list[float] = []
    bare: list[float] = []
    inner = large._langs["es"]  # type: ignore[attr-defined]
    fields = ["title", "tags", "summary", "body"]
    for i in range(N_SEARCHES):
        q = queries[i % len(queries)]
        t0 = time.perf_counter()
        large.search(q)
        timings.append((time.perf_counter() - t0) * 1000)
        parsed = inner.index.parse_query(_BARE.sub(" ", q).strip() or "agua", fields)
        t0 = time.perf_counter()
        searcher = inner.index.searcher()
        found = searcher.search(parsed, limit=10)
        for _, address in found.hits:
            searcher.doc(address)
        bare.append((time.perf_counter() - t0) * 1000)
    sectioned: list[float] = []
    for q in queries[:200]:
        t0 = time.perf_counter()
        large.search(q, section="pagos-y-derechos")
        sectioned.append((time.perf_counter() - t0) * 1000)

    print(f"\nLatency, tantivy engine in memory, {large.count():,} articles (recombined demo content)")
    print(f"indexing time: {index_s:.2f} s ({N_ARTICLES / index_s:,.0f} articles/s)")
    print(f"{'searches':<40} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for label, vals in (
        ("engine search, judged queries", timings),
        ("engine search, with section filter", sectioned),
        ("bare tantivy: parse_query + top 10 docs", bare),
    ):
        print(
            f"{label:<40} {len(vals):>6} {_pct(vals, 50):>8.2f} {_pct(vals, 95):>8.2f} {statistics.mean(vals):>8.2f}"
        )


def main() -> None:
    relevance()
    latency()
