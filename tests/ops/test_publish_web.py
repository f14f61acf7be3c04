"""publish_web makes the web bucket hold exactly web/, with the right headers, and invalidates the CDN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.ops import publish_web

pytestmark = pytest.mark.usefixtures("mocked_aws")


def _distribution() -> str:
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "web",
                    "DomainName": "web.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "web",
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
        },
    }
    return str(
        boto3.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    )


def _stack(distribution_id: str) -> str:
    """A deployed stack as the tools see it: a bucket and the outputs template.yaml declares."""
    template = {
        "Resources": {"WebBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {
            "WebBucketName": {"Value": {"Ref": "WebBucket"}},
            "DistributionId": {"Value": distribution_id},
            "PortalUrl": {"Value": "https://d111.cloudfront.net"},
        },
    }
    boto3.client("cloudformation").create_stack(StackName="vt", TemplateBody=json.dumps(template))
    outputs = boto3.client("cloudformation").describe_stacks(StackName="vt")["Stacks"][0]["Outputs"]
    return next(o["OutputValue"] for o in outputs if o["OutputKey"] == "WebBucketName")


def _web(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    (web / "js" / "views").mkdir(parents=True, exist_ok=True)
    (web / "index.html").write_text("<!doctype html><title>V</title>", encoding="utf-8")
    (web / "js" / "app.js").write_text("export const a = 1;", encoding="utf-8")
    (web / "js" / "views" / "home.js").write_text("export const b = 2;", encoding="utf-8")
    (web / "es.json").write_text("{}", encoding="utf-8")
    (web / ".DS_Store").write_bytes(b"x")
    return web


def _head(bucket: str, key: str) -> dict[str, Any]:
    return dict(boto3.client("s3").head_object(Bucket=bucket, Key=key))


def _invalidations(distribution_id: str) -> int:
    listed = boto3.client("cloudfront").list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    return int(listed.get("Quantity", 0))


def test_first_publish_uploads_with_types_and_cache_headers(tmp_path: Path, capsys: Any) -> None:
    distribution = _distribution()
    bucket = _stack(distribution)
    assert publish_web.main(["--stack", "vt", "--web", str(_web(tmp_path))]) == 0

    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {"index.html", "js/app.js", "js/views/home.js", "es.json"}  # no hidden files
    index = _head(bucket, "index.html")
    assert index["ContentType"] == "text/html; charset=utf-8"
    assert index["CacheControl"] == "no-cache"
    script = _head(bucket, "js/app.js")
    assert script["ContentType"] == "text/javascript; charset=utf-8"
    assert script["CacheControl"] == "public, max-age=300"
    assert _head(bucket, "es.json")["ContentType"] == "application/json; charset=utf-8"
    assert _invalidations(distribution) == 1
    out = capsys.readouterr().out
    assert "4 uploaded, 0 deleted, 0 unchanged" in out
    assert "https://d111.cloudfront.net" in out


def test_republish_uploads_only_changes_deletes_removed_and_skips_needless_invalidation(
    tmp_path: Path,
) -> None:
    distribution = _distribution()
    bucket = _stack(distribution)
    web = _web(tmp_path)
    publish_web.publish(web, bucket, distribution)

    again = publish_web.publish(web, bucket, distribution)
    assert (again.uploaded, again.deleted, again.unchanged, again.invalidation) == ([], [], 4, None)
    assert _invalidations(distribution) == 1

    (web / "js" / "app.js").write_text("export const a = 3;", encoding="utf-8")
    (web / "js" / "views" / "home.js").unlink()
    changed = publish_web.publish(web, bucket, distribution)
    assert changed.uploaded == ["js/app.js"]
    assert changed.deleted == ["js/views/home.js"]
    assert changed.invalidation is not None
    body = boto3.client("s3").get_object(Bucket=bucket, Key="js/app.js")["Body"].read()
    assert body == b"export const a = 3;"
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]}
    assert "js/views/home.js" not in keys
    assert _invalidations(distribution) == 2


def test_the_real_web_folder_publishes_every_file_with_a_known_type(tmp_path: Path) -> None:
    bucket = _stack(_distribution())
    result = publish_web.publish(publish_web.ROOT / "web", bucket, None)
    assert "index.html" in result.uploaded and result.invalidation is None
    unknown = [k for k in result.uploaded if publish_web.content_type(k) == "application/octet-stream"]
    assert unknown == []


def test_a_stack_without_the_outputs_is_a_clear_error(tmp_path: Path, capsys: Any) -> None:
    assert publish_web.main(["--stack", "missing", "--web", str(_web(tmp_path))]) == 2
    assert "stack 'missing' not found" in capsys.readouterr().err
    template = {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"Other": {"Value": "x"}}}
    boto3.client("cloudformation").create_stack(StackName="old", TemplateBody=json.dumps(template))
    assert publish_web.main(["--stack", "old", "--web", str(_web(tmp_path))]) == 2
    assert "no output WebBucketName, DistributionId" in capsys.readouterr().err


def test_a_folder_without_index_html_is_refused(tmp_path: Path) -> None:
    bucket = _stack(_distribution())
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"index\.html"):
        publish_web.publish(tmp_path / "empty", bucket, None)
    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket=bucket)
