"""The cost model runs from its two data files and shows every size, service and the idle month."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

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


def _inputs() -> tuple[dict[str, float], dict[str, Any]]:
    prices = json.loads((cost.HERE / "prices.json").read_text(encoding="utf-8"))
    return prices, json.loads((cost.HERE / "measured.json").read_text(encoding="utf-8"))


def test_an_idle_month_pays_its_alarms_and_secrets_but_no_metric_or_request() -> None:
    prices, measured = _inputs()
    idle = cost.monthly(cost.Size("idle", 0, 0), prices, measured)
    alarm_metrics, _, secrets, dashboards = cost._template_counts()
    assert idle["CloudWatch"] == (  # custom metrics bill the hours they are sent in: none
        alarm_metrics * prices["cloudwatch_alarm_month"] + dashboards * prices["cloudwatch_dashboard_month"]
    )
    assert idle["Secrets Manager"] == secrets * prices["secrets_manager_secret_month"]
    assert idle["Lambda"] == idle["DynamoDB"] == idle["API Gateway"] == idle["CloudFront"] == 0
    assert cost.fixed(prices, measured) == sum(idle.values())


@pytest.mark.parametrize(
    ("part", "field", "service"),
    [
        ("request", "cpu_seconds", "Lambda"),
        ("search", "cpu_seconds", "Lambda"),
        ("staff_call", "aws_calls", "Lambda"),
        ("request", "bytes_out", "CloudFront"),
        ("search", "bytes_out", "CloudFront"),
        ("request", "first_visit_bytes", "CloudFront"),
        ("search", "write_units", "DynamoDB"),
    ],
)
def test_every_measured_figure_moves_the_bill_of_its_service(part: str, field: str, service: str) -> None:
    prices, measured = _inputs()
    size = cost.SIZES[1]
    before = cost.monthly(size, prices, measured)
    doubled = copy.deepcopy(measured)
    doubled[part][field] *= 2
    after = cost.monthly(size, prices, doubled)
    assert after[service] > before[service]
    assert {k: v for k, v in after.items() if k != service} == {
        k: v for k, v in before.items() if k != service
    }


def test_the_template_counts_bill_each_alarm_metric_each_secret_and_only_billed_metrics() -> None:
    """A metric-math alarm bills every metric it reads; unbilled figures are log lines (no metric)."""
    from infra.local import template as tpl
    from ventanilla.observability import CATALOG

    resources = tpl.load()["Resources"]
    alarm_metrics, metrics, secrets, dashboards = cost._template_counts()
    alarms = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert alarm_metrics > len(alarms)  # three alarms read two or three metrics each
    assert secrets == sum(1 for r in resources.values() if r["Type"] == "AWS::SecretsManager::Secret") == 2
    assert dashboards == 1
    assert metrics == 9 < sum(len(spec.dimension_sets()) for spec in CATALOG.values())
