"""The notification secret (opt-out signatures, sealed receipts), read once per process."""

from __future__ import annotations

from functools import lru_cache

import boto3

from ventanilla.settings import get_settings


@lru_cache(maxsize=1)
def notify_secret() -> bytes:
    settings = get_settings()
    if not settings.notify_secret_arn:
        raise RuntimeError("NOTIFY_SECRET_ARN is not set")
    client = boto3.client("secretsmanager", region_name=settings.region)
    value = client.get_secret_value(SecretId=settings.notify_secret_arn)["SecretString"]
    return str(value).encode()


@lru_cache(maxsize=1)
def access_code_key() -> bytes:
    """The pepper of the access codes' HMAC, derived once per container from the same secret."""
    from ventanilla.rules.access_codes import pepper

    return pepper(notify_secret())


@lru_cache(maxsize=1)
def vapid_keys() -> dict[str, str] | None:
    """The VAPID key pair of Web Push (``{"private_key": PEM, "public_key": base64url}``), or None
    while the secret holds no key pair yet (``python -m infra.ops.vapid`` puts one there)."""
    import json

    settings = get_settings()
    if not settings.vapid_secret_arn:
        return None
    client = boto3.client("secretsmanager", region_name=settings.region)
    value = str(client.get_secret_value(SecretId=settings.vapid_secret_arn)["SecretString"])
    try:
        keys = json.loads(value)
    except ValueError:
        return None  # the placeholder CloudFormation generated
    if not isinstance(keys, dict) or not keys.get("private_key") or not keys.get("public_key"):
        return None
    return {"private_key": str(keys["private_key"]), "public_key": str(keys["public_key"])}
