"""Each function's AWS calls checked against the actions its role in template.yaml allows.

moto does not enforce IAM, so a function whose code calls an action its role lacks works locally
and fails in AWS on the first event (the stream function once wrote citizen facts with no table
permission at all). The local runner marks which function is running (``running``), and every boto3
call made meanwhile is checked: an action outside the role's Allow statements answers
AccessDeniedException as AWS would (``LOCAL_IAM=warn`` logs instead, ``off`` skips the check).

Actions only: resources and condition keys (e.g. ``dynamodb:LeadingKeys``) are not evaluated, so
this finds a missing action, not a too-narrow ARN. Calls the runner makes itself (pollers,
provisioning, the browser's Cognito calls) run outside any function and are not checked.
"""

from __future__ import annotations

import contextvars
import fnmatch
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("ventanilla.local.iam")

_running: contextvars.ContextVar[str | None] = contextvars.ContextVar("local_function", default=None)
_allowed: dict[str, list[str]] = {}
_installed = False

# IAM service prefixes that differ from botocore's signing name.
_PREFIX = {"monitoring": "cloudwatch"}
# Operations whose IAM action has another name.
_ACTION = {
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("dynamodb", "TransactGetItems"): "GetItem",
    ("sqs", "SendMessageBatch"): "SendMessage",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
}
# Cognito's user-facing operations are authorised by the user's token or the app client, not IAM.
_NO_IAM = {
    ("cognito-idp", op)
    for op in (
        "InitiateAuth",
        "RespondToAuthChallenge",
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "GetUser",
        "ChangePassword",
        "GlobalSignOut",
        "RevokeToken",
        "UpdateUserAttributes",
        "VerifyUserAttribute",
        "GetUserAttributeVerificationCode",
        "DeleteUser",
    )
} | {("sts", "GetCallerIdentity")}
_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _policy_actions(policy: Any) -> list[str]:
    """The Allow actions of one entry of a function's ``Policies`` (statements or a SAM policy template)."""
    if isinstance(policy, str):
        return []  # a managed policy by name (logs, X-Ray): nothing the code calls through boto3
    if "Statement" in policy:
        statements = policy["Statement"]
    else:
        from samtranslator.policy_template_processor.processor import (  # type: ignore[import-untyped]
            PolicyTemplatesProcessor,
        )

        processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())
        (name, parameters), *_ = policy.items()
        statements = processor.convert(name, parameters)["Statement"]
    actions: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") == "Allow":
            found = statement.get("Action") or []
            actions += [found] if isinstance(found, str) else list(found)
    return [a.lower() for a in actions]


def allowed_actions(template: dict[str, Any]) -> dict[str, list[str]]:
    """Function logical id -> the action patterns its role allows (lower case, IAM wildcards)."""
    return {
        logical: [a for policy in spec["Properties"].get("Policies") or [] for a in _policy_actions(policy)]
        for logical, spec in template["Resources"].items()
        if spec.get("Type") == "AWS::Serverless::Function"
    }


def needed_actions(prefix: str, operation: str, params: dict[str, Any]) -> list[str]:
    """The IAM actions one API call needs (a transaction needs each of its items' actions)."""
    if (prefix, operation) in _NO_IAM:
        return []
    if prefix == "dynamodb" and operation == "TransactWriteItems":
        kinds = {next(iter(item)) for item in params.get("TransactItems") or []}
        return [f"dynamodb:{_TRANSACT[k]}" for k in sorted(kinds) if k in _TRANSACT]
    return [f"{prefix}:{_ACTION.get((prefix, operation), operation)}"]


def denied(function: str, actions: list[str]) -> list[str]:
    """The actions of ``actions`` that ``function``'s role does not allow."""
    patterns = _allowed.get(function, [])
    return [a for a in actions if not any(fnmatch.fnmatchcase(a.lower(), p) for p in patterns)]


@contextmanager
def running(function: str) -> Iterator[None]:
    """Calls made inside are checked against ``function``'s role."""
    token = _running.set(function)
    try:
        yield
    finally:
        _running.reset(token)


def install(template: dict[str, Any]) -> None:
    """Check every boto3 call made while a function runs (once per process)."""
    global _installed
    _allowed.update(allowed_actions(template))
    mode = os.environ.get("LOCAL_IAM", "enforce")
    if _installed or mode == "off":
        return
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def checked(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        function = _running.get()
        if function is not None:
            signing = self.meta.service_model.signing_name
            missing = denied(
                function, needed_actions(_PREFIX.get(signing, signing), operation_name, api_params)
            )
            if missing:
                message = (
                    f"{function}'s role (template.yaml) does not allow {', '.join(missing)}:"
                    " AWS would refuse this call"
                )
                log.warning(message)  # also when refused: a queue's retries would hide it
                if mode != "warn":
                    error = {"Error": {"Code": "AccessDeniedException", "Message": message}}
                    raise ClientError(error, operation_name)  # type: ignore[arg-type]
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = checked  # type: ignore[attr-defined]
    _installed = True
