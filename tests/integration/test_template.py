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


def test_sam_translates_and_cfn_lint_passes() -> None:
    from cfnlint.api import ManualArgs, lint

    text = tpl.TEMPLATE.read_text(encoding="utf-8")
    inlined = json.dumps(sam.inline_includes(sam.decoded(text)))  # as CloudFormation sees it
    for checked in (text, inlined):
        problems = [
            m
            for m in lint(checked, config=ManualArgs(regions=["us-east-1", "sa-east-1"]))
            if m.rule.id[0] in "EW"
        ]
        assert problems == []
    translated = sam.transform(sam.decoded(text))
    functions = [r for r in translated["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert functions and all(f["Properties"]["Runtime"] == "python3.12" for f in functions)
    assert all(f["Properties"]["Architectures"] == ["arm64"] for f in functions)
    methods = [r for r in translated["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    assert len(methods) == 1


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
    }


def test_staff_pool_has_every_role_group() -> None:
    groups = {
        r["Properties"]["GroupName"] for r in RESOURCES.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == {"agent-l1", "agent-l2", "agent-l3", "supervisor", "editor", "moderator", "admin"}


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
