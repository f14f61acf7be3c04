"""The local runner refuses a function's AWS call its role in template.yaml does not allow, as AWS would."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local import iam_guard
from infra.local import template as tpl

TEMPLATE = tpl.with_parameters(
    tpl.load(), {"HelpSearchEngine": "tantivy", "RequestsAddress": "x@example.org"}
)


def test_every_function_of_the_template_has_its_actions() -> None:
    allowed = iam_guard.allowed_actions(TEMPLATE)
    functions = [n for n, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    assert sorted(allowed) == sorted(functions)
    assert "EmailInFunction" in allowed
    # SAM policy templates are expanded: the CRUD template's actions, the SQS one's wildcard.
    assert "dynamodb:conditioncheckitem" in allowed["SlaFiredFunction"]
    assert "sqs:sendmessage*" in allowed["StreamFunction"]


def test_a_transaction_needs_each_of_its_items_actions() -> None:
    items = [{"ConditionCheck": {}}, {"Update": {}}, {"Update": {}}]
    assert iam_guard.needed_actions("dynamodb", "TransactWriteItems", {"TransactItems": items}) == [
        "dynamodb:ConditionCheckItem",
        "dynamodb:UpdateItem",
    ]
    assert iam_guard.needed_actions("s3", "ListObjectsV2", {}) == ["s3:ListBucket"]
    assert iam_guard.needed_actions("sqs", "SendMessageBatch", {}) == [
        "sqs:SendMessage"
    ]  # IAM has no batch action
    assert iam_guard.needed_actions("cognito-idp", "InitiateAuth", {}) == []  # the app client's, not IAM


def test_the_stream_function_may_keep_citizen_facts_and_nothing_else_of_the_table() -> None:
    """Its role once had no table action at all while it wrote the citizen's filed-types summary."""
    iam_guard._allowed.update(iam_guard.allowed_actions(TEMPLATE))
    assert iam_guard.denied("StreamFunction", ["dynamodb:ConditionCheckItem", "dynamodb:UpdateItem"]) == []
    assert iam_guard.denied(
        "StreamFunction", ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"]
    ) == [
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:Scan",
    ]
    assert iam_guard.denied("IndexerFunction", ["s3:PutObject", "ses:SendEmail"]) == ["ses:SendEmail"]


def test_a_call_outside_the_role_is_refused_inside_the_function_only(aws: Any) -> None:
    """Through the shared local stack's moto (its start installed the check, as make dev does)."""
    client: Any = boto3.client("dynamodb")
    table, key = (
        aws.env["TABLE_NAME"],
        {"PK": {"S": f"CITIZEN#iam-{uuid.uuid4().hex}"}, "SK": {"S": "IAMTEST"}},
    )
    with iam_guard.running("StreamFunction"):
        with pytest.raises(ClientError) as refused:
            client.put_item(TableName=table, Item=key)
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
        assert "StreamFunction" in str(refused.value) and "dynamodb:PutItem" in str(refused.value)
        client.update_item(  # allowed: no error
            TableName=table,
            Key=key,
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "1"}},
        )
    try:
        assert client.get_item(TableName=table, Key=key)["Item"]["n"]["N"] == "1"  # the allowed write landed
    finally:
        client.delete_item(TableName=table, Key=key)  # the runner's own call: not checked
