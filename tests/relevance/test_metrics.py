"""The ranking metrics on cases small enough to compute by hand."""

from __future__ import annotations

import math

import pytest

from tests.relevance.metrics import dcg_at_k, evaluate, mrr_at_k, ndcg_at_k, recall_at_k

JUDGED = {"a": 2, "b": 1, "c": 2}


def test_recall_at_k_counts_answers_only() -> None:
    assert recall_at_k(["a", "x", "c"], JUDGED, k=5) == 1.0
    assert recall_at_k(["x", "b", "a"], JUDGED, k=5) == 0.5  # b is only related
    assert recall_at_k(["x", "y", "z", "w", "v", "a"], JUDGED, k=5) == 0.0
    assert recall_at_k(["b"], JUDGED, k=5, min_grade=1) == pytest.approx(1 / 3)
    assert recall_at_k([], {"a": 1}, k=5) == 1.0  # no answer to miss


def test_mrr_at_k() -> None:
    assert mrr_at_k(["a"], JUDGED) == 1.0
    assert mrr_at_k(["x", "b", "c"], JUDGED) == pytest.approx(1 / 3)
    assert mrr_at_k(["x"] * 10 + ["a"], JUDGED, k=10) == 0.0


def test_dcg_and_ndcg_by_hand() -> None:
    # gains 3, 1 at ranks 1, 2: 3/log2(2) + 1/log2(3)
    assert dcg_at_k([2, 1]) == pytest.approx(3 + 1 / math.log2(3))
    ideal = 3 + 3 / math.log2(3) + 1 / 2  # grades 2, 2, 1
    actual = 0 + 3 / math.log2(3) + 1 / 2  # x, a, b
    assert ndcg_at_k(["x", "a", "b"], JUDGED) == pytest.approx(actual / ideal)
    assert ndcg_at_k(["a", "c", "b"], JUDGED) == pytest.approx(1.0)
    assert ndcg_at_k(["a"], {}) == 0.0


def test_evaluate_averages() -> None:
    scores = evaluate([(["a"], {"a": 2}), (["x"], {"a": 2})])
    assert scores == {"recall@5": 0.5, "mrr@10": 0.5, "ndcg@10": 0.5}
