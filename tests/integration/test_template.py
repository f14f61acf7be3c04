"""template.yaml is valid SAM, least-privilege, and in step with the Chalice route table."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra.local import template as tpl
from tests.integration import sam_support as sam

TEMPLATE = tpl.load()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]


def _api_operations() -> set[tuple[str, str]]:
    """(path, METHOD) of every operation of the REST API's body, as CloudFormation includes it."""
    body = sam.inline_includes(RESOURCES["Api"]["Properties"]["DefinitionBody"])
    return {(path, method.upper()) for path, ops in body["paths"].items() for method in ops}


def test_every_chalice_route_is_an_api_operation_and_back(app: Any) -> None:
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    operations = _api_operations()
    assert routes - operations == set(), "routes missing from the REST API (python -m infra.api.generate)"
    assert operations - routes == set(), "REST API operations with no Chalice route"


def test_no_proxy_route() -> None:
    assert not any("{proxy+}" in path for path, _ in _api_operations())


def _lint(text: str) -> list[Any]:
    """cfn-lint's errors and warnings on a template's text and on it with its includes inlined."""
    from cfnlint.api import ManualArgs, lint

    inlined = json.dumps(sam.inline_includes(sam.decoded(text)))  # as CloudFormation sees it
    return [
        m
        for checked in (text, inlined)
        for m in lint(checked, config=ManualArgs(regions=["us-east-1", "sa-east-1"]))
        if m.rule.id[0] in "EW"
    ]


def _translated(parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """template.yaml as CloudFormation receives it (includes, `sam package`, the SAM transform),
    with the resources and branches the parameter values leave out dropped (Conditions applied)."""
    translated = sam.transform(sam.decoded(), dict(parameters or {}))
    return tpl.with_parameters(json.loads(json.dumps(translated)), dict(parameters or {}))


def test_sam_translates_and_cfn_lint_passes() -> None:
    assert _lint(tpl.TEMPLATE.read_text(encoding="utf-8")) == []
    translated = _translated()
    functions = [r for r in translated["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert functions and all(f["Properties"]["Runtime"] == "python3.12" for f in functions)
    assert all(f["Properties"]["Architectures"] == ["arm64"] for f in functions)
    methods = [r for r in translated["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    assert len(methods) == 1


def _stream_readers(resources: dict[str, Any]) -> list[str]:
    """The functions with an event source mapping on the table's stream."""
    return sorted(
        r["Properties"]["FunctionName"]["Ref"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["EventSourceArn"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    )


@pytest.mark.parametrize("engine", ["opensearch", "tantivy"])
def test_at_most_two_readers_on_the_table_stream(engine: str) -> None:
    """AWS throttles more than two readers per stream shard: the dispatcher and the statistics."""
    resources = _translated({"HelpSearchEngine": engine})["Resources"]
    readers = _stream_readers(resources)
    assert len(readers) <= 2, readers
    assert readers == ["StatsFunction", "StreamFunction"]
    # The help indexer follows the bus through its own queue, not the stream.
    (indexer,) = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "IndexerFunction"}
    ]
    assert indexer["EventSourceArn"] == {"Fn::GetAtt": ["HelpIndexQueue", "Arn"]}
    assert indexer["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_stream_reader_count_check_counts_a_third_reader() -> None:
    """The check above sees a mapping added on the stream (as the removed timers function had)."""
    resources = _translated()["Resources"]
    (stats,) = [
        r
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "StatsFunction"}
    ]
    third = json.loads(json.dumps(stats))
    third["Properties"]["FunctionName"] = {"Ref": "SlaTimersFunction"}
    assert len(_stream_readers({**resources, "ThirdReader": third})) == 3


def test_the_help_index_queue_has_a_dead_letter_queue_and_an_alarm() -> None:
    queue = RESOURCES["HelpIndexQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["HelpIndexDeadLetterQueue", "Arn"]
    }
    assert queue["VisibilityTimeout"] >= 6 * RESOURCES["IndexerFunction"]["Properties"]["Timeout"]
    alarm = RESOURCES["HelpIndexDlqNotEmptyAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["HelpIndexDeadLetterQueue", "QueueName"]}}
    ]
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    rule = RESOURCES["HelpIndexRule"]["Properties"]
    assert rule["EventPattern"] == {
        "source": ["ventanilla.help"],
        "detail-type": ["HelpArticleChanged", "ForumTopicChanged"],  # the forum index shares the queue
    }
    policy = RESOURCES["HelpIndexQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Fn::GetAtt": ["HelpIndexRule", "Arn"]}


def test_table_has_streams_recovery_encryption_ttl() -> None:
    props = RESOURCES["Table"]["Properties"]
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert {g["IndexName"] for g in props["GlobalSecondaryIndexes"]} == {
        "GSI1",
        "GSI2",
        "GSI3",
        "GSI4",
        "GSI5",
        "GSI6",
        "GSI7",
    }


def test_staff_pool_has_every_role_group() -> None:
    groups = {
        r["Properties"]["GroupName"] for r in RESOURCES.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == {
        "agent-l1",
        "agent-l2",
        "agent-l3",
        "supervisor",
        "editor",
        "moderator",
        "admin",
        "inventory",
    }


def test_buckets_are_private_and_encrypted() -> None:
    for name, resource in RESOURCES.items():
        if resource["Type"] != "AWS::S3::Bucket":
            continue
        props = resource["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values()), name
        assert props["BucketEncryption"], name


def _statements(resource: dict[str, Any]) -> list[Any]:
    out = []
    for policy in resource["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            out += policy["Statement"]
    return out


@pytest.mark.parametrize(
    "name", [n for n, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"]
)
def test_functions_use_scoped_policies(name: str) -> None:
    """Least privilege: policy templates scoped to one resource, no wildcard actions on '*'."""
    resource = RESOURCES[name]
    for statement in _statements(resource):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any(a == "*" or a.endswith(":*") for a in actions), (name, actions)
    for policy in resource["Properties"].get("Policies", []):
        assert not isinstance(policy, str) or not re.search(r"FullAccess|Administrator", policy), (
            name,
            policy,
        )


def test_every_function_has_a_sample_event() -> None:
    from pathlib import Path

    events = Path(tpl.ROOT / "events")
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::Serverless::Function":
            folder = events / resource["Properties"]["CodeUri"].strip("/").split("/")[-1]
            assert any(folder.glob("*.json")), f"no sample event for {name} in {folder}"
