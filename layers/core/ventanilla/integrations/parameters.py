"""Values the stack publishes in SSM Parameter Store after the functions exist (e.g. the CDN's
address), read once per process by name."""

from __future__ import annotations

from functools import lru_cache

import boto3


@lru_cache(maxsize=8)
def parameter(name: str, region: str) -> str:
    """The value of the String parameter ``name``; a cold start pays one GetParameter."""
    client = boto3.client("ssm", region_name=region)
    return str(client.get_parameter(Name=name)["Parameter"]["Value"])
