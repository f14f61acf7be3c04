"""Local VAPID keys: ``make dev`` generates a key pair into the stack's VapidSecret (as
``python -m infra.ops.vapid`` does on AWS) and keeps it in the data folder, so subscriptions a
browser made against one run still verify after a restart. Also lets the local stack push to a
push service on this machine (plain http on loopback), which the tests and the dev page use."""

from __future__ import annotations

import json
import os
from pathlib import Path

LOCAL_PUSH_HOSTS = "http://127.0.0.1,http://localhost"


def ensure(kept: Path | None) -> None:
    import boto3

    from ventanilla.integrations import secrets, webpush

    if kept is not None and kept.exists():
        value = kept.read_text(encoding="utf-8")
    else:
        value = json.dumps(webpush.new_vapid_keys())
        if kept is not None:
            kept.write_text(value, encoding="utf-8")
    client = boto3.client("secretsmanager")
    client.put_secret_value(SecretId=os.environ["VAPID_SECRET_ARN"], SecretString=value)
    secrets.vapid_keys.cache_clear()
