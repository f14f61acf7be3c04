"""The cost model runs from its two data files and shows every size, service and the idle month."""

from __future__ import annotations

import json

from infra.ops import cost


def test_prices_name_their_source_and_date_and_every_size_gets_a_bill() -> None:
    prices = json.loads((cost.HERE / "prices.json").read_text(encoding="utf-8"))
    assert prices["source"] and prices["date"]
    measured = json.loads((cost.HERE / "measured.json").read_text(encoding="utf-8"))
    bills = [cost.monthly(size, prices, measured) for size in cost.SIZES]
    assert all(sum(b.values()) > 0 for b in bills)
    totals = [sum(b.values()) for b in bills]
    assert totals == sorted(totals)  # more requests never cost less
    assert cost.fixed(prices, measured) < totals[0]
    text = cost.report()
    assert all(size.name in text for size in cost.SIZES) and "per 1,000 requests" in text


def test_the_opensearch_domain_is_billed_only_when_chosen() -> None:
    prices = json.loads((cost.HERE / "prices.json").read_text(encoding="utf-8"))
    measured = json.loads((cost.HERE / "measured.json").read_text(encoding="utf-8"))
    size = cost.SIZES[0]
    assert "OpenSearch" not in cost.monthly(size, prices, measured)
    assert cost.monthly(size, prices, measured, opensearch=True)["OpenSearch"] > 25
