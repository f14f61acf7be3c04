"""The REST API as deployed: its body is generated from the Chalice routes and committed, every
operation reaches the API function, what API Gateway answers itself is a problem document, and
the stage logs no personal data and throttles the costly citizen routes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from chalice import Chalice
from openapi_spec_validator import validate

from infra.api import generate
from infra.local import template as tpl
from tests.integration import sam_support as sam

PROBLEM_HEADERS = {
    "gatewayresponse.header.Content-Type": "'application/problem+json'",
    "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
}


@pytest.fixture(scope="module")
def body() -> dict[str, Any]:
    included: dict[str, Any] = sam.inline_includes(
        tpl.load()["Resources"]["Api"]["Properties"]["DefinitionBody"]
    )
    return included


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    """The stack's resources after the SAM transform."""
    translated: dict[str, Any] = sam.transform(sam.decoded())["Resources"]
    return translated


@pytest.fixture(scope="module")
def stage(resources: dict[str, Any]) -> dict[str, Any]:
    (found,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    props: dict[str, Any] = found["Properties"]
    return props


def test_committed_body_is_what_the_generator_writes(app: Any) -> None:
    assert generate.OUTPUT.read_text(encoding="utf-8") == generate.render(app), (
        "infra/api/rest-api.yaml is stale: run python -m infra.api.generate"
    )


def test_a_route_without_openapi_docs_is_refused() -> None:
    forged = Chalice(app_name="forged")

    @forged.route("/api/v1/undocumented")
    def undocumented() -> dict[str, str]:
        return {}

    with pytest.raises(ValueError, match="undocumented"):
        generate.body(forged)


def test_every_operation_is_a_proxy_integration_to_the_api_function(body: dict[str, Any]) -> None:
    assert body["openapi"].startswith("3.0.")  # what API Gateway imports
    validate(body)
    uri = {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
        "/functions/${ApiFunction.Arn}/invocations"
    }
    for path, ops in body["paths"].items():
        for method, op in ops.items():
            integration = op["x-amazon-apigateway-integration"]
            assert (integration["type"], integration["httpMethod"]) == ("aws_proxy", "POST"), (path, method)
            assert integration["uri"] == uri, (path, method)
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)


def test_unknown_routes_answer_the_apps_404_problem_document(body: dict[str, Any]) -> None:
    from chalicelib.http import problem
    from ventanilla.errors import NotFound

    response = body["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["statusCode"] == "404"
    assert PROBLEM_HEADERS.items() <= response["responseParameters"].items()
    document = json.loads(response["responseTemplates"]["application/json"])
    assert document.pop("requestId") == "$context.requestId"
    assert document == problem(NotFound("route_not_found"), "es").body


def test_every_gateway_response_is_a_problem_document(body: dict[str, Any]) -> None:
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert {"MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for kind, response in responses.items():
        assert PROBLEM_HEADERS.items() <= response["responseParameters"].items(), kind
        document = json.loads(response["responseTemplates"]["application/json"])
        assert document["type"].startswith("urn:ventanilla:problem:"), kind
        assert document["title"] and document["detail"] and document["code"], kind
        if kind.startswith("DEFAULT_"):  # several statuses: the response's own
            assert "statusCode" not in response and "status" not in document, kind
        else:
            assert document["status"] == int(response["statusCode"]), kind
    assert responses["THROTTLED"]["statusCode"] == "429"


ALLOWED_LOG_FIELDS = {
    "requestId",
    "requestTime",
    "httpMethod",
    "resourcePath",
    "status",
    "responseLatency",
    "integrationLatency",
    "responseLength",
    "integrationErrorMessage",
    "error.responseType",
    "xrayTraceId",
}


def test_access_logs_are_json_without_personal_data(stage: dict[str, Any], resources: dict[str, Any]) -> None:
    setting = stage["AccessLogSetting"]
    group = setting["DestinationArn"]["Fn::GetAtt"][0]
    assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    fmt = setting["Format"]
    used = set(re.findall(r"\$context\.([\w.]+)", fmt))
    # No source IP, user agent, path values (ticket numbers, opt-out tokens) or query strings.
    assert used == ALLOWED_LOG_FIELDS
    line = json.loads(re.sub(r"\$context\.[\w.]+", "x", fmt))
    assert {"requestId", "time", "method", "resourcePath", "status", "latency"} <= set(line)
    assert {"responseLength", "integrationError"} <= set(line)


def test_api_gateway_can_write_logs_in_the_account(resources: dict[str, Any]) -> None:
    (account,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Account"]
    role = resources[account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert resources["Api"]["DependsOn"] == "ApiGatewayAccount"


def _route(setting: dict[str, Any]) -> tuple[str, str]:
    """A method setting's route: "/~1api~1v1~1tickets" is /api/v1/tickets; "/*" is every route."""
    path = setting["ResourcePath"]
    return (path if path == "/*" else path.removeprefix("/").replace("~1", "/")), setting["HttpMethod"]


def test_stage_and_costly_citizen_routes_are_throttled(stage: dict[str, Any], body: dict[str, Any]) -> None:
    settings = {_route(s): s for s in stage["MethodSettings"]}
    whole = settings.pop(("/*", "*"))
    assert whole["ThrottlingRateLimit"] > 0 and whole["ThrottlingBurstLimit"] > 0
    operations = {(path, method.upper()) for path, ops in body["paths"].items() for method in ops}
    assert set(settings) <= operations, "throttling set on a route the API does not have"
    assert {("/api/v1/tickets", "POST"), ("/api/v1/tickets/{number}", "GET")} <= set(settings)
    for route, setting in settings.items():
        assert 0 < setting["ThrottlingRateLimit"] < whole["ThrottlingRateLimit"], route
        assert setting["ThrottlingRateLimit"] <= setting["ThrottlingBurstLimit"], route


def _variable_siblings(paths: list[str]) -> dict[str, set[str]]:
    """Parents with more than one variable child ("/a/{x}" and "/a/{y}"), which API Gateway refuses."""
    children: dict[str, set[str]] = {}
    for path in paths:
        parts = path.strip("/").split("/")
        for depth, part in enumerate(parts):
            if part.startswith("{"):
                children.setdefault("/" + "/".join(parts[:depth]), set()).add(part)
    return {parent: names for parent, names in children.items() if len(names) > 1}


def test_no_resource_has_two_variable_children(body: dict[str, Any]) -> None:
    assert _variable_siblings(list(body["paths"])) == {}
    assert _variable_siblings(["/api/v1/goals/{goal_id}", "/api/v1/goals/{id}/x"]) == {
        "/api/v1/goals": {"{goal_id}", "{id}"}
    }
