"""template.yaml for the help centre: the indexer follows article events through its own queue,
``HelpSearchEngine`` really chooses (no OpenSearch domain, grant or address with tantivy), and the
OpenSearch domain is private, encrypted, logged and kept."""

from __future__ import annotations

import json
import re
from typing import Any

from infra.local import template as tpl
from tests.integration.test_template import _lint, _translated

RESOURCES: dict[str, Any] = tpl.load()["Resources"]
SEARCH_FUNCTIONS = ("ApiFunction", "IndexerFunction")


def _statements(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        s
        for p in resource["Properties"].get("Policies", [])
        if isinstance(p, dict) and "Statement" in p
        for s in p["Statement"]
    ]


def test_indexer_reads_its_queue_with_partial_failures_and_only_article_items() -> None:
    event = RESOURCES["IndexerFunction"]["Properties"]["Events"]["ArticleEvents"]
    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["HelpIndexQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    (reads,) = [
        s for s in _statements(RESOURCES["IndexerFunction"]) if "dynamodb:BatchGetItem" in s["Action"]
    ]
    assert sorted(reads["Action"]) == ["dynamodb:BatchGetItem", "dynamodb:GetItem"]
    assert reads["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ARTICLE#*"]}}


def test_cfn_lint_passes_with_the_other_engine_as_the_default() -> None:
    """The template as it is (tantivy by default) is linted by ``test_template``; here the other."""
    text = tpl.TEMPLATE.read_text(encoding="utf-8")
    default = re.search(r"  HelpSearchEngine:\n    Type: String\n    Default: (\w+)", text)
    assert default and default[1] == "tantivy"
    flipped = text.replace(default[0], default[0].removesuffix("tantivy") + "opensearch")
    assert _lint(flipped) == []


def test_with_tantivy_nothing_of_opensearch_is_created_granted_or_named() -> None:
    deployed = _translated({"HelpSearchEngine": "tantivy"})
    resources = deployed["Resources"]
    assert not [n for n, r in resources.items() if r["Type"].startswith("AWS::OpenSearchService::")]
    assert not [n for n in resources if n.startswith("HelpSearch")]
    assert "HelpSearchEndpoint" not in deployed.get("Outputs", {})
    text = json.dumps(resources)
    assert "HelpSearchDomain" not in text and '"es:' not in text
    functions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]
    envs = [f["Properties"].get("Environment", {}).get("Variables", {}) for f in functions]
    served = [e for e in envs if "HELP_SEARCH_ENGINE" in e]
    assert len(served) == len(functions) - 1  # all but the push platforms' custom resource
    assert all(e["HELP_SEARCH_ENGINE"] == {"Ref": "HelpSearchEngine"} for e in served)
    assert all(e["OPENSEARCH_URL"] == "" for e in served)


def test_with_opensearch_the_domain_is_logged_encrypted_https_only_and_kept() -> None:
    deployed = _translated({"HelpSearchEngine": "opensearch"})
    resources = deployed["Resources"]
    domain = resources["HelpSearchDomain"]
    assert domain["DeletionPolicy"] == "Retain" and domain["UpdateReplacePolicy"] == "Retain"
    props = domain["Properties"]
    assert props["EncryptionAtRestOptions"]["Enabled"] is True
    assert props["NodeToNodeEncryptionOptions"]["Enabled"] is True
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert "SnapshotOptions" not in props  # hourly automated snapshots; a start hour is ignored
    for statement in props["AccessPolicies"]["Statement"]:
        assert statement["Principal"] != "*" and statement["Principal"].get("AWS") != "*"
    logs = props["LogPublishingOptions"]
    assert {"INDEX_SLOW_LOGS", "ES_APPLICATION_LOGS"} <= set(logs)
    groups = set()
    for kind, option in logs.items():
        assert option["Enabled"] is True, kind
        (group,) = option["CloudWatchLogsLogGroupArn"]["Fn::GetAtt"][:1]
        assert resources[group]["Type"] == "AWS::Logs::LogGroup"
        assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        groups.add(group)
    policy = resources["HelpSearchLogsPolicy"]
    assert policy["Type"] == "AWS::Logs::ResourcePolicy" and "HelpSearchLogsPolicy" in domain["DependsOn"]
    document = policy["Properties"]["PolicyDocument"]["Fn::Sub"]
    parsed = json.loads(re.sub(r"\$\{[^}]+\}", "x", document))
    (statement,) = parsed["Statement"]
    assert statement["Principal"] == {"Service": "es.amazonaws.com"}
    assert set(statement["Action"]) == {"logs:PutLogEvents", "logs:CreateLogStream"}
    assert {f"${{{g}.Arn}}" for g in groups} == set(re.findall(r"\$\{\w+\.Arn\}", document))
    assert deployed["Outputs"]["HelpSearchEndpoint"]["Value"] == {
        "Fn::Sub": "https://${HelpSearchDomain.DomainEndpoint}"
    }


def test_with_opensearch_only_the_search_functions_reach_only_the_help_index() -> None:
    resources = tpl.with_parameters(tpl.load(), {"HelpSearchEngine": "opensearch"})["Resources"]
    for name in SEARCH_FUNCTIONS:
        es = [s for s in _statements(resources[name]) if any(a.startswith("es:") for a in s["Action"])]
        assert es, name
        for s in es:
            assert all(a.startswith("es:ESHttp") and a != "es:ESHttp*" for a in s["Action"]), name
            assert s["Resource"] == {"Fn::Sub": "${HelpSearchDomain.Arn}/help-articles*"}, name
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function" and name not in SEARCH_FUNCTIONS:
            assert '"es:' not in json.dumps(resource["Properties"].get("Policies", [])), name


def test_every_function_is_told_which_search_engine_to_use() -> None:
    env = tpl.load()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["HELP_SEARCH_ENGINE"] == {"Ref": "HelpSearchEngine"}
    assert env["OPENSEARCH_URL"] == {
        "Fn::If": ["UseOpenSearch", {"Fn::Sub": "https://${HelpSearchDomain.DomainEndpoint}"}, ""]
    }
    assert tpl.load()["Parameters"]["HelpSearchEngine"]["Default"] == "tantivy"  # no cluster by default
