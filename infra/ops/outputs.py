"""A deployed stack's outputs, read through CloudFormation's API (what the operator tools need)."""

from __future__ import annotations

import boto3


class StackNotReady(RuntimeError):
    """The stack does not exist, or lacks an output the tool needs (deployed from an older template)."""


def stack_outputs(stack: str, *required: str) -> dict[str, str]:
    """``{OutputKey: OutputValue}`` of ``stack``; raises StackNotReady naming what is missing."""
    client = boto3.client("cloudformation")
    try:
        described = client.describe_stacks(StackName=stack)["Stacks"]
    except client.exceptions.ClientError as error:
        raise StackNotReady(f"stack {stack!r} not found: {error}") from error
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described[0].get("Outputs", [])}
    missing = [name for name in required if name not in outputs]
    if missing:
        raise StackNotReady(f"stack {stack!r} has no output {', '.join(missing)} (deploy it first)")
    return outputs
