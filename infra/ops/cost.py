"""The monthly bill and the cost per 1,000 requests at three sizes: ``python -m infra.ops.cost``.

Unit prices come from ``prices.json`` (its source and date inside); what one request and one help
search cost in calls, write units and compute comes from ``measured.json``, which ``make bench``
writes (tests/bench/bench_cost.py and bench_stats.py, against the local stack with the real item
sizes). What neither file holds is a stated assumption of the model, below (the workload's shape).
SMS is left out (its price depends on the country and the carrier).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@dataclass(frozen=True)
class Size:
    name: str
    requests: int
    staff: int


SIZES = (
    Size("small (municipality)", 2_000, 6),
    Size("medium", 50_000, 40),
    Size("large (national)", 1_000_000, 400),
)
SEARCHES_PER_REQUEST = 25
STAFF_CALLS_PER_DAY = 300
"""Assumption: API calls a staff member's browser makes in a working day (queues, dashboards)."""
WORKING_DAYS = 21
WORKING_HOURS = 10
QUIET_VERSIONS_PER_MINUTE = 8.0
"""Below the bench's busy day (about 5,000 ticket versions in ten working hours), the statistics
are priced at the bench's figure of one version per stream batch, not at its merged figure."""
LOG_BYTES_PER_INVOCATION = 1_500
"""Assumption: structured log lines per invocation (Powertools: start, end, one record)."""
LAMBDA_GB = 0.5
CPU_SCALE = 1769 / (LAMBDA_GB * 1024)
"""Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB: the CPU
seconds measured on one core of the bench machine take this many times longer at 512 MB."""
AWS_CALL_SECONDS = 0.010
"""Assumption: a DynamoDB, SQS or Secrets Manager round trip from Lambda in the same region,
SDK included; billed duration while the function waits for it."""
STREAM_INVOCATION_SECONDS = 0.05
"""Assumption: one stream or queue consumer invocation (dispatcher, statistics, notifier)."""


def _load(name: str) -> dict[str, Any]:
    return dict(json.loads((HERE / name).read_text(encoding="utf-8")))


@cache
def _template_counts() -> tuple[int, int, int, int]:
    """Alarm metrics, billed custom metrics, secrets and dashboards of a default deploy (read once
    per process). An alarm bills each metric it reads (a metric-math alarm over three metrics costs
    three); a custom metric bills each name and dimension set the functions send (only the catalog's
    billed ones: the other figures are log lines, ventanilla.emf)."""
    from infra.local import template as tpl
    from ventanilla.observability import CATALOG

    deployed = [r for r in tpl.load()["Resources"].values() if "Condition" not in r]

    def of(kind: str) -> list[dict[str, Any]]:
        return [r["Properties"] for r in deployed if r["Type"] == kind]

    alarm_metrics = sum(
        len([m for m in alarm.get("Metrics", []) if "MetricStat" in m]) + ("MetricName" in alarm)
        for alarm in of("AWS::CloudWatch::Alarm")
    )
    metrics = sum(len(spec.dimension_sets()) for spec in CATALOG.values() if spec.billed)
    return (
        alarm_metrics,
        metrics,
        len(of("AWS::SecretsManager::Secret")),
        len(of("AWS::CloudWatch::Dashboard")),
    )


