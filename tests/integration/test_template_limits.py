"""AWS limits the stack must fit, checked on the template as CloudFormation runs it (AWS::Include
inlined, SAM transform applied): Lambda resource policies, stack size, log retention."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.integration import sam_support as sam

MAX_RESOURCES = 500


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return sam.decoded()


@pytest.fixture(scope="module")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    return sam.transform(template)


def test_every_function_resource_policy_is_under_20_kb(translated: dict[str, Any]) -> None:
    sizes = {name: len(policy.encode()) for name, policy in sam.resource_policies(translated).items()}
    assert "ApiFunction" in sizes, "API Gateway must be allowed to invoke the API function"
    print("resource policy bytes:", sizes)
    assert {name: size for name, size in sizes.items() if size >= sam.POLICY_LIMIT} == {}


def test_the_api_function_has_one_permission_scoped_to_this_api(translated: dict[str, Any]) -> None:
    (statement,) = json.loads(sam.resource_policies(translated)["ApiFunction"])["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    source = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
    api_id = sam.physical(translated["Resources"]).refs["Api"]
    assert source.startswith(f"arn:aws:execute-api:{sam.REGION}:123456789012:{api_id}/live/"), source


def test_per_route_events_would_outgrow_the_policy_limit(template: dict[str, Any]) -> None:
    """The check can fail: the old shape (one API event, hence one permission, per route) does."""
    forged = copy.deepcopy(template)
    forged["Resources"]["ApiFunction"]["Properties"]["Events"] = {
        f"Route{i:02d}": {
            "Type": "Api",
            "Properties": {
                "RestApiId": {"Ref": "Api"},
                "Path": f"/api/v1/agent/tickets/{{number}}/action-{i:02d}",
                "Method": "post" if i % 2 else "get",
            },
        }
        for i in range(80)
    }
    sizes = {name: len(p.encode()) for name, p in sam.resource_policies(sam.transform(forged)).items()}
    assert sizes["ApiFunction"] > sam.POLICY_LIMIT, sizes


def test_fewer_than_500_resources(translated: dict[str, Any]) -> None:
    count = len(translated["Resources"])
    print("resources after the transform:", count)
    assert count < MAX_RESOURCES


def test_every_function_has_a_log_group_with_retention(translated: dict[str, Any]) -> None:
    functions = [n for n, r in translated["Resources"].items() if r["Type"] == "AWS::Lambda::Function"]
    assert functions
    assert sam.functions_without_log_groups(translated) == []


def test_a_function_without_its_log_group_is_found(template: dict[str, Any]) -> None:
    forged = copy.deepcopy(template)
    forged["Resources"]["OrphanFunction"] = copy.deepcopy(forged["Resources"]["BouncesFunction"])
    forged["Resources"]["OrphanFunction"]["Properties"].pop("Events", None)
    del forged["Resources"]["StatsFunctionLogGroup"]["Properties"]["RetentionInDays"]
    assert sorted(sam.functions_without_log_groups(sam.transform(forged))) == [
        "OrphanFunction",
        "StatsFunction",
    ]


def test_log_retention_is_one_parameter(template: dict[str, Any]) -> None:
    param = template["Parameters"]["LogRetentionDays"]
    assert param["Default"] == 90 and 90 in param["AllowedValues"]
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Logs::LogGroup":
            assert resource["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name
