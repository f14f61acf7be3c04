"""template.yaml for the help centre: the indexer follows only article items of the table's stream,
the OpenSearch domain is private and encrypted, and functions reach only the help index."""

from __future__ import annotations

import json
from typing import Any

from infra.local import template as tpl

RESOURCES: dict[str, Any] = tpl.load()["Resources"]


def _matches(pattern: dict[str, Any], record: dict[str, Any]) -> bool:
    """EventBridge-style matching as Lambda filters apply it (lists of exact values)."""
    for key, want in pattern.items():
        if key not in record:
            return False
        if isinstance(want, dict):
            if not isinstance(record[key], dict) or not _matches(want, record[key]):
                return False
        elif record[key] not in want:
            return False
    return True


def test_indexer_reads_only_article_items_with_partial_failures() -> None:
    event = RESOURCES["IndexerFunction"]["Properties"]["Events"]["ArticleStream"]
    props = event["Properties"]
    assert event["Type"] == "DynamoDB" and props["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["StreamDeadLetterQueue", "Arn"]
    }
    (only,) = props["FilterCriteria"]["Filters"]
    pattern = json.loads(only["Pattern"])

    def record(pk: str, sk: str) -> dict[str, Any]:
        return {"dynamodb": {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}}}

    assert _matches(pattern, record("ARTICLE#es#licencia", "ARTICLE"))
    for pk, sk in (
        ("ARTICLE#es#licencia", "STATS"),
        ("ARTICLE#es#x", "REV#000001"),
        ("TICKET#2026-000001", "TICKET"),
    ):
        assert not _matches(pattern, record(pk, sk)), sk


def test_search_domain_is_encrypted_https_only_and_not_public() -> None:
    props = RESOURCES["HelpSearchDomain"]["Properties"]
    assert props["EncryptionAtRestOptions"]["Enabled"] is True
    assert props["NodeToNodeEncryptionOptions"]["Enabled"] is True
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    for statement in props["AccessPolicies"]["Statement"]:
        assert statement["Principal"] != "*" and statement["Principal"].get("AWS") != "*"
    assert "VPCOptions" not in props or props["VPCOptions"]


def test_functions_reach_only_the_help_index() -> None:
    for name in ("ApiFunction", "IndexerFunction"):
        statements = [
            s
            for p in RESOURCES[name]["Properties"]["Policies"]
            if isinstance(p, dict) and "Statement" in p
            for s in p["Statement"]
        ]
        es = [s for s in statements if any(a.startswith("es:") for a in s["Action"])]
        assert es, name
        for s in es:
            assert all(a.startswith("es:ESHttp") and a != "es:ESHttp*" for a in s["Action"]), name
            assert s["Resource"] == {"Fn::Sub": "${HelpSearchDomain.Arn}/help-articles*"}, name
    for name, resource in RESOURCES.items():
        if resource["Type"] == "AWS::Serverless::Function" and name not in ("ApiFunction", "IndexerFunction"):
            text = json.dumps(resource["Properties"].get("Policies", []))
            assert '"es:' not in text, name


def test_every_function_is_told_which_search_engine_to_use() -> None:
    env = tpl.load()["Globals"]["Function"]["Environment"]["Variables"]
    assert env["HELP_SEARCH_ENGINE"] == {"Ref": "HelpSearchEngine"}
    assert env["OPENSEARCH_URL"] == {"Fn::Sub": "https://${HelpSearchDomain.DomainEndpoint}"}
    assert tpl.load()["Parameters"]["HelpSearchEngine"]["Default"] == "opensearch"
