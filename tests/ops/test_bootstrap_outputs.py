"""The first run finds a deployed stack's table, pool and addresses in its CloudFormation outputs."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from infra.local import template as tpl
from infra.ops.bootstrap import deployed, main
from infra.ops.outputs import StackNotReady

pytestmark = pytest.mark.usefixtures("mocked_aws")
OUTPUTS = {
    "TableName": "vt-Table-1",
    "UserPoolId": "us-east-1_abc",
    "UserPoolClientId": "client123",
    "ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/live",
    "PortalUrl": "https://d111.cloudfront.net",
    "ConsoleUrl": "https://d111.cloudfront.net/#/agente",
}


def _stack(name: str, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {k: {"Value": v} for k, v in outputs.items()},
    }
    boto3.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def test_outputs_become_the_target() -> None:
    _stack("vt", OUTPUTS)
    target = deployed("vt")
    assert (target.table, target.pool, target.client) == ("vt-Table-1", "us-east-1_abc", "client123")
    assert target.portal == "https://d111.cloudfront.net"
    assert target.console == "https://d111.cloudfront.net/#/agente"
    assert target.api.endswith("/live")


def test_the_outputs_it_reads_are_the_templates() -> None:
    assert set(OUTPUTS) <= set(tpl.load()["Outputs"])


def test_a_stack_missing_outputs_stops_before_writing_anything(capsys: Any) -> None:
    _stack("old", {k: v for k, v in OUTPUTS.items() if k != "PortalUrl"})
    with pytest.raises(StackNotReady, match="PortalUrl"):
        deployed("old")
    assert main(["--stack", "old", "--admin-email", "ti@valleverde.example"]) == 2
    assert "no output PortalUrl" in capsys.readouterr().err
