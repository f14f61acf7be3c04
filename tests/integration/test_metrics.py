"""CloudWatch metrics (issue 7): the functions' real EMF output, read from stdout where Powertools
writes it, against the moto server; and the template's dashboard and alarms read exactly the
namespace, names and dimensions that the code emits (ventanilla.observability)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import Aws, post, ticket_body
from tests.integration.test_notifications import drain, failing, new_ticket, publish_history, sent

Emitted = list[dict[str, Any]]


@pytest.fixture()
def emf(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[[], Emitted]:
    """Metrics switched on (the local stack turns them off); returns a reader of the EMF documents
    printed since, each as {namespace, dimensions, metrics: {name: value}}. What earlier tests
    counted while metrics were off was dropped at each flush (ventanilla.emf), so it cannot show."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    def read() -> Emitted:
        docs = []
        for line in capsys.readouterr().out.splitlines():
            if line.startswith('{"counts":'):
                docs.extend(_logged(line))
            if not line.startswith("{") or '"_aws"' not in line:
                continue
            doc = json.loads(line)
            for directive in doc["_aws"]["CloudWatchMetrics"]:
                [keys] = directive["Dimensions"]
                docs.append(
                    {
                        "namespace": directive["Namespace"],
                        "dimensions": {k: doc[k] for k in keys},
                        "metrics": {m["Name"]: doc[m["Name"]] for m in directive["Metrics"]},
                        "units": {m["Unit"] for m in directive["Metrics"]},
                        "raw": line,
                        "billed": True,
                    }
                )
        return docs

    return read


def _logged(line: str) -> Emitted:
    """A log line of unbilled counts (ventanilla.emf), as documents of the same shape (namespace
    "log"); a count by channel ({name: {channel: n}}) becomes one document per channel."""
    doc = json.loads(line)
    assert set(doc) == {"counts", "message", "service"}, doc
    out: Emitted = []
    for name, value in doc["counts"].items():
        values = value.items() if isinstance(value, dict) else [(None, value)]
        for channel, n in values:
            dims = {"service": doc["service"], **({"channel": channel} if channel else {})}
            out.append(
                {
                    "namespace": "log",
                    "dimensions": dims,
                    "metrics": {name: n},
                    "units": set(),
                    "raw": line,
                    "billed": False,
                }
            )
    return out


@pytest.fixture()
def sns_hook() -> Iterator[Callable[[Callable[..., None]], None]]:
    from ventanilla.integrations import messaging

    registered: list[Any] = []

    def register(handler: Callable[..., None]) -> None:
        messaging._client("sns").meta.events.register("before-parameter-build.sns.Publish", handler)
        registered.append(handler)

    yield register
    for handler in registered:
        messaging._client("sns").meta.events.unregister("before-parameter-build.sns.Publish", handler)


def total(docs: Emitted, name: str, **dimensions: str) -> float:
    out = 0.0
    for d in docs:
        if name in d["metrics"] and d["dimensions"] == dimensions:
            value = d["metrics"][name]
            out += sum(value) if isinstance(value, list) else value
    return out


def signatures(docs: Emitted) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """What the documents sent as metrics (the log's counts are not metrics)."""
    return {
        (d["namespace"], name, tuple(sorted(d["dimensions"].items())))
        for d in docs
        if d["billed"]
        for name in d["metrics"]
    }


def logged_signatures(docs: Emitted) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return {
        ("Ventanilla", name, tuple(sorted(d["dimensions"].items())))
        for d in docs
        if not d["billed"]
        for name in d["metrics"]
    }


def catalog_signatures(billed: bool = True) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    from ventanilla.observability import CATALOG

    return {
        ("Ventanilla", spec.name, tuple(sorted(dims.items())))
        for spec in CATALOG.values()
        if spec.billed == billed
        for dims in spec.dimension_sets()
    }


# ---- the notifier --------------------------------------------------------------------------------