def monthly(
    size: Size, prices: dict[str, float], measured: dict[str, Any], opensearch: bool = False
) -> dict[str, float]:
    """US$ per service for one month at ``size``."""
    p, req, search, staff = prices, measured["request"], measured["search"], measured["staff_call"]
    stats = measured.get("stats") or {}
    demo = next(iter(stats.values()), {"write_units_per_ticket_change": 0})
    n = size.requests
    searches = n * SEARCHES_PER_REQUEST
    staff_calls = size.staff * STAFF_CALLS_PER_DAY * WORKING_DAYS
    api_calls = n * req["api_calls"] + searches + staff_calls
    writes = n * req["write_units"] + searches * search["write_units"]
    versions = n * req["ticket_versions"]
    # the statistics function merges the versions of one stream batch (its batching window): a
    # desk with fewer than QUIET_VERSIONS_PER_MINUTE pays the figure of one version per batch
    quiet = versions / (WORKING_DAYS * WORKING_HOURS * 60) < QUIET_VERSIONS_PER_MINUTE
    per_version = demo.get("write_units_per_ticket_change_quiet", 0) if quiet else 0
    stream_writes = versions * (per_version or demo["write_units_per_ticket_change"])
    reads = n * sum(v for k, v in req["aws_calls"].items() if k.endswith(("GetItem", "Query")))
    reads += staff_calls * 2  # a staff call reads about two items' worth
    reads += searches * 0.0  # search reads no table item
    # billed seconds: the measured CPU at Lambda's share of a vCPU, plus a round trip per AWS call
    compute = CPU_SCALE * (
        n * req["cpu_seconds"] + searches * search["cpu_seconds"] + staff_calls * staff["cpu_seconds"]
    ) + AWS_CALL_SECONDS * (
        n * sum(req["aws_calls"].values())
        + searches * sum(search["aws_calls"].values())
        + staff_calls * staff["aws_calls"]
    )
    # the CDN's bytes: every answer (measured, gzip), a citizen's first visit per request, and a
    # staff member's console once a working day (both upper bounds: every portal file)
    served = (
        n * (req["bytes_out"] + req["first_visit_bytes"])
        + searches * search["bytes_out"]
        + staff_calls * staff["bytes_out"]
        + size.staff * WORKING_DAYS * req["first_visit_bytes"]
    )
    stream_invocations = n * req["ticket_versions"] * 3  # dispatcher, statistics, notifier
    invocations = api_calls + stream_invocations
    alarms, metrics, secrets, dashboards = _template_counts()
    secret_calls = sum(v for k, v in req["aws_calls"].items() if k.startswith("secretsmanager"))
    bill = {
        "API Gateway": api_calls * p["api_gateway_rest_request"],
        "CloudFront": api_calls * p["cloudfront_https_request"] + served / 1e9 * p["cloudfront_gb_out"],
        "Lambda": invocations * p["lambda_request"]
        + (compute + stream_invocations * STREAM_INVOCATION_SECONDS)
        * LAMBDA_GB
        * p["lambda_gb_second_arm64"],
        "DynamoDB": (writes + stream_writes) * p["dynamodb_write_request_unit"]
        + reads * p["dynamodb_read_request_unit"]
        + n * 12 * 20_000 / 1e9 * p["dynamodb_storage_gb_month"],  # a year of requests kept, 20 KB each
        "EventBridge + SQS + Scheduler": n
        * req["ticket_versions"]
        * (p["eventbridge_event"] + 3 * p["sqs_request"])
        + n * 2 * p["scheduler_invocation"],
        "SES": n * req["notices"] * p["ses_email"],
        # one HEAD a minute per warm API container (two at most of these sizes' traffic), and the
        # index downloaded again after each of about 200 article changes a month
        "S3 (help index)": (2 * 30 * 24 * 60 + 200 * 2) * p["s3_get_request"] if n else 0.0,
        "Secrets Manager": secrets * p["secrets_manager_secret_month"]
        + n * secret_calls * p["secrets_manager_call"],
        # a custom metric bills only the hours it is sent in: none in an idle month, about the
        # working hours (0.3 of the month) at a small desk, every hour at a large one
        "CloudWatch": alarms * p["cloudwatch_alarm_month"]
        + dashboards * p["cloudwatch_dashboard_month"]
        + (metrics * p["cloudwatch_metric_month"] * min(1.0, 0.3 + n / 100_000) if n else 0.0)
        + invocations * LOG_BYTES_PER_INVOCATION / 1e9 * p["cloudwatch_logs_gb_ingested"],
    }
    if opensearch:
        bill["OpenSearch"] = 730 * p["opensearch_t3_small_hour"] + 10 * p["opensearch_gp3_gb_month"]
    return bill


def fixed(prices: dict[str, float], measured: dict[str, Any]) -> float:
    """What a month with no request at all costs (the idle floor)."""
    return sum(monthly(Size("idle", 0, 0), prices, measured).values())


def report(opensearch: bool = False) -> str:
    prices, measured = _load("prices.json"), _load("measured.json")
    bills = {s.name: monthly(s, prices, measured, opensearch) for s in SIZES}
    services = list(next(iter(bills.values())))
    lines = [
        f"Monthly bill, US$ (prices: {prices['source']}; {prices['date']}; SMS excluded)",
        f"{SEARCHES_PER_REQUEST} help searches per request; staff {', '.join(str(s.staff) for s in SIZES)}",
        "",
        f"{'service':<30}" + "".join(f"{s.name:>24}" for s in SIZES),
    ]
    for service in services:
        lines.append(f"{service:<30}" + "".join(f"{bills[s.name][service]:>24,.2f}" for s in SIZES))
    totals = {s.name: sum(bills[s.name].values()) for s in SIZES}
    lines.append(f"{'total a month':<30}" + "".join(f"{totals[s.name]:>24,.2f}" for s in SIZES))
    lines.append(
        f"{'per 1,000 requests':<30}"
        + "".join(f"{totals[s.name] / s.requests * 1000:>24,.2f}" for s in SIZES)
    )
    idle = fixed(prices, measured)
    lines.append(
        f"{'  above the idle floor':<30}"
        + "".join(f"{(totals[s.name] - idle) / s.requests * 1000:>24,.2f}" for s in SIZES)
    )
    lines.append(f"\nidle (no requests): US$ {idle:,.2f} a month")
    stats = measured.get("stats") or {}
    for label, figures in stats.items():
        lines.append(
            f"statistics, {label}: write units per ticket change "
            f"{figures['write_units_per_ticket_change']} (busy desk, merged batches), "
            f"{figures.get('write_units_per_ticket_change_quiet', '?')} (quiet desk), "
            f"{figures.get('write_units_per_ticket_change_before', '?')} (before journals)"
        )
    lines.append(
        f"request path: {measured['request']['write_units']} write units per request, "
        f"{measured['search']['write_units']} per help search (measured: {measured['source']})"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opensearch", action="store_true", help="with the optional OpenSearch domain")
    args = parser.parse_args(argv)
    print(report(opensearch=args.opensearch))


if __name__ == "__main__":
    main()
