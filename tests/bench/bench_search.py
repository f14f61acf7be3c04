"""Help search benchmark: relevance against two naive baselines, then latency on 10,000 articles.

Run from the repository root: ``.venv/bin/python -m tests.bench search``. Figures go to stdout;
nothing here asserts timings.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from rank_bm25 import BM25Okapi

from tests.bench.sizes import size
from tests.relevance.metrics import evaluate
from ventanilla.help.articles import Article, load_jsonl, plain_text
from ventanilla.help.search import make_engine

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "infra" / "seed" / "help_articles.jsonl"
QUERIES = ROOT / "tests" / "relevance" / "queries_es.jsonl"
N_ARTICLES = size(10_000, 200)
N_SEARCHES = size(2_000, 20)

Ranker = Callable[[str], list[str]]


def _judged() -> list[tuple[str, dict[str, int]]]:
    items = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(i["query"], i["relevant"]) for i in items]


def _score(ranker: Ranker, judged: Sequence[tuple[str, dict[str, int]]]) -> dict[str, float]:
    return evaluate((ranker(q), rel) for q, rel in judged)


def _doc_text(a: Article) -> str:
    return f"{a.title} {' '.join(a.tags)} {a.summary} {plain_text(a.body_md)}"


def bm25_ranker(articles: Sequence[Article]) -> Ranker:
    """Plain BM25 (rank_bm25) over lowercase whitespace tokens: no stemming, folding or typos."""
    bm25 = BM25Okapi([_doc_text(a).lower().split() for a in articles])

    def rank(query: str) -> list[str]:
        scores = bm25.get_scores(query.lower().split())
        order = sorted(range(len(articles)), key=lambda i: -scores[i])
        return [articles[i].slug for i in order[:10] if scores[i] > 0]

    return rank


def substring_ranker(articles: Sequence[Article]) -> Ranker:
    """What a SQL ``LIKE '%word%'`` per query word gives: ranked by how many words occur."""
    texts = [_doc_text(a).lower() for a in articles]

    def rank(query: str) -> list[str]:
        ws = query.lower().split()
        counts = [sum(1 for w in ws if w in t) for t in texts]
        order = sorted(range(len(articles)), key=lambda i: -counts[i])
        return [articles[i].slug for i in order[:10] if counts[i] > 0]

    return rank


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
                }
            )
        )
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    articles = load_jsonl(SEED)
    es = [a for a in articles if a.lang == "es"]
    judged = _judged()
    rows: list[tuple[str, dict[str, float]]] = []

    engine = make_engine("tantivy")
    engine.index(articles)
    rows.append(("tantivy engine", _score(lambda q: [h.slug for h in engine.search(q).hits], judged)))
    if os.environ.get("OPENSEARCH_URL"):
        osx = make_engine(
            "opensearch", url=os.environ["OPENSEARCH_URL"], index=f"help-bench-{uuid.uuid4().hex[:8]}"
        )
        try:
            osx.index(articles)
            rows.append(("opensearch engine", _score(lambda q: [h.slug for h in osx.search(q).hits], judged)))
        finally:
            osx.drop_index()  # type: ignore[attr-defined]
    rows.append(("BM25 whitespace (rank_bm25)", _score(bm25_ranker(es), judged)))
    rows.append(("substring match", _score(substring_ranker(es), judged)))

    print(f"Relevance on {len(judged)} judged Spanish queries, {len(es)} Spanish articles")
    print(f"{'engine':<30} {'recall@5':>9} {'MRR@10':>8} {'nDCG@10':>8}")
    for name, m in rows:
        print(f"{name:<30} {m['recall@5']:>9.3f} {m['mrr@10']:>8.3f} {m['ndcg@10']:>8.3f}")
    if not os.environ.get("OPENSEARCH_URL"):
        print("(opensearch engine skipped: OPENSEARCH_URL is not set)")

    big = generate(es, N_ARTICLES)
    large = make_engine("tantivy")
    started = time.perf_counter()
    large.index(big)
    index_s = time.perf_counter() - started
    queries = [q for q, _ in judged]
    large.search("lisencia")  # builds the spelling lookup once, as the first real query would
    timings: list[float] = []
    for i in range(N_SEARCHES):
        q = queries[i % len(queries)]
        t0 = time.perf_counter()
        large.search(q)
        timings.append((time.perf_counter() - t0) * 1000)
    sectioned: list[float] = []
    for q in queries[:200]:
        t0 = time.perf_counter()
        large.search(q, section="pagos-y-derechos")
        sectioned.append((time.perf_counter() - t0) * 1000)

    print(f"\nLatency, tantivy engine in memory, {large.count():,} articles (recombined demo content)")
    print(f"indexing time: {index_s:.2f} s ({N_ARTICLES / index_s:,.0f} articles/s)")
    print(f"{'searches':<30} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, vals in (("all judged queries", timings), ("with section filter", sectioned)):
        print(
            f"{name:<30} {len(vals):>6} {_pct(vals, 50):>8.2f} {_pct(vals, 95):>8.2f} {statistics.mean(vals):>8.2f}"
        )
