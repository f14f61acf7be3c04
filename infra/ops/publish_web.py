"""Upload web/ to the stack's web bucket and invalidate the CDN (the last step of ``make deploy``).

    python -m infra.ops.publish_web --stack ventanilla [--web web] [--force]

Only changed files are uploaded (S3's ETag is the MD5 of a single-part upload), files no longer in
web/ are deleted, and one invalidation covers everything when anything changed. index.html is
``no-cache`` (revalidated on every visit); the other files keep their names across releases (ES
modules import each other by plain name), so they get a short max-age instead of a long one.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from infra.ops.outputs import StackNotReady, stack_outputs

ROOT = Path(__file__).resolve().parents[2]
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
NO_CACHE = "no-cache"
SHORT_CACHE = "public, max-age=300"
"""Unversioned names: a browser may mix old and new modules for at most five minutes after a release."""


@dataclass
class Published:
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    invalidation: str | None = None


def cache_control(key: str) -> str:
    # The service worker and the manifests too: a browser checks them for updates itself.
    return NO_CACHE if key.endswith((".html", ".webmanifest")) or key == "sw.js" else SHORT_CACHE


def content_type(key: str) -> str:
    return CONTENT_TYPES.get(Path(key).suffix.lower(), "application/octet-stream")


def local_files(web: Path) -> dict[str, Path]:
    """Bucket key -> file; hidden files and folders (editor and OS leftovers) are not published."""
    return {
        path.relative_to(web).as_posix(): path
        for path in sorted(web.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(web).parts)
    }


def remote_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            etags[obj["Key"]] = obj["ETag"].strip('"')
    return etags


def publish(web: Path, bucket: str, distribution_id: str | None, force: bool = False) -> Published:
    """Make the bucket hold exactly ``web``; invalidate the CDN if anything changed."""
    s3 = boto3.client("s3")
    files = local_files(web)
    if "index.html" not in files:
        raise FileNotFoundError(f"{web / 'index.html'} is missing: not a web folder")
    remote = remote_etags(s3, bucket)
    result = Published()
    for key, path in files.items():
        body = path.read_bytes()
        if not force and remote.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest():
            result.unchanged += 1
            continue
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type(key), CacheControl=cache_control(key)
        )
        result.uploaded.append(key)
    stale = sorted(set(remote) - set(files))
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1000 keys
        chunk = stale[start : start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
    result.deleted = stale
    if distribution_id and (result.uploaded or result.deleted):
        answer = boto3.client("cloudfront").create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},  # one path, however many files changed
                "CallerReference": f"publish-web-{time.time_ns()}",
            },
        )
        result.invalidation = answer["Invalidation"]["Id"]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.ops.publish_web", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--stack", required=True, help="CloudFormation stack name (samconfig.toml's stack_name)"
    )
    parser.add_argument("--web", type=Path, default=ROOT / "web", help="folder to publish (default: web/)")
    parser.add_argument("--force", action="store_true", help="upload every file (e.g. new cache headers)")
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack, "WebBucketName", "DistributionId")
    except StackNotReady as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = publish(args.web, outputs["WebBucketName"], outputs["DistributionId"], args.force)
    print(
        f"web: {len(result.uploaded)} uploaded, {len(result.deleted)} deleted, {result.unchanged} unchanged"
        + (f"; invalidation {result.invalidation}" if result.invalidation else "; nothing to invalidate")
    )
    if "PortalUrl" in outputs:
        print(f"portal: {outputs['PortalUrl']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
