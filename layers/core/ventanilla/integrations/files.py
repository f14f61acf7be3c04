"""The attachments bucket (S3): presigned uploads and downloads, reading and replacing an object.

Uploads go straight from the browser to S3 with a presigned POST whose policy holds the exact key,
the content type and a content-length-range, so the API never carries file bytes. Objects land
under ``incoming/`` and only the checker writes ``files/``, the prefix downloads are signed for.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import quote

import boto3
from botocore.config import Config

from ventanilla.settings import get_settings

INCOMING = "incoming/"
FILES = "files/"
_local = threading.local()


def _s3() -> Any:
    client = getattr(_local, "s3", None)
    if client is None:
        settings = get_settings()
        # SigV4 (the presigned POST's policy is signed with it), regional addressing.
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"})
        client = boto3.client("s3", region_name=settings.region, config=config)
        _local.s3 = client
    return client


def bucket() -> str:
    return get_settings().attachments_bucket


def incoming_key(number: str, attachment_id: str) -> str:
    return f"{INCOMING}{number}/{attachment_id}"


def stored_key(number: str, attachment_id: str) -> str:
    return f"{FILES}{number}/{attachment_id}"


def parse_key(key: str) -> tuple[str, str] | None:
    """(number, attachment id) of an ``incoming/<number>/<id>`` key; None for anything else."""
    if not key.startswith(INCOMING):
        return None
    parts = key[len(INCOMING) :].split("/")
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


def presigned_post(key: str, content_type: str, size: int, expires: int) -> dict[str, Any]:
    """URL and form fields for one upload of at most ``size`` bytes of ``content_type`` to ``key``."""
    return dict(
        _s3().generate_presigned_post(
            Bucket=bucket(),
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, size],
            ],
            ExpiresIn=expires,
        )
    )


def presigned_get(key: str, filename: str, content_type: str, expires: int) -> str:
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return str(
        _s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket(),
                "Key": key,
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires,
        )
    )


class Missing(Exception):
    """No object under the key (expired by the bucket's lifecycle, or never stored)."""


def read(key: str, limit: int) -> tuple[bytes, int]:
    """At most ``limit`` bytes of the object and its full size (a huge object is not read whole);
    :class:`Missing` when there is none."""
    from botocore.exceptions import ClientError

    try:
        answer = _s3().get_object(Bucket=bucket(), Key=key, Range=f"bytes=0-{limit - 1}")
    except ClientError as error:
        if (getattr(error, "response", {}) or {}).get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise Missing(key) from error
        raise
    total = answer.get("ContentRange", "").rpartition("/")[2]
    data = answer["Body"].read()
    return data, int(total) if total.isdigit() else len(data)


def write(key: str, data: bytes, content_type: str) -> None:
    _s3().put_object(Bucket=bucket(), Key=key, Body=data, ContentType=content_type)


def delete(key: str) -> None:
    _s3().delete_object(Bucket=bucket(), Key=key)
