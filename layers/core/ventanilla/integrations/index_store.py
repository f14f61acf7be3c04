"""The published help search index: one tar.gz object in a versioned S3 bucket.

The indexer (or an editors' rebuild) uploads the tantivy folder after each change, conditioned on
the version it started from (S3 conditional writes), so two writers never silently overwrite each
other; API containers download it at cold start and when a HEAD shows a newer ETag.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from ventanilla.settings import get_settings

KEY = "help-index/tantivy.tar.gz"


class Conflict(Exception):
    """Another writer published since this copy was downloaded: reload and apply the change again."""


def _s3() -> Any:
    return boto3.client("s3", region_name=get_settings().region)


def latest(bucket: str, key: str = KEY) -> str | None:
    """The ETag of the published index, None when nothing was published yet."""
    try:
        return str(_s3().head_object(Bucket=bucket, Key=key)["ETag"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def download(bucket: str, key: str, folder: Path) -> str | None:
    """Unpack the published index into ``folder``; its ETag, or None when there is none."""
    try:
        answer = _s3().get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(answer["Body"].read()), mode="r:gz") as archive:
        archive.extractall(folder, filter="data")
    return str(answer["ETag"])


def _packed(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".tantivy-"):  # lock files stay behind
                archive.add(path, arcname=str(path.relative_to(folder)))
    return buffer.getvalue()


def upload(bucket: str, key: str, folder: Path, based_on: str | None) -> str:
    """Publish ``folder`` if the object is still ``based_on`` (absent when None); its new ETag."""
    condition = {"IfMatch": based_on} if based_on else {"IfNoneMatch": "*"}
    try:
        answer = _s3().put_object(Bucket=bucket, Key=key, Body=_packed(folder), **condition)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("PreconditionFailed", "ConditionalRequestConflict", "412", "NoSuchKey"):
            raise Conflict(key) from error
        raise
    return str(answer["ETag"])