def test_notifier_reports_a_sent_and_a_failed_notice_per_channel_without_personal_data(
    api: Any, aws: Aws, emf: Callable[[], Emitted], sns_hook: Any
) -> None:
    drain(aws)
    emf()  # what draining earlier tests' messages printed
    phone = f"+5698{random.randint(1000000, 9999999)}"  # every +56 9 8xxx xxxx is valid
    created, email = new_ticket(api, phone=phone, channels=["email", "sms"])
    rejected = failing(
        None,
        lambda p: p.get("PhoneNumber") == phone,
        lambda: ClientError(
            {
                "Error": {"Code": "InvalidParameter", "Message": "Invalid parameter: PhoneNumber"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            },
            "Publish",
        ),
    )
    sns_hook(rejected)
    publish_history(created["number"])
    assert drain(aws) == 1
    assert len(sent(email, "email")) == 1 and sent(phone, "sms") == []

    docs = [d for d in emf() if d["dimensions"].get("service") == "notifier"]
    assert total(docs, "NotificationsSent", service="notifier", channel="email") == 1
    assert total(docs, "NotificationsFailed", service="notifier", channel="sms") == 1
    assert total(docs, "NotificationsSent", service="notifier", channel="sms") == 0
    assert total(docs, "NotificationsFailed", service="notifier", channel="email") == 0
    assert {d["namespace"] for d in docs} == {"Ventanilla"}  # no unbilled count in this batch
    assert {u for d in docs for u in d["units"]} == {"Count"}
    for d in docs:
        assert (
            email not in d["raw"]
            and phone not in d["raw"]
            and not re.search(rf"(?<!\d){phone[-4:]}(?!\d)", d["raw"])
        )
        assert created["number"] not in d["raw"] and created["access_code"] not in d["raw"]
    assert signatures(docs) <= catalog_signatures()

    # The same event again: nothing sent, the duplicates counted (the failed SMS is final too), in
    # the log's counts line: no CloudWatch metric reads them.
    publish_history(created["number"])
    drain(aws)
    again = emf()
    assert total(again, "NotificationsDuplicatesSkipped", service="notifier", channel="email") == 1
    assert total(again, "NotificationsDuplicatesSkipped", service="notifier", channel="sms") == 1
    assert total(again, "NotificationsSent", service="notifier", channel="email") == 0
    assert signatures(again) == set()
    assert logged_signatures(again) <= catalog_signatures(billed=False)
    for d in again:
        assert email not in d["raw"] and phone not in d["raw"] and created["number"] not in d["raw"]
    assert len(sent(email, "email")) == 1


def test_a_transient_failure_counts_as_retried_then_sent(
    api: Any, aws: Aws, emf: Callable[[], Emitted], sns_hook: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ventanilla.settings import get_settings

    monkeypatch.setattr(get_settings(), "notify_retry_base_seconds", 0)
    drain(aws)
    emf()
    phone = f"+5698{random.randint(1000000, 9999999)}"  # every +56 9 8xxx xxxx is valid
    created, _ = new_ticket(api, phone=phone, channels=["sms"])
    flaky = failing(
        1,
        lambda p: p.get("PhoneNumber") == phone,
        lambda: ClientError(
            {
                "Error": {"Code": "Throttling", "Message": "Rate exceeded"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            },
            "Publish",
        ),
    )
    sns_hook(flaky)
    publish_history(created["number"])
    drain(aws)
    docs = emf()
    assert total(docs, "NotificationsRetried", service="notifier", channel="sms") == 1
    assert total(docs, "NotificationsSent", service="notifier", channel="sms") == 1
    assert total(docs, "NotificationsFailed", service="notifier", channel="sms") == 0


# ---- the API and the SLA timers ------------------------------------------------------------------


def test_api_counts_tickets_created_and_sla_fired_counts_breaches(
    api: Any, aws: Aws, emf: Callable[[], Emitted]
) -> None:
    from infra.local.scheduler import export_timer_environment
    from tests.integration.test_sla import fire, payload_of, staff_get

    export_timer_environment(aws.stack.functions)
    created = post(api, "/api/v1/tickets", ticket_body(type="consulta", subtype="general", form={}))
    assert created.status_code == 201, created.body
    bad = post(api, "/api/v1/tickets", {"type": "consulta"})
    assert bad.status_code == 422
    docs = emf()
    assert total(docs, "TicketsCreated", service="api") == 1  # the refused one is not counted

    number = created.json_body["number"]
    ticket = staff_get(api, aws, number)["ticket"]
    emf()
    assert fire(aws, payload_of(ticket, "first_response", "breach")) == "breached"
    assert fire(aws, payload_of(ticket, "first_response", "breach")) == "stale"
    fired = emf()
    assert total(fired, "SlaBreaches", service="sla-fired") == 1
    assert total(fired, "SlaStaleTimers", service="sla-fired") == 1
    assert {d["namespace"] for d in docs + fired if d["billed"]} == {"Ventanilla"}
    assert signatures(docs + fired) <= catalog_signatures()
    # the breach is a metric (an alarm reads it), the stale timer only a count in the log
    assert ("Ventanilla", "SlaBreaches", (("service", "sla-fired"),)) in signatures(fired)
    assert logged_signatures(fired) == {("Ventanilla", "SlaStaleTimers", (("service", "sla-fired"),))}


# ---- the template --------------------------------------------------------------------------------


def _dashboard_metrics(body: str) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(namespace, name, dimensions) of every metric row of a dashboard body; "." repeats the row
    above's item at that position and "..." its remaining items (CloudWatch's shorthand)."""
    found = set()
    for widget in json.loads(body)["widgets"]:
        previous: list[str] = []
        for row in widget["properties"].get("metrics", []):
            items = [x for x in row if isinstance(x, str)]
            if items and items[0] == "...":
                items = previous[: len(previous) - (len(items) - 1)] + items[1:]
            items = [previous[i] if x == "." else x for i, x in enumerate(items)]
            previous = items
            namespace, name, dims = items[0], items[1], items[2:]
            found.add((namespace, name, tuple(sorted(zip(dims[::2], dims[1::2], strict=True)))))
    return found


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)  # !Ref, !GetAtt


def _alarm_metrics(props: dict[str, Any]) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    metrics = [m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
    if "MetricName" in props:
        metrics.append(props)
    return {
        (
            m["Namespace"],
            m["MetricName"],
            tuple(sorted((d["Name"], _plain(d["Value"])) for d in m.get("Dimensions", []))),
        )
        for m in metrics
    }


def _template_metrics() -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    from infra.local import template as tpl

    resources = tpl.load()["Resources"]
    found = set()
    for spec in resources.values():
        if spec["Type"] == "AWS::CloudWatch::Dashboard":
            body = spec["Properties"]["DashboardBody"]
            text = body["Fn::Sub"] if isinstance(body, dict) else body
            text = text[0] if isinstance(text, list) else text
            found |= _dashboard_metrics(re.sub(r"\$\{[^}]+\}", "x", text))
        elif spec["Type"] == "AWS::CloudWatch::Alarm":
            found |= _alarm_metrics(spec["Properties"])
    return found


def test_dashboard_and_alarms_read_exactly_what_the_code_emits() -> None:
    from infra.local import template as tpl
    from ventanilla.observability import CATALOG, NAMESPACE_ENV

    env = tpl.load()["Globals"]["Function"]["Environment"]["Variables"]
    assert env[NAMESPACE_ENV] == "Ventanilla"
    ours = {m for m in _template_metrics() if m[0] == env[NAMESPACE_ENV]}
    assert ours, "the dashboard and alarms read no application metric"
    unknown = ours - catalog_signatures()
    assert not unknown, f"the template reads metrics no code sends: {sorted(unknown)}"
    # and every metric sent (billed) is read: what nothing reads is a count in the log
    unread = catalog_signatures() - ours
    assert not unread, f"metrics sent but read by no widget or alarm: {sorted(unread)}"
    # What operators must see: created, breaches, escalations, and notices sent and failed on every
    # channel; the breach-spike and notification-failure alarms watch the emitted names.
    for name in (
        "TicketsCreated",
        "SlaBreaches",
        "SlaEscalations",
        "NotificationsSent",
        "NotificationsFailed",
    ):
        for dims in CATALOG[name].dimension_sets():
            assert ("Ventanilla", name, tuple(sorted(dims.items()))) in ours, (name, dims)
    alarms = {
        logical: _alarm_metrics(spec["Properties"])
        for logical, spec in tpl.load()["Resources"].items()
        if spec["Type"] == "AWS::CloudWatch::Alarm"
    }
    assert ("Ventanilla", "SlaBreaches", (("service", "sla-fired"),)) in alarms["BreachSpikeAlarm"]
    assert {m[1] for m in alarms["NotificationsFailingAlarm"]} == {"NotificationsFailed"}
    assert {dict(m[2])["channel"] for m in alarms["NotificationsFailingAlarm"]} == {"email", "sms", "push"}


def test_the_dashboard_sums_the_logs_counts_by_their_catalog_names() -> None:
    """The figures that are not metrics show on the dashboard through a Logs Insights widget: it
    reads the log groups of functions that count and names only unbilled catalog figures."""
    from infra.local import template as tpl
    from ventanilla.observability import CATALOG

    resources = tpl.load()["Resources"]
    body = resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    [widget] = [w for w in json.loads(body)["widgets"] if w["type"] == "log"]
    query = widget["properties"]["query"]
    sources = re.findall(r"SOURCE '/aws/lambda/\$\{(\w+)\}'", query)
    assert sources and all(resources[name]["Type"] == "AWS::Serverless::Function" for name in sources)
    assert all("Condition" not in resources[f"{name}LogGroup"] for name in sources)  # always there
    assert "filter message = 'counts'" in query
    named = set(re.findall(r"counts\.(\w+)", query))
    assert named and all(name in CATALOG and not CATALOG[name].billed for name in named), named
    services = {CATALOG[name].service for name in named}
    assert {"stream", "sla-fired", "notifier", "stats"} <= services


def test_the_template_check_catches_a_misspelt_metric() -> None:
    """The parser the check relies on: shorthand rows expand, and a name the code does not emit shows."""
    body = json.dumps(
        {
            "widgets": [
                {
                    "properties": {
                        "metrics": [
                            ["Ventanilla", "NotificationsSent", "service", "notifier", "channel", "email"],
                            ["...", "sms"],
                            [".", "NotificationSent", ".", ".", ".", "push"],
                        ]
                    }
                }
            ]
        }
    )
    found = _dashboard_metrics(body)
    assert ("Ventanilla", "NotificationsSent", (("channel", "sms"), ("service", "notifier"))) in found
    assert found - catalog_signatures() == {
        ("Ventanilla", "NotificationSent", (("channel", "push"), ("service", "notifier")))
    }


def test_every_function_takes_its_metrics_from_the_catalogs_provider() -> None:
    """No function builds Powertools' Metrics itself (that would bill every figure it counts), and
    only the statistics functions name their namespace."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "functions"
    users = []
    for path in [*sorted(root.glob("*/handler.py")), *sorted(root.glob("api/chalicelib/*.py"))]:
        source = path.read_text()
        assert "Metrics(" not in source, path
        if "metrics.add_metric" not in source:
            continue
        users.append(path.parent.name)
        if path.name == "handler.py":
            assert "function_tools(" in source or "emf.metrics(" in source, path
            assert "@metrics.log_metrics" in source, path
            if path.parent.name not in ("stats", "stats_report"):
                assert "namespace=" not in source, path
    assert {"stats", "stream", "sla_fired", "chalicelib"} <= set(users), users
