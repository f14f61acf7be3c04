"""Ranking metrics for judged queries (graded relevance: 2 = the answer, 1 = related).

Pure functions over a ranked list of ids and a ``{id: grade}`` judgment, so the tantivy and
OpenSearch engines and the baselines are scored the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence


def recall_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 5, min_grade: int = 2) -> float:
    """Share of the articles graded ``>= min_grade`` that appear in the first ``k`` results.

    With the default, "did the answer make the top k"; 1.0 when nothing qualifies (no answer to miss).
    """
    wanted = {d for d, g in judged.items() if g >= min_grade}
    if not wanted:
        return 1.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def mrr_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10, min_grade: int = 2) -> float:
    """Reciprocal rank of the first result graded ``>= min_grade`` within the top ``k`` (0 if none)."""
    for i, doc in enumerate(ranked[:k], start=1):
        if judged.get(doc, 0) >= min_grade:
            return 1.0 / i
    return 0.0


def dcg_at_k(grades: Iterable[int], k: int = 10) -> float:
    """Discounted cumulative gain with exponential gain ``2^g - 1`` and ``log2(rank + 1)`` discount."""
    return sum((2**g - 1) / math.log2(i + 1) for i, g in enumerate(list(grades)[:k], start=1))


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """DCG of the ranking divided by the DCG of the ideal ranking of the judged articles."""
    ideal = dcg_at_k(sorted(judged.values(), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg_at_k((judged.get(d, 0) for d in ranked), k) / ideal


def mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def evaluate(runs: Iterable[tuple[Sequence[str], Mapping[str, int]]]) -> dict[str, float]:
    """Mean recall@5, MRR@10 and nDCG@10 over ``(ranked ids, judgments)`` pairs."""
    pairs = list(runs)
    return {
        "recall@5": mean(recall_at_k(r, j, 5) for r, j in pairs),
        "mrr@10": mean(mrr_at_k(r, j, 10) for r, j in pairs),
        "ndcg@10": mean(ndcg_at_k(r, j, 10) for r, j in pairs),
    }


def no_answer_scores(flagged: Iterable[tuple[bool, bool]]) -> dict[str, float]:
    """Precision and recall of saying "no answer": pairs of (the engine said so, it is true).

    Precision is 1.0 when nothing was flagged (no false alarm), recall 1.0 when no query lacked
    an answer.
    """
    pairs = list(flagged)
    said = sum(1 for s, _ in pairs if s)
    truth = sum(1 for _, t in pairs if t)
    both = sum(1 for s, t in pairs if s and t)
    return {
        "precision": both / said if said else 1.0,
        "recall": both / truth if truth else 1.0,
        "flagged": float(said),
        "positives": float(truth),
    }
