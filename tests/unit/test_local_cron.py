"""The local runner fires the template's scheduled functions (daily retention, monthly report) on
the dev clock, as EventBridge rules do in AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from infra.local import template as cfn
from infra.local.cron import CronRunner, next_instant, rules_of
from infra.local.functions import LocalFunction
from ventanilla import clock


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 4 * * ? *)", "2026-12-02T22:00:00", "2026-12-03T04:00:00"),
        ("cron(0 4 * * ? *)", "2026-12-03T04:00:00", "2026-12-04T04:00:00"),  # strictly after
        ("cron(0 8 1 * ? *)", "2026-12-02T09:00:00", "2027-01-01T08:00:00"),
        ("cron(30 12 ? * 2 *)", "2026-12-02T00:00:00", "2026-12-07T12:30:00"),  # AWS 2 = Monday
        ("cron(0 9 ? * MON-FRI *)", "2026-12-05T10:00:00", "2026-12-07T09:00:00"),  # Saturday -> Monday
        ("rate(15 minutes)", "2026-12-02T22:00:00", "2026-12-02T22:15:00"),
        ("rate(1 day)", "2026-12-02T22:00:00", "2026-12-03T22:00:00"),
    ],
)
def test_next_instant_reads_eventbridge_expressions(expression: str, after: str, expected: str) -> None:
    assert next_instant(expression, at(after)) == at(expected)


@pytest.mark.parametrize(
    ("expression", "says"),
    [("cron(0 4 * *)", "6 fields"), ("every day", "not a cron"), ("cron(0 4 * * ? 2019)", "every year")],
)
def test_next_instant_names_what_it_does_not_understand(expression: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        next_instant(expression, at("2026-12-02T00:00:00"))


def test_the_templates_scheduled_functions_are_found() -> None:
    resources = cfn.load()["Resources"]
    functions = {
        logical: LocalFunction(
            logical, Path("."), "handler.handler", spec["Properties"].get("Events") or {}, {}
        )
        for logical, spec in resources.items()
        if spec["Type"] == "AWS::Serverless::Function"
    }
    rules = rules_of(functions, at("2026-12-02T22:00:00"))
    found = {(r.function.logical, r.due) for r in rules}
    assert ("RetentionFunction", at("2026-12-03T04:00:00")) in found
    assert ("StatsReportFunction", at("2027-01-01T08:00:00")) in found


def _recording_function(tmp_path: Path, fail: bool = False) -> LocalFunction:
    (tmp_path / "handler.py").write_text(
        "SEEN = []\n"
        "def handler(event, context):\n"
        f"    if {fail!r}:\n"
        "        raise RuntimeError('boom')\n"
        "    SEEN.append(event)\n"
        "    return {'seen': len(SEEN)}\n"
    )
    return LocalFunction(
        logical="NightlyFunction",
        code_dir=tmp_path,
        handler="handler.handler",
        events={"Nightly": {"Type": "Schedule", "Properties": {"Schedule": "cron(0 4 * * ? *)"}}},
        environment={},
    )


def test_moving_the_clock_fires_a_due_rule_once_then_waits_for_the_next(tmp_path: Path) -> None:
    fn = _recording_function(tmp_path)
    clock.reset()
    try:
        runner = CronRunner({"NightlyFunction": fn}, "us-east-1", "123456789012")
        assert runner.fire_due() == []  # not 04:00 yet
        clock.advance(timedelta(days=3))  # three nights passed: one run, as after an outage
        done = runner.fire_due()
        assert [(name, answer) for name, _, answer in done] == [("NightlyFunction.Nightly", {"seen": 1})]
        event = fn.load().__globals__["SEEN"][0]
        assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
        assert event["resources"] == [
            "arn:aws:events:us-east-1:123456789012:rule/local-NightlyFunction-Nightly"
        ]
        assert runner.fire_due() == []  # the next one is tomorrow at 04:00
        clock.advance(timedelta(days=1))
        assert len(runner.fire_due()) == 1
    finally:
        clock.reset()


def test_a_failing_run_is_not_repeated_every_pass(tmp_path: Path) -> None:
    fn = _recording_function(tmp_path, fail=True)
    clock.reset()
    try:
        runner = CronRunner({"NightlyFunction": fn}, "us-east-1", "123456789012")
        clock.advance(timedelta(days=1, hours=6))
        assert [answer for _, _, answer in runner.fire_due()] == [None]
        assert runner.fire_due() == []
    finally:
        clock.reset()
