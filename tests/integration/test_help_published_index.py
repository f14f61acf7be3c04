"""Tantivy in AWS without a cluster: the indexer publishes the index to a versioned S3 bucket (moto),
API containers load it into their own folder and take a newer version at most once a minute;
writers never overwrite each other's version; nothing published yet is an empty index, not an error."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from tests.conftest import Aws
from tests.unit.test_help_tantivy import art
from ventanilla.help.search.published import CHECK_SECONDS, PublishedIndex, publish
from ventanilla.integrations import index_store


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def bucket(aws: Aws) -> str:
    name = f"help-index-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def slugs(engine: PublishedIndex, q: str) -> list[str]:
    return [h.slug for h in engine.search(q, lang="es").hits]


def test_an_api_container_takes_a_new_version_within_a_minute_with_one_head_per_minute(
    bucket: str, tmp_path: Path
) -> None:
    clock = Clock()
    indexer = PublishedIndex(bucket, root=tmp_path / "indexer", clock=clock)
    api = PublishedIndex(bucket, root=tmp_path / "api", clock=clock)
    assert api.count() == 0 and api.search("patente").total == 0  # nothing published yet: empty
    indexer.index([art("patente", "Patente comercial", "Requisitos de la patente comercial.")])
    assert publish(indexer) is True
    assert publish(indexer) is False  # nothing changed since
    assert api.search("patente").total == 0  # checked less than a minute ago
    clock.now += CHECK_SECONDS
    assert slugs(api, "patente") == ["patente"]
    downloads = api.downloads
    indexer.index([art("permiso", "Permiso de edificación", "Cómo pedir el permiso de edificación.")])
    indexer.remove("patente", "es")
    publish(indexer)
    clock.now += CHECK_SECONDS - 1
    assert slugs(api, "patente") == ["patente"] and api.downloads == downloads
    clock.now += 1
    assert slugs(api, "permiso") == ["permiso"] and slugs(api, "patente") == []
    assert api.downloads == downloads + 1
    versions = boto3.client("s3").list_object_versions(Bucket=bucket, Prefix=index_store.KEY)["Versions"]
    assert len(versions) == 2  # the bucket keeps the earlier version
    assert len(list((tmp_path / "api").iterdir())) == 1  # the replaced copy is removed


def test_a_writer_on_an_old_version_cannot_overwrite_a_newer_one_and_retries_from_it(
    bucket: str, tmp_path: Path
) -> None:
    clock = Clock()
    first = PublishedIndex(bucket, root=tmp_path / "a", clock=clock)
    second = PublishedIndex(bucket, root=tmp_path / "b", clock=clock)
    first.index([art("uno", "Primer artículo", "Texto del primero.")])
    second.index([art("dos", "Segundo artículo", "Texto del segundo.")])
    publish(first)
    with pytest.raises(index_store.Conflict):
        publish(second)  # it started before the first published: its copy lacks "uno"
    second.index([art("dos", "Segundo artículo", "Texto del segundo.")])  # the retry (a redelivery)
    publish(second)
    reader = PublishedIndex(bucket, root=tmp_path / "c", clock=clock)
    assert {h.slug for h in reader.search("artículo", lang="es").hits} == {"uno", "dos"}
