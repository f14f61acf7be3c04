"""template.yaml as CloudFormation receives it: AWS::Include files inlined, local code folders
packaged, then the SAM transform; and the Lambda resource policies the stack would create."""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from infra.local import template as tpl

POLICY_LIMIT = 20 * 1024
"""Lambda's fixed quota on one function's resource-based policy."""
STACK = "ventanilla-produccion"
REGION = "ap-southeast-2"  # the longest region names make the longest ARNs


def decoded(text: str | None = None) -> dict[str, Any]:
    """template.yaml (or ``text``) parsed as cfn-lint and the transform read it."""
    from cfnlint.decode import decode_str

    data, errors = decode_str(text if text is not None else tpl.TEMPLATE.read_text(encoding="utf-8"))
    assert not errors, errors
    return dict(data)


def inline_includes(node: Any, base: Path = tpl.ROOT) -> Any:
    """What CloudFormation does before the SAM transform: each local AWS::Include replaced by its file."""
    if isinstance(node, dict):
        include = node.get("Fn::Transform")
        if len(node) == 1 and isinstance(include, dict) and include.get("Name") == "AWS::Include":
            location = include["Parameters"]["Location"]
            assert isinstance(location, str) and not location.startswith("s3://"), location
            return inline_includes(decoded((base / location).read_text(encoding="utf-8")), base)
        return {k: inline_includes(v, base) for k, v in node.items()}
    if isinstance(node, list):
        return [inline_includes(v, base) for v in node]
    return node


def package(template: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` does to local code folders: S3 locations instead."""
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://artifacts/{props[key].strip('/')}.zip"
    return template


def transform(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The SAM transform of a decoded template (includes inlined, code packaged here), with these
    parameter values (the defaults otherwise)."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    ready = package(inline_includes(copy.deepcopy(template)))
    parameters = dict(parameters or {})
    to_py27_compatible_template(ready, parameters)
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    translated = translator.translate(ready, parameters, get_managed_policy_map=dict)
    return dict(undo_mark_unicode_str_in_template(translated))


def physical(resources: dict[str, Any]) -> tpl.Resolver:
    """Ref and Arn values with the lengths CloudFormation gives them (stack-logical-suffix names)."""
    resolver = tpl.Resolver({"Parameters": {}}, STACK, REGION)
    for logical, resource in resources.items():
        name = f"{STACK}-{logical}-ABCDEFGHIJKL"[:64]
        if resource["Type"] == "AWS::ApiGateway::RestApi":
            name = "a1b2c3d4e5"
        resolver.refs[logical] = name
        service = resource["Type"].split("::")[1].lower()
        resolver.attrs[(logical, "Arn")] = f"arn:aws:{service}:{REGION}:123456789012:function:{name}"
    return resolver


def _target(function_name: Any) -> str:
    if isinstance(function_name, dict) and "Ref" in function_name:
        return str(function_name["Ref"])
    if isinstance(function_name, dict) and "Fn::GetAtt" in function_name:
        return str(function_name["Fn::GetAtt"][0])
    raise AssertionError(f"a permission for a function outside the stack: {function_name}")


def resource_policies(translated: dict[str, Any]) -> dict[str, str]:
    """Each function's resource policy as Lambda stores it, from the stack's AWS::Lambda::Permission."""
    resources: dict[str, Any] = translated["Resources"]
    resolver = physical(resources)
    for name, value in (translated.get("Parameters") or {}).items():
        resolver.refs[name] = str(value.get("Default", ""))
    statements: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for logical, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Permission":
            continue
        props = resolver(resource["Properties"])
        target = _target(resource["Properties"]["FunctionName"])
        principal = props["Principal"]
        statement: dict[str, Any] = {
            "Sid": f"{STACK}-{logical}-ABCDEFGHIJKL",  # CloudFormation's statement id
            "Effect": "Allow",
            "Principal": {"Service" if principal.endswith(".amazonaws.com") else "AWS": principal},
            "Action": props["Action"],
            "Resource": resolver.attrs[(target, "Arn")],
        }
        condition: dict[str, Any] = {}
        if "SourceAccount" in props:
            condition["StringEquals"] = {"AWS:SourceAccount": props["SourceAccount"]}
        if "SourceArn" in props:
            condition["ArnLike"] = {"AWS:SourceArn": props["SourceArn"]}
        if condition:
            statement["Condition"] = condition
        statements[target].append(statement)
    return {
        target: json.dumps(
            {"Version": "2012-10-17", "Id": "default", "Statement": listed}, separators=(",", ":")
        )
        for target, listed in statements.items()
    }


def _names_function(name: Any, function: str) -> bool:
    """Whether a LogGroupName is Lambda's default group of ``function`` (/aws/lambda/<name>)."""
    if isinstance(name, dict) and "Fn::Sub" in name:
        return name["Fn::Sub"] == "/aws/lambda/${" + function + "}"
    if isinstance(name, dict) and "Fn::Join" in name:
        return name["Fn::Join"] == ["", ["/aws/lambda/", {"Ref": function}]]
    return False


def functions_without_log_groups(translated: dict[str, Any]) -> list[str]:
    """Functions whose logs no stack log group with a retention period receives."""
    resources: dict[str, Any] = translated["Resources"]
    kept = {
        name: r["Properties"]
        for name, r in resources.items()
        if r["Type"] == "AWS::Logs::LogGroup" and r.get("Properties", {}).get("RetentionInDays")
    }
    missing = []
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        configured = (resource["Properties"].get("LoggingConfig") or {}).get("LogGroup")
        if isinstance(configured, dict) and configured.get("Ref") in kept:
            continue
        if any(_names_function(group.get("LogGroupName"), name) for group in kept.values()):
            continue
        missing.append(name)
    return missing
