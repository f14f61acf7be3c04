"""Powertools idempotency records, kept in the single table (PK ``IDEMPOTENCY#<fn>``, TTL ``ttl``)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3

from ventanilla.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer


@cache
def persistence(function: str) -> DynamoDBPersistenceLayer:
    # Powertools' idempotency package (~0.2 s) is imported by the one route that files with a key.
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    settings = get_settings()
    return DynamoDBPersistenceLayer(
        table_name=settings.table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=f"IDEMPOTENCY#{function}",
        expiry_attr="ttl",
        boto3_client=boto3.client("dynamodb", region_name=settings.region),
    )
